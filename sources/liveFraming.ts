import type { EventBatch } from "../model/batch.js";
import { BinaryDecoder, newTimeBase, type TimeBase } from "./binaryDecoder.js";

/**
 * What a live source learns while it runs, shared with its caller the same
 * way a SkipCounter is: the caller creates it, the source fills it in.
 */
export interface LiveStats {
  /** Tracer in use ("tracefs" or "blktrace"), set when tracing starts. */
  tracer?: "tracefs" | "blktrace";
  /** Events the kernel lost (tracefs overruns, blktrace's "dropped"), set when the source ends. */
  dropped: number;
  /** Records decoded so far. */
  records: number;
  /** Kernel timestamp (ns, CLOCK_MONOTONIC) of the first record; batch time 0 is this instant. */
  firstRecordNs?: number;
  /** CLOCK_MONOTONIC (ns, as process.hrtime.bigint) when tracing was switched on. */
  startedNs?: number;
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
 * Decodes a live binary stream and emits every complete record at once:
 * it frames whole records itself (so the decoder never holds a partial one)
 * and flushes after each chunk, so a live view updates as records arrive
 * instead of waiting for a full batch. Also notes the first record's kernel
 * timestamp in `stats`, which maps wall-clock marks onto batch time.
 *
 * @example const dec = new LiveDecoder("trace_pipe", stats); for (const b of dec.push(chunk)) subscriber.next(b);
 */
export class LiveDecoder {
  private readonly decoder: BinaryDecoder;
  private readonly stats: LiveStats;
  private readonly base: TimeBase = newTimeBase();

  constructor(file: string, stats: LiveStats) {
    this.decoder = new BinaryDecoder({ file, timeBase: this.base });
    this.stats = stats;
  }

  /** Decode every whole record `chunk` completes; keep the unfinished tail. */
  push(chunk: Uint8Array): EventBatch[] {
    const out = [...this.decoder.push(chunk), ...this.decoder.flushBatch()];
    if (this.stats.firstRecordNs === undefined && this.base.set) {
      this.stats.firstRecordNs = this.base.hi * 4294967296 + this.base.lo;
    }
    for (const b of out) this.stats.records += b.length;
    return out;
  }

  /** Events the kernel reported lost inside the stream (`CPU:N [LOST M EVENTS]` lines). */
  get lostInStream(): number {
    return this.decoder.dropped;
  }

  /** Bytes of an unfinished record left at the end (dropped when tracing stops mid-record). */
  get pendingBytes(): number {
    return this.decoder.pendingBytes;
  }
}
