import type { Readable } from "node:stream";
import { Observable } from "rxjs";
import { Cat } from "../model/actions.js";
import type { EventBatch } from "../model/batch.js";
import type { SkipCounter } from "../model/errors.js";
import { GENESIS_RECORDS, newTimeBase, type TimeBase } from "./binaryDecoder.js";
import { decoderFor } from "./decoderFor.js";
import { detectFormat, type TraceFormat } from "./detectFormat.js";
import { inputBytes } from "./inputBytes.js";
import { mergeByTime } from "./mergeByTime.js";
import { DEFAULT_ORDER_WINDOW, orderWithinWindow } from "./orderByTime.js";
import { orderLikeBlkparse } from "./orderLikeBlkparse.js";
import { missingCpusWarning, type ResolvedInput, resolveInput } from "./resolveInputs.js";

/** Options for {@link fromTrace}. */
export interface TraceOptions {
  /** Force a format instead of detecting it from the content. */
  format?: TraceFormat;
  /** Skip and count damaged records (the count is in `lenient.skipped`). */
  lenient?: SkipCounter;
  /** Events held back to re-order a single merged stream. @default 65536 */
  window?: number;
  /** Stream read for "-". @default process.stdin */
  stdin?: Readable;
  /** Name of "-" in error messages. @default "<stdin>" */
  stdinName?: string;
  /** Keep payload bytes (remaps, unplug depths): `cat` needs them, analysis does not. @default true */
  payloads?: boolean;
  /**
   * Skip records early, in the decoder, when this returns false for the raw
   * action and byte count (e.g. `selectionFilter(...)`): analysis then never
   * copies the Q/G/I/C/A records it would drop. @default keep all
   */
  keep?: (action: number, bytes: number) => boolean;
  /** Called with the size of every chunk read from an input (compressed bytes for gzip), for progress bars. */
  onRead?: (bytes: number) => void;
  /** Where warnings about the inputs go (a per-CPU set with missing CPUs, inputs that are not one trace). @default a "blkrx: " line on stderr */
  note?: (message: string) => void;
}

/**
 * Replay trace inputs as a cold, cancellable Observable of event batches in
 * the order blkparse prints them (see `orderLikeBlkparse`). Each input is a
 * file (binary, blkparse text, ftrace text, NDJSON; gzip too), "-" for
 * stdin, or a blktrace base name for its per-CPU set. Several inputs are
 * merged by time into one stream, as the files of a per-CPU set are; when they
 * are not one trace (they hold different devices, or records that repeat each
 * other, as the same file given twice does), `note` says so once the merge is
 * done. Times are ns since the trace's time zero, as blkparse takes it.
 * Unsubscribing stops reading and closes files.
 *
 * @example
 * fromTrace(["trace.bin"]).pipe(analyzeEvents({ action: "D" }), summarize()).subscribe(console.log);
 */
export function fromTrace(inputs: string | readonly string[], options: TraceOptions = {}): Observable<EventBatch> {
  const list = typeof inputs === "string" ? [inputs] : inputs;
  return fromBatchIterable(() => traceBatches(list, options));
}

/**
 * Read one already-open byte stream (a pipe, a child's stdout) as a trace.
 *
 * @example fromStream(child.stdout, { file: "blktrace" }).subscribe(...)
 */
export function fromStream(readable: Readable, options: TraceOptions & { file?: string } = {}): Observable<EventBatch> {
  const { file, ...rest } = options;
  return fromTrace(["-"], { ...rest, stdin: readable, ...(file !== undefined ? { stdinName: file } : {}) });
}

/**
 * The batches of `inputs` as an async iterable (the pull form of fromTrace,
 * for code that wants `for await`).
 *
 * @example for await (const b of traceBatches(["trace.bin"])) count += b.length;
 */
export async function* traceBatches(inputs: readonly string[], options: TraceOptions = {}): AsyncGenerator<EventBatch> {
  const resolved = await Promise.all(inputs.map((i) => resolveInput(i)));
  const note = options.note ?? ((m: string) => process.stderr.write(`blkrx: ${m}\n`));
  for (const r of resolved) {
    const warning = missingCpusWarning(r);
    if (warning) note(warning);
  }
  const timeBase = newTimeBase();
  const detected: { format?: TraceFormat } = {};
  const check = resolved.length > 1 ? new OneTraceCheck(resolved) : undefined;
  const owner: number[] = [];
  const streams = resolved.flatMap((r: ResolvedInput, k) =>
    // blkparse takes time zero from the first record of each file of a per-CPU set (1), from the first read
    // of a single stream otherwise (GENESIS_RECORDS).
    r.files.map((f) => {
      owner.push(k);
      const batches = fileBatches(f, options, timeBase, f === r.name ? GENESIS_RECORDS : 1, detected);
      return check ? check.devicesOf(batches, k) : batches;
    }),
  );
  if (streams.length === 1 && streams[0]) {
    // One stream: printed in blkparse's order (read by read) when every record is decoded; with records skipped
    // in the decoder, reads cannot be told apart, so by time within the window. Times are relative to its first
    // timed record; moved to the earliest of its first reads.
    const window = options.window ?? DEFAULT_ORDER_WINDOW;
    const ordered = options.keep
      ? orderWithinWindow(streams[0], window)
      : orderLikeBlkparse(streams[0], window, () => detected.format === "binary");
    yield* rebaseTime(ordered, timeBase, false);
    return;
  }
  const onRepeat = check ? (a: number, b: number) => check.repeat(owner[a] as number, owner[b] as number) : undefined;
  yield* rebaseTime(mergeByTime(streams, undefined, onRepeat), timeBase, true);
  for (const message of check?.problems() ?? []) note(message);
}

