import { promises as fsp } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { ActionSelection } from "../model/actions.js";
import { InputError } from "../model/errors.js";
import type { FileMap } from "../operators/fileMap.js";
import type { Direction } from "../operators/select.js";
import type { Summary } from "../operators/summaryTypes.js";
import { formatBytes } from "../sinks/units.js";
import { detectFormat, type TraceFormat } from "../sources/detectFormat.js";
import { openManyRunStore } from "./analyzeManyStore.js";
import type { AnalyzeManyCliOptions } from "./commands/analyzeMany.js";
import { deviceOfOption } from "./deviceOption.js";
import { fileMapFromOptions } from "./fileMapFromOptions.js";

/**
 * The main thread loads only this module (no RxJS, no decoders): the
 * analysis itself runs in `analyzeWorker.ts`, so start-up is paid once per
 * worker, not again on the main thread.
 */

/** What every run of an analyze-many batch is analyzed with (plain data: it is sent to workers). */
export interface RunSettings {
  action: ActionSelection;
  rw: Direction;
  small: number;
  medium: number;
  fileMap?: FileMap;
  format?: TraceFormat;
  lenient?: boolean;
  /** Only events of this device (major << 20 | minor). */
  device?: number;
  /** The `--device` value as the user typed it, for messages. */
  deviceAsTyped?: string;
  /** One run per device of each input (`--split-by device`). */
  splitByDevice?: boolean;
}

/** One device's run of an input split by device. */
export interface DeviceRun {
  /** Display name: "alibaba:419", "msr:usr/0", or "major,minor". */
  device: string;
  summary: Summary;
}

/** The outcome of one input: its summary, or the one-sentence reason it failed. */
export type RunOutcome =
  | { input: string; device?: string; summary: Summary; note?: string }
  | { input: string; error: string };

/** Options for {@link analyzeMany}. */
export interface AnalyzeManyOptions {
  /** Worker threads (at most one per input). @default os.availableParallelism() */
  jobs?: number;
}

const PER_CPU = /^(.*)\.blktrace\.\d+$/;

