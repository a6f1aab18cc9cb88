import { execa } from "execa";
import { InputError } from "../../model/errors.js";
import { type RssSample, sampleRss } from "./memorySampling.js";

/** What happened while the workload ran. */
export interface WorkloadRun {
  /** CLOCK_MONOTONIC ns (process.hrtime) at spawn and at exit. */
  startNs: number;
  endNs: number;
  /** Exit code (128 + signal when killed). */
  exitCode: number;
  /** True when it was stopped by {@link RunningWorkload.interrupt}. */
  interrupted: boolean;
  /** Output lines matching the phase marker, with the time each was seen. */
  markers: { ns: number; line: string }[];
  /** Output lines that look like llama.cpp timings ("eval time ="). */
  timingLines: string[];
  /** Peak RSS of the workload process (smaps_rollup). */
  peak: RssSample;
}

/** A workload started by {@link runWorkload}. */
export interface RunningWorkload {
  readonly pid: number | undefined;
  /** CLOCK_MONOTONIC ns (process.hrtime) just before the spawn. */
  readonly startNs: number;
  /** Resolves when the workload (its whole process group) has exited. */
  readonly done: Promise<WorkloadRun>;
  /** Stop it: SIGTERM to its process group, SIGKILL after 3 s (at once when `force`). */
  interrupt(force: boolean): void;
}

/**
 * Spawn the workload in its own process group (so stopping it reaches every
 * child it started, and nothing is left behind), echo its output to `echo`
 * line by line, timestamp lines matching `marker` (and tell `onMarker` at once), keep llama.cpp timing
 * lines, and sample its RSS until it exits. Rejects with InputError when the
 * command cannot be started.
 *
 * @example const w = runWorkload("python3", ["w.py"], { echo: process.stderr }); const run = await w.done;
 */
export function runWorkload(
  file: string,
  args: readonly string[],
  options: { marker?: RegExp; echo: NodeJS.WritableStream; onMarker?: (ns: number, line: string) => void },
): RunningWorkload {
  const startNs = now();
  const child = execa(file, args, {
    detached: true,
    buffer: false,
    reject: false,
    stdin: "ignore",
    cleanup: false,
  });
  const markers: WorkloadRun["markers"] = [];
  const timingLines: string[] = [];
  const onLine = (line: string): void => {
    options.echo.write(`${line}\n`);
    if (options.marker?.test(line)) {
      const mark = { ns: now(), line: line.trim().slice(0, 80) };
      markers.push(mark);
      options.onMarker?.(mark.ns, mark.line);
    }
    if (/ eval time =/.test(line)) timingLines.push(line);
  };
  for (const stream of [child.stdout, child.stderr]) splitLines(stream, onLine);
  const sampler = child.pid !== undefined ? sampleRss(child.pid) : undefined;
  let interrupted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Group already gone.
    }
  };
  const killOnExit = (): void => signalGroup("SIGKILL");
  process.on("exit", killOnExit);
  const done = child.then((result) => {
    process.off("exit", killOnExit);
    const endNs = now();
    clearTimeout(killTimer);
    const peak = sampler?.stop() ?? { rssBytes: 0, anonBytes: 0, fileBytes: 0 };
    signalGroup("SIGKILL");
    if (
      (result as { code?: string }).code === "ENOENT" ||
      (result.failed && result.exitCode === undefined && !result.signal)
    ) {
      throw new InputError(`cannot run "${file}": ${result.shortMessage ?? "command not found"}`);
    }
    const exitCode = result.exitCode ?? 128 + signalNumber(result.signal);
    return { startNs, endNs, exitCode, interrupted, markers, timingLines, peak };
  });
  return {
    pid: child.pid,
    startNs,
    done,
    interrupt: (force) => {
      interrupted = true;
      signalGroup(force ? "SIGKILL" : "SIGTERM");
      if (!force && !killTimer) killTimer = setTimeout(() => signalGroup("SIGKILL"), 3000);
    },
  };
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let rest = "";
  stream.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  stream.on("end", () => {
    if (rest) onLine(rest);
    rest = "";
  });
}

function now(): number {
  return Number(process.hrtime.bigint());
}

function signalNumber(signal: string | undefined): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return signal ? (table[signal] ?? 0) : 0;
}
