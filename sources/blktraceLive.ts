import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { execa } from "execa";
import { Observable } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { InputError } from "../model/errors.js";
import { acquireTraceLock, type TraceLock } from "./kernelState.js";
import { DROP_POLL_MS } from "./liveDefaults.js";
import { holdWhileBusy, LiveDecoder, newLiveStats, noteDropped } from "./liveFraming.js";
import { onStopSignals } from "./liveSignals.js";
import { deviceName, type LiveSourceOptions, requireRoot } from "./tracefsLive.js";

/** Sub-buffers per CPU blktrace gets (`-n`); `-b` is the buffer size divided by this. */
export const BLKTRACE_SUBBUFFERS = 8;
/** blktrace's own buffer per CPU when not told: 4 sub-buffers of 512 KiB. */
const BLKTRACE_DEFAULT_KB = 2048;

/** blktrace could not start here (missing binary, no relay access, no debugfs); another tracer may work. */
export class TracerUnavailableError extends Error {
  override readonly name = "TracerUnavailableError";
  /** "ENOENT" (no blktrace), "EPERM" (kernel refused), or "EFAIL" (other start-up failure). */
  readonly code: "ENOENT" | "EPERM" | "EFAIL";

  constructor(message: string, code: "ENOENT" | "EPERM" | "EFAIL", options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** How long blktrace gets to report a start-up failure before it counts as tracing. */
const STARTUP_MS = 400;
const DEBUGFS = "/sys/kernel/debug";

/**
 * Trace a block device live with `blktrace -d DEV -o -` and decode its binary
 * stdout natively (no blkparse). Mounts debugfs if needed (unmounted again
 * at teardown). Start-up failures (blktrace missing, relay files refusing to
 * open) error with TracerUnavailableError so {@link liveTrace} can fall back
 * to tracefs. Stopping sends blktrace SIGINT, so it stops the kernel trace
 * itself, flushes and reports its dropped count (into `stats.dropped`);
 * teardown kills it if it lingers.
 *
 * @example blktraceLive({ device: "sda", stop: sleep(5000), stats }).subscribe((b) => view.add(b));
 */
export function blktraceLive(options: LiveSourceOptions): Observable<EventBatch> {
  return new Observable<EventBatch>((subscriber) => {
    const device = deviceName(options.device);
    const stats = options.stats ?? newLiveStats();
    let lock: TraceLock | undefined;
    let mountedDebugfs = false;
    let child: ReturnType<typeof spawnBlktrace> | undefined;
    let stderr = "";
    let cleaned = false;
    let stopping = false;
    let decoder: LiveDecoder | undefined;
    let dropPoll: NodeJS.Timeout | undefined;

    const cleanup = (): void => {
      if (cleaned) return;
      cleaned = true;
      clearInterval(dropPoll);
      decoder?.close();
      disposeSignals();
      process.off("exit", cleanup);
      if (child && child.exitCode === null && child.pid !== undefined) {
        child.kill("SIGKILL");
        // A killed blktrace leaves its kernel trace set up; `blktrace -k` tears it down.
        try {
          execFileSync("blktrace", ["-k", "-d", `/dev/${device}`], { stdio: "ignore", timeout: 5000 });
        } catch {
          // Nothing was set up.
        }
      }
      if (mountedDebugfs) {
        try {
          execFileSync("umount", [DEBUGFS], { stdio: "ignore" });
        } catch {
          // Busy: leave it.
        }
      }
      lock?.release();
    };

    const stop = async (): Promise<void> => {
      if (stopping || cleaned || !child) return;
      stopping = true;
      child.kill("SIGINT");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 10_000);
      await child;
      clearTimeout(timer);
      clearInterval(dropPoll);
      for (const b of decoder?.close() ?? []) subscriber.next(b);
      noteDropped(stats, parseDropped(stderr));
      cleanup();
      subscriber.complete();
    };

    const disposeSignals = options.signals === false ? () => {} : onStopSignals(() => void stop(), cleanup);

    const start = async (): Promise<void> => {
      requireRoot();
      if (!existsSync(`/sys/block/${device}`)) {
        throw new InputError(`block device ${device} does not exist (no /sys/block/${device})`);
      }
      lock = acquireTraceLock(`dev-${device}`, `another blkrx session is already tracing ${device}`);
      process.on("exit", cleanup);
      if (!existsSync(`${DEBUGFS}/block`)) {
        try {
          execFileSync("mount", ["-t", "debugfs", "none", DEBUGFS], { stdio: "ignore" });
          mountedDebugfs = true;
        } catch (error: unknown) {
          throw new TracerUnavailableError("blktrace needs debugfs, which could not be mounted", "EPERM", {
            cause: error,
          });
        }
      }
      const live = new LiveDecoder(`blktrace -d /dev/${device}`, stats, (b) => subscriber.next(b));
      decoder = live;
      // blktrace keeps its own defaults (4 × 512 KiB) unless --buffer-size is given: with 8 × 2 MiB relay
      // sub-buffers a short run under test delivered no records at all (not understood yet).
      const bufferKb = options.bufferKb;
      child = spawnBlktrace(device, bufferKb);
      child.stdout.on("data", (chunk: Buffer) => {
        try {
          for (const batch of live.push(chunk)) subscriber.next(batch);
          if (child) holdWhileBusy(child.stdout, options.backpressure);
        } catch (error: unknown) {
          subscriber.error(error);
        }
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      const exited = child.then((r) => r);
      const early = await Promise.race([exited, delay(STARTUP_MS).then(() => undefined)]);
      const failure = startupFailure(stderr, early);
      if (failure) throw failure;
      stats.tracer = "blktrace";
      stats.bufferKb = bufferKb ?? BLKTRACE_DEFAULT_KB;
      // blktrace reports its losses only when it exits; the kernel counts them as they happen.
      dropPoll = setInterval(() => noteDropped(stats, readRelayDropped(device)), DROP_POLL_MS);
      dropPoll.unref();
      stats.startedNs = Number(process.hrtime.bigint());
      void exited.then(() => {
        if (!stopping && !cleaned) void stop();
      });
      options.stop?.then(
        () => void stop(),
        () => void stop(),
      );
      options.onStart?.();
    };

    start().catch((error: unknown) => {
      if (child && child.exitCode === null) child.kill("SIGINT");
      const c = child;
      const finish = (): void => {
        cleanup();
        subscriber.error(error);
      };
      if (c) {
        const timer = setTimeout(() => c.kill("SIGKILL"), 2000);
        void c.then(() => {
          clearTimeout(timer);
          finish();
        });
      } else finish();
    });
    return cleanup;
  });
}

function spawnBlktrace(device: string, bufferKb: number | undefined) {
  const size =
    bufferKb === undefined
      ? []
      : ["-b", String(Math.max(1, Math.ceil(bufferKb / BLKTRACE_SUBBUFFERS))), "-n", String(BLKTRACE_SUBBUFFERS)];
  return execa("blktrace", ["-d", `/dev/${device}`, ...size, "-o", "-"], {
    buffer: false,
    stdin: "ignore",
    reject: false,
    cleanup: false,
  });
}

/** A TracerUnavailableError when blktrace's output or early exit says it could not trace. */
function startupFailure(stderr: string, early: { failed: boolean } | undefined): TracerUnavailableError | undefined {
  if (early && (early as { code?: unknown }).code === "ENOENT") {
    return new TracerUnavailableError("blktrace is not installed", "ENOENT");
  }
  if (/Operation not permitted|Permission denied/i.test(stderr)) {
    return new TracerUnavailableError(`blktrace was refused by the kernel (${firstLine(stderr)})`, "EPERM");
  }
  if (/No such file|not mounted|Invalid debug path/i.test(stderr)) {
    return new TracerUnavailableError(`blktrace could not start (${firstLine(stderr)})`, "ENOENT");
  }
  if (early !== undefined || /fail/i.test(stderr)) {
    return new TracerUnavailableError(`blktrace could not start (${firstLine(stderr) || "it exited"})`, "EFAIL");
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

/** The relay channel's loss counter (debugfs `block/DEV/dropped`), 0 when unreadable. */
function readRelayDropped(device: string): number {
  try {
    return Number(readFileSync(`${DEBUGFS}/block/${device}/dropped`, "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

/** Total dropped events from blktrace's end-of-run report ("Total: N events (dropped D), ..."). */
export function parseDropped(report: string): number {
  const total = /Total:.*?\(dropped (\d+)\)/.exec(report);
  if (total) return Number(total[1]);
  const warn = /You have (\d+)\s*\(.*?\) dropped events/.exec(report);
  return warn ? Number(warn[1]) : 0;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when the blktrace binary is on PATH. */
export function hasBlktrace(): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(`${dir}/blktrace`));
}
