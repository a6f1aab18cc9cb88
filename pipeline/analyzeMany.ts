import { promises as fsp } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { AnalysisSettings } from "../model/analysisSettings.js";
import type { FileMap } from "../model/fileMap.js";
import type { Summary } from "../model/summary.js";
import { detectFormat, type TraceFormat } from "../sources/detectFormat.js";

/**
 * analyze-many as a library: the worker pool and the input expansion (the
 * command body, with its output, is `runAnalyzeMany.ts`). The main thread
 * loads only these (no RxJS, no decoders): the analysis itself runs in
 * `analyzeWorker.ts`, so start-up is paid once per worker, not again on the
 * main thread.
 */

/** What every run of an analyze-many batch is analyzed with (plain data: it is sent to workers). */
export interface RunSettings extends AnalysisSettings {
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
