import type { EventBatch } from "../model/batch.js";
import { BinaryDecoder, newTimeBase, type TimeBase } from "./binaryDecoder.js";

/**
 * What a live source learns while it runs, shared with its caller the same
 * way a SkipCounter is: the caller creates it, the source fills it in.
 */
export interface LiveStats {
  /** Tracer in use ("tracefs" or "blktrace"), set when tracing starts. */
  tracer?: "tracefs" | "blktrace";
  /** Events lost so far (kernel overruns, blktrace's "dropped", records the reader could not keep); final when the source ends. */
  dropped: number;
  /** CLOCK_MONOTONIC (ns) when the first loss was noticed. */
  firstDropNs?: number;
  /** Records decoded so far. */
  records: number;
  /** Kernel timestamp (ns, CLOCK_MONOTONIC) of the first record; batch time 0 is this instant. */
  firstRecordNs?: number;
  /** CLOCK_MONOTONIC (ns, as process.hrtime.bigint) when tracing was switched on. */
  startedNs?: number;
  /** Kernel buffer per CPU in KiB (tracefs buffer_size_kb, blktrace -b × -n) while tracing. */
  bufferKb?: number;
}

/**
 * Lets a slower consumer (the store's writer thread) hold a live reader:
 * after each chunk, a reader that finds `busy()` pauses its stream until
 * `whenFree()` resolves. Meanwhile the kernel buffers the trace, and
 * whatever it cannot hold is counted as dropped.
 */
export interface Backpressure {
  busy(): boolean;
  whenFree(): Promise<void>;
}

/**
 * Pause `stream` while `backpressure` is busy (call after handling each chunk).
 *
 * @example child.stdout.on("data", (c) => { handle(c); holdWhileBusy(child.stdout, options.backpressure); });
 */
export function holdWhileBusy(stream: NodeJS.ReadableStream, backpressure: Backpressure | undefined): void {
  if (!backpressure?.busy() || stream.isPaused()) return;
  stream.pause();
  void backpressure.whenFree().then(() => stream.resume());
}

/**
 * A fresh LiveStats to hand to a live source.
 *
 * @example const stats = newLiveStats(); tracefsLive({ device: "loop0", stats });
 */
export function newLiveStats(): LiveStats {
  return { dropped: 0, records: 0 };
}

/**
 * Record `total` as the losses seen so far (never lowering it), noting when
 * the first one was seen.
 *
 * @example noteDropped(stats, overruns);
 */
export function noteDropped(stats: LiveStats, total: number): void {
  if (total <= stats.dropped) return;
  stats.dropped = total;
  stats.firstDropNs ??= Number(process.hrtime.bigint());
}

/**
 * How long decoded records may wait to be emitted. Emitting after every read
 * chunk made thousands of tiny batches per second under load, each a view
 * into a full-size batch's columns (measured: 944 MB RSS for 200k records
 * held by `run`); 50 ms still redraws a live view at once.
 */
export const LIVE_FLUSH_MS = 50;

/**
 * Decodes a live binary stream: it frames whole records itself (so the
 * decoder never holds a partial one) and emits full batches at once and the
 * rest at most {@link LIVE_FLUSH_MS} later (through `emit`, also when no
 * new chunk arrives), so a live view updates as records arrive without
 * making a batch per read. Also notes the first record's kernel timestamp
 * in `stats`, which maps wall-clock marks onto batch time. Call `close()`
 * at the end: it stops the timer and returns what is left.
 *
 * @example const dec = new LiveDecoder("trace_pipe", stats, (b) => subscriber.next(b)); chunks.forEach((c) => dec.push(c).forEach(emit)); dec.close().forEach(emit);
 */
export class LiveDecoder {
  private readonly decoder: BinaryDecoder;
  private readonly stats: LiveStats;
  private readonly base: TimeBase = newTimeBase();
  private lastFlush = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string, stats: LiveStats, emit?: (batch: EventBatch) => void) {
    this.decoder = new BinaryDecoder({ file, timeBase: this.base });
    this.stats = stats;
    if (emit) {
      this.timer = setInterval(() => {
        if (Date.now() - this.lastFlush >= LIVE_FLUSH_MS) for (const b of this.flush()) emit(b);
      }, LIVE_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Decode every whole record `chunk` completes; returns full batches, and the rest when a flush is due. */
  push(chunk: Uint8Array): EventBatch[] {
    const out = this.decoder.push(chunk);
    for (const b of out) this.stats.records += b.length;
    if (Date.now() - this.lastFlush >= LIVE_FLUSH_MS || this.timer === undefined) out.push(...this.flush());
    if (this.stats.firstRecordNs === undefined && this.base.set) {
      this.stats.firstRecordNs = this.base.hi * 4294967296 + this.base.lo;
    }
    return out;
  }

  /** Stop the flush timer; the records still held, as batches. */
  close(): EventBatch[] {
    clearInterval(this.timer);
    this.timer = undefined;
    return this.flush();
  }

  /** Events the kernel reported lost inside the stream (`CPU:N [LOST M EVENTS]` lines). */
  get lostInStream(): number {
    return this.decoder.dropped;
  }

  /** Bytes of an unfinished record left at the end (dropped when tracing stops mid-record). */
  get pendingBytes(): number {
    return this.decoder.pendingBytes;
  }

  private flush(): EventBatch[] {
    this.lastFlush = Date.now();
    const out = this.decoder.flushBatch();
    for (const b of out) this.stats.records += b.length;
    return out;
  }
}
