import type { EventBatch } from "../model/batch.js";
import { BinaryDecoder, HEADER_BYTES } from "./binaryDecoder.js";

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
  private carry: Uint8Array = new Uint8Array(0);

  constructor(file: string, stats: LiveStats) {
    this.decoder = new BinaryDecoder({ file });
    this.stats = stats;
  }

  /** Decode every whole record `chunk` completes; keep the unfinished tail. */
  push(chunk: Uint8Array): EventBatch[] {
    let buf = chunk;
    if (this.carry.length > 0) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry, 0);
      buf.set(chunk, this.carry.length);
    }
    const whole = wholeRecordsLength(buf);
    this.carry = buf.slice(whole);
    if (whole === 0) return [];
    if (this.stats.firstRecordNs === undefined) this.stats.firstRecordNs = firstTimeNs(buf);
    const out = [...this.decoder.push(buf.subarray(0, whole)), ...this.decoder.end()];
    for (const b of out) this.stats.records += b.length;
    return out;
  }

  /** Bytes of an unfinished record left at the end (dropped when tracing stops mid-record). */
  get pendingBytes(): number {
    return this.carry.length;
  }
}

/** Length of the prefix of `buf` made of whole blk_io_trace records (byte order from the first magic). */
export function wholeRecordsLength(buf: Uint8Array): number {
  if (buf.length < HEADER_BYTES) return 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = (view.getUint32(0, true) & 0xffffff00) >>> 0 === 0x65617400;
  let pos = 0;
  while (buf.length - pos >= HEADER_BYTES) {
    const size = HEADER_BYTES + view.getUint16(pos + 46, le);
    if (buf.length - pos < size) break;
    pos += size;
  }
  return pos;
}

function firstTimeNs(buf: Uint8Array): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = (view.getUint32(0, true) & 0xffffff00) >>> 0 === 0x65617400;
  const hi = le ? view.getUint32(12, true) : view.getUint32(8, false);
  const lo = le ? view.getUint32(8, true) : view.getUint32(12, false);
  return hi * 4294967296 + lo;
}