/**
 * The runs named by command-line inputs: a file stays one run; a directory
 * becomes its trace files in name order, a blktrace per-CPU set
 * (`NAME.blktrace.N`) as one run `DIR/NAME`, and files whose first bytes are
 * not a trace (filefrag listings, JSON documents, notes) left out.
 *
 * @example await expandInputs(["traces/"]) // ["traces/a.bin", "traces/sda", "traces/b.blkparse.txt"]
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const stat = input === "-" ? undefined : await fsp.stat(input).catch(() => undefined);
    if (!stat?.isDirectory()) {
      out.push(input);
      continue;
    }
    const names = (await fsp.readdir(input)).sort();
    const sets = new Set<string>();
    for (const name of names) {
      const set = PER_CPU.exec(name)?.[1];
      if (set !== undefined) {
        if (!sets.has(set)) out.push(join(input, set));
        sets.add(set);
      } else if (await looksLikeTrace(join(input, name))) out.push(join(input, name));
    }
  }
  return out;
}

/** True for a regular file whose first 64 KiB detect as a trace format (gzip counts: it is decided on read). */
async function looksLikeTrace(path: string): Promise<boolean> {
  const handle = await fsp.open(path, "r").catch(() => undefined);
  if (!handle) return false;
  try {
    if (!(await handle.stat()).isFile()) return false;
    const head = new Uint8Array(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
    const format = detectFormat(head.subarray(0, bytesRead), path);
    // A JSON document (pretty-printed, one object over many lines) is not NDJSON: its first line must parse.
    if (format === "ndjson") return firstLineIsJson(head.subarray(0, bytesRead));
    return format !== undefined;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

function firstLineIsJson(head: Uint8Array): boolean {
  const text = Buffer.from(head).toString("utf8");
  const nl = text.indexOf("\n");
  try {
    return typeof JSON.parse(nl < 0 ? text : text.slice(0, nl)) === "object";
  } catch {
    return false;
  }
}

/**
 * Analyze many traces, each as its own run, on a pool of worker threads
 * (one run per worker at a time, the next input handed to whichever worker
 * finishes first) and yield the outcomes in input order as soon as each is
 * known. A failing input yields its error and the others go on.
 *
 * @example for await (const r of analyzeMany(["a.bin", "b.bin"], settings, { jobs: 2 })) console.log(r.input);
 */
export async function* analyzeMany(
  inputs: readonly string[],
  settings: RunSettings,
  options: AnalyzeManyOptions = {},
): AsyncGenerator<RunOutcome> {
  const jobs = options.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new RangeError(`Cannot analyze with ${jobs} jobs: jobs must be a positive integer`);
  }
  if (inputs.includes("-")) throw new TypeError('analyze-many reads files, not standard input ("-")');
  const results = new Array<RunOutcome[] | undefined>(inputs.length);
  let wake: (() => void) | undefined;
  let next = 0;
  const workers = new Set<Worker>();
  const settle = (index: number, outcome: RunOutcome[]): void => {
    results[index] = outcome;
    wake?.();
  };
  const start = (): void => {
    const worker = new Worker(new URL("./analyzeWorker.js", import.meta.url), { workerData: settings });
    workers.add(worker);
    let current = -1;
    const feed = (): void => {
      if (next >= inputs.length) {
        workers.delete(worker);
        void worker.terminate();
        return;
      }
      current = next++;
      worker.postMessage({ index: current, input: inputs[current] });
    };
    worker.on("message", (reply: WorkerReply) => {
      const input = inputs[reply.index] as string;
      settle(reply.index, outcomesOf(input, reply));
      current = -1;
      feed();
    });
    worker.on("error", (error: Error) => {
      // The worker died (not an input error: those come back as replies); fail its input, go on with a new one.
      workers.delete(worker);
      if (current >= 0) settle(current, [{ input: inputs[current] as string, error: error.message }]);
      if (next < inputs.length) start();
    });
    feed();
  };
  for (let w = 0; w < Math.min(jobs, inputs.length); w++) start();
  try {
    for (let i = 0; i < inputs.length; i++) {
      while (!results[i]) await new Promise<void>((resolve) => (wake = resolve));
      yield* results[i] as RunOutcome[];
    }
  } finally {
    await Promise.all([...workers].map((w) => w.terminate()));
  }
}

/** The outcomes a worker's reply stands for: one run, one per device, or the error. */
function outcomesOf(input: string, reply: WorkerReply): RunOutcome[] {
  if ("summary" in reply)
    return [{ input, summary: reply.summary, ...(reply.note !== undefined ? { note: reply.note } : {}) }];
  if ("runs" in reply) return reply.runs.map((r) => ({ input, device: r.device, summary: r.summary }));
  return [{ input, error: reply.error }];
}

/** A worker's answer for one input. */
export type WorkerReply =
  | { index: number; summary: Summary; note?: string }
  | { index: number; runs: DeviceRun[] }
  | { index: number; error: string };

/**
 * The `blkrx analyze-many` command: expand the inputs, analyze them on
 * `--jobs` workers and print each outcome in input order as soon as it and
 * all before it are done (NDJSON with --json, else a table at the end).
 * Failed inputs print their error and make the exit code 1. With --db each
 * run is stored as it arrives (see {@link openManyRunStore}) and its JSON line has its `runId`.
 *
 * @example await runAnalyzeMany(["traces/"], { action: "D", rw: "read", small: 256, medium: 2048, json: true, jobs: 2 });
 */
export async function runAnalyzeMany(inputs: string[], options: AnalyzeManyCliOptions): Promise<RunOutcome[]> {
  const fileMap = await fileMapFromOptions(options);
  const device = options.device !== undefined ? deviceOfOption(options.device) : undefined;
  const settings: RunSettings = {
    action: options.action,
    rw: options.rw,
    small: options.small,
    medium: options.medium,
    ...(fileMap ? { fileMap } : {}),
    ...(options.format ? { format: options.format } : {}),
    ...(options.lenient ? { lenient: true } : {}),
    ...(device !== undefined && options.device !== undefined ? { device, deviceAsTyped: options.device } : {}),
    ...(options.splitBy === "device" ? { splitByDevice: true } : {}),
  };
  const runs = await expandInputs(inputs);
  if (runs.length === 0) throw new InputError(`${inputs.join(" ")}: no trace files found`);
  const store = options.db !== undefined ? await openManyRunStore(options.db, settings) : undefined;
  const outcomes: RunOutcome[] = [];
  for await (const outcome of analyzeMany(runs, settings, options.jobs !== undefined ? { jobs: options.jobs } : {})) {
    outcomes.push(outcome);
    if ("error" in outcome) {
      process.stderr.write(`blkrx: ${outcome.error}\n`);
      process.exitCode = 1;
    } else if (outcome.note !== undefined) process.stderr.write(`blkrx: ${outcome.input}: ${outcome.note}\n`);
    const runId = "summary" in outcome ? await store?.add(outcome) : undefined;
    if (options.json) {
      const line =
        "summary" in outcome
          ? {
              input: outcome.input,
              ...(outcome.device !== undefined ? { device: outcome.device } : {}),
              ...outcome.summary,
              ...(runId !== undefined ? { runId } : {}),
            }
          : outcome;
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
  if (store && options.db !== undefined) process.stderr.write(`blkrx: ${storedRuns(store.runIds, options.db)}\n`);
  if (!options.json) process.stdout.write(await renderRuns(outcomes));
  return outcomes;
}

/** "stored runs 4-6 in runs.duckdb" (ids of one batch are consecutive unless another process stored runs meanwhile). */
function storedRuns(ids: readonly number[], db: string): string {
  if (ids.length === 0) return `stored no runs in ${db} (every input failed)`;
  if (ids.length === 1) return `stored run ${ids[0]} in ${db}`;
  const first = ids[0] as number;
  const last = ids[ids.length - 1] as number;
  const consecutive = last - first === ids.length - 1;
  return `stored ${ids.length} runs in ${db}: ${consecutive ? `${first}-${last}` : ids.join(", ")}`;
}

/** One table row per run: events, bytes read and unique (GiB/MiB), coverage, physical sequential and backward shares. */
async function renderRuns(outcomes: readonly RunOutcome[]): Promise<string> {
  const { default: Table } = await import("cli-table3");
  const table = new Table({
    head: ["input", "events", "read", "unique", "coverage %", "seq %", "backward %"],
    style: { head: [], border: [] },
  });
  const pct = (n: number, of: number): string => (of > 0 ? ((100 * n) / of).toFixed(1) : "-");
  for (const o of outcomes) {
    if ("error" in o) {
      table.push([o.input, { colSpan: 6, content: `error: ${o.error}` }]);
      continue;
    }
    const s = o.summary;
    const name = o.device !== undefined ? `${o.input} ${o.device}` : o.input;
    const pairs = Math.max(s.events - 1, 0);
    table.push([
      name,
      String(s.events),
      formatBytes(s.readBytes),
      formatBytes(s.uniqueBytes),
      s.coverage === null ? "-" : (100 * s.coverage).toFixed(1),
      pct(s.gaps.physical.sequential, pairs),
      pct(s.gaps.physical.backward, pairs),
    ]);
  }
  return `${table.toString()}\n`;
}