/**
 * Whether several command-line inputs merged into one run are one trace:
 * the devices each holds (notify records aside) and how many records of one
 * repeat records of another at the same time.
 */
class OneTraceCheck {
  private readonly devices: Set<number>[];
  private readonly repeats: Float64Array;

  constructor(private readonly inputs: readonly ResolvedInput[]) {
    this.devices = inputs.map(() => new Set<number>());
    this.repeats = new Float64Array(inputs.length * inputs.length);
  }

  /** Pass the batches of input `k` through, noting their devices (a Set update only when the device changes). */
  async *devicesOf(source: AsyncIterable<EventBatch>, k: number): AsyncGenerator<EventBatch> {
    const seen = this.devices[k] as Set<number>;
    let last = -1;
    for await (const batch of source) {
      for (let i = 0; i < batch.length; i++) {
        const d = batch.device[i] as number;
        if (d !== last && ((batch.action[i] as number) & Cat.NOTIFY) === 0) {
          seen.add(d);
          last = d;
        }
      }
      yield batch;
    }
  }

  /** A record of input `later` repeats one of input `earlier`. */
  repeat(earlier: number, later: number): void {
    if (earlier === later) return; // the files of one per-CPU set
    const k = earlier * this.inputs.length + later;
    this.repeats[k] = (this.repeats[k] as number) + 1;
  }

  /** One sentence per way the inputs are not one trace. */
  problems(): string[] {
    const out: string[] = [];
    const name = (k: number): string => this.inputs[k]?.name ?? String(k);
    const lead = "the inputs were merged by time into one run, but they are not one trace";
    const described = this.devices.map((set) =>
      [...set]
        .sort((a, b) => a - b)
        .map((d) => `${d >>> 20},${d & 0xfffff}`)
        .join(" "),
    );
    const holding = described.map((d, k) => ({ k, d })).filter((x) => x.d !== "");
    if (new Set(holding.map((x) => x.d)).size > 1) {
      out.push(`${lead}: they hold different devices (${holding.map((x) => `${name(x.k)}: ${x.d}`).join("; ")})`);
    }
    const n = this.inputs.length;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const count = this.repeats[a * n + b] as number;
        if (count > 0) {
          out.push(
            `${lead}: ${count.toLocaleString("en-US")} records of ${name(b)} repeat records of ${name(a)} (the same trace given twice?)`,
          );
        }
      }
    }
    return out;
  }
}

/** Decode one file (or "-") with the detected or forced format. */
async function* fileBatches(
  file: string,
  options: TraceOptions,
  timeBase: TimeBase,
  genesisRecords: number,
  detected: { format?: TraceFormat },
): AsyncGenerator<EventBatch> {
  const label = file === "-" ? (options.stdinName ?? "<stdin>") : file;
  let decoder: ReturnType<typeof decoderFor> | undefined;
  for await (const chunk of inputBytes(file, options.stdin, options.onRead)) {
    if (!decoder) {
      const format = options.format ?? detectFormat(chunk, label);
      if (!format) continue;
      detected.format = format;
      decoder = decoderFor(format, {
        file: label,
        timeBase,
        genesisRecords,
        ...(options.lenient ? { lenient: options.lenient } : {}),
        ...(options.payloads !== undefined ? { payloads: options.payloads } : {}),
        ...(options.keep ? { keep: options.keep } : {}),
      });
    }
    yield* decoder.push(chunk);
  }
  if (decoder) yield* decoder.end();
}

/**
 * Shift times so that 0 is the trace's time zero as blkparse takes it
 * (`genesis_time`): the shared origin is the first timed record any file
 * happened to read; the genesis is the earliest of the first timed records
 * the decoders looked at (`TimeBase.min`, known once the first batch is out:
 * a binary decoder emits it after 8,192 records). In a merge, text inputs
 * carry their own origins (their first event); a single text stream keeps
 * the times it prints.
 */
async function* rebaseTime(
  source: AsyncIterable<EventBatch>,
  base: TimeBase,
  merged: boolean,
): AsyncGenerator<EventBatch> {
  let origin: number | undefined;
  for await (const batch of source) {
    if (batch.length === 0) continue;
    const own = merged ? (batch.time[0] as number) : 0;
    origin ??= Number.isFinite(base.min) ? Math.min(base.min, own) : own;
    if (origin !== 0) {
      const t = batch.time as Float64Array;
      for (let i = 0; i < batch.length; i++) t[i] = (t[i] as number) - origin;
    }
    yield batch;
  }
}

/**
 * Wrap an async iterable factory as a cold Observable: each subscription
 * starts its own iteration; unsubscribing ends it (closing the files) at the
 * next batch boundary.
 *
 * @example fromBatchIterable(() => traceBatches(["x.bin"]))
 */
export function fromBatchIterable(factory: () => AsyncIterable<EventBatch>): Observable<EventBatch> {
  return new Observable<EventBatch>((subscriber) => {
    const iterator = factory()[Symbol.asyncIterator]();
    let stopped = false;
    (async () => {
      try {
        for (;;) {
          const r = await iterator.next();
          if (stopped) return;
          if (r.done) break;
          subscriber.next(r.value);
        }
        subscriber.complete();
      } catch (error: unknown) {
        if (!stopped) subscriber.error(error);
      }
    })();
    return () => {
      stopped = true;
      const closing = iterator.return?.(undefined);
      if (closing) closing.catch(() => undefined);
    };
  });
}
