/*
 * Longer than 300 lines because the record loop, its lenient
 * resynchronisation (bad magic, tracefs `[LOST N EVENTS]` lines, truncated
 * records) and its time-zero bookkeeping share one decoder's per-record
 * state on the hottest path of every replay; split apart they would pass
 * that state between files on every record. The record layout lives in
 * blkIoTrace.ts, the time origin in timeBase.ts, batch building in
 * BatchBuilder.
 */
import { Cat, isTimedRecord, Notify } from "../model/actions.js";
import type { EventBatch } from "../model/batch.js";
import { BatchBuilder } from "../model/batchBuilder.js";
import { noteSkip, type SkipCounter, TraceFormatError } from "../model/errors.js";
import {
  BLK_IO_TRACE_VERSION,
  byteOrderAt,
  HEADER_BYTES,
  MAGIC_V7,
  MAX_RECORD_BYTES,
  nextMagic,
  notV7,
} from "./blkIoTrace.js";
import { GENESIS_RECORDS, newTimeBase, type TimeBase } from "./timeBase.js";

export { BLK_IO_TRACE_MAGIC, BLK_IO_TRACE_VERSION, HEADER_BYTES } from "./blkIoTrace.js";
export { GENESIS_RECORDS, newTimeBase, type TimeBase } from "./timeBase.js";

const EMPTY = new Uint8Array(0);
/** The line tracefs inserts into `trace_pipe` when its ring buffer overran. */
const LOST_EVENTS = /^CPU:\s*\d+ \[LOST (\d+) EVENTS\]\r?$/;
/** Events per emitted batch. */
export const DEFAULT_BATCH_SIZE = 8192;

/** Options for {@link BinaryDecoder}. */
export interface BinaryDecoderOptions {
  /** Name used in error messages. @default "-" */
  file?: string;
  /** Events per batch. @default 8192 */
  batchSize?: number;
  /** Skip and count damaged records instead of throwing. */
  lenient?: SkipCounter;
  /**
   * Time origin shared by several decoders (the files of a per-CPU set), so
   * their relative times stay comparable. The first timed record (see
   * `isTimedRecord`) any of them reads sets it. @default a private origin:
   * the first timed record of this input
   */
  timeBase?: TimeBase;
  /**
   * How many leading timed records lower `timeBase.min`, the trace's time
   * zero as blkparse takes it: the earliest of the first 512 records of a
   * single stream (blkparse reads that many before it sorts), the first
   * record of each file of a per-CPU set (1). @default 512
   */
  genesisRecords?: number;
  /**
   * Keep payload bytes (remap targets, unplug depths, notify texts).
   * Analysis does not need them; `cat` does. @default true
   */
  payloads?: boolean;
  /**
   * Records to keep, decided from the raw action and byte count before the
   * record is copied into columns (selection pushed down into the decoder;
   * the same `select` operator still runs after it). PROCESS notify records
   * are always kept. @default keep all
   */
  keep?: (action: number, bytes: number) => boolean;
}

/**
 * Incremental decoder of binary `blk_io_trace` v7 records (either byte order,
 * detected from the first magic). Feed it chunks with `push`; it returns the
 * batches completed so far; `end` flushes the rest and reports a partial
 * trailing record. Time is ns relative to the first timed record read (not
 * a process-name or timestamp note: real captures stamp those with another
 * clock, and blkparse leaves them out of time order and time zero; such a
 * note takes the time of the timed record before it, or of the first one
 * when it comes first, so ordering keeps it in place).
 *
 * Hand-written rather than built on a struct library: this loop is the hot
 * path of every replay (see `npm run bench`), it reads fields with DataView
 * at fixed offsets and writes straight into typed-array columns.
 *
 * @example
 * const dec = new BinaryDecoder({ file: "x.bin" });
 * const batches = [...dec.push(chunk), ...dec.end()];
 */
export class BinaryDecoder {
  private readonly file: string;
  private readonly lenient: SkipCounter | undefined;
  private littleEndian: boolean | undefined;
  private carry: Uint8Array = new Uint8Array(0);
  /** Absolute byte offset of `carry[0]` in the input. */
  private offset = 0;
  private readonly base: TimeBase;
  private seenFirst = false;
  /** Timed records still to look at for the trace's time zero. */
  private genesisLeft: number;
  /** Time of the last timed record decoded, given to the notes that follow it. */
  private lastTime = 0;
  /** Notes at the head of the current batch that wait for the first timed record's time. */
  private untimed = 0;
  private readonly keep: ((action: number, bytes: number) => boolean) | undefined;
  private readonly payloads: boolean;
  private readonly rows: BatchBuilder;
  /**
   * Absolute offset where a lenient resynchronisation ran off the end of a
   * chunk: the damaged run continues there and is not counted again, so the
   * skip count does not depend on where chunk boundaries fall.
   */
  private resumeScanAt = -1;
  /** Bytes consumed so far (complete records and skipped bytes). */
  bytesRead = 0;
  /**
   * Events the kernel reported lost: tracefs writes a text line
   * `CPU:N [LOST M EVENTS]` into the binary `trace_pipe` stream when its ring
   * buffer overran; the decoder counts M and skips the line.
   */
  dropped = 0;

  constructor(options: BinaryDecoderOptions = {}) {
    this.file = options.file ?? "-";
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`Cannot decode with batchSize ${batchSize}: it must be a positive integer`);
    }
    this.lenient = options.lenient;
    this.base = options.timeBase ?? newTimeBase();
    this.genesisLeft = options.genesisRecords ?? GENESIS_RECORDS;
    if (!Number.isInteger(this.genesisLeft) || this.genesisLeft < 1) {
      throw new RangeError(`Cannot decode with genesisRecords ${this.genesisLeft}: it must be a positive integer`);
    }
    this.payloads = options.payloads ?? true;
    const keep = options.keep;
    this.keep = keep
      ? (action, bytes) => keep(action, bytes) || ((action & Cat.NOTIFY) !== 0 && (action & 0xffff) === Notify.PROCESS)
      : undefined;
    this.rows = new BatchBuilder(batchSize);
  }

  /** Decode as many whole records as `chunk` (plus earlier leftovers) holds. */
  push(chunk: Uint8Array): EventBatch[] {
    const out: EventBatch[] = [];
    let from = 0;
    if (this.carry.length > 0) {
      // Complete the carried partial record from the head of this chunk only,
      // instead of copying the whole chunk behind it (a full memcpy per read).
      const take = Math.min(chunk.length, MAX_RECORD_BYTES);
      const joined = new Uint8Array(this.carry.length + take);
      joined.set(this.carry, 0);
      joined.set(chunk.subarray(0, take), this.carry.length);
      const used = this.decode(joined, out);
      if (used < this.carry.length || (used < joined.length && take === chunk.length)) {
        this.carry = joined.slice(used);
        this.offset += used;
        return out;
      }
      from = used - this.carry.length;
      this.offset += used;
      this.carry = EMPTY;
    }
    const rest = from > 0 ? chunk.subarray(from) : chunk;
    const used = this.decode(rest, out);
    this.carry = used < rest.length ? rest.slice(used) : EMPTY;
    this.offset += used;
    return out;
  }

  /** Flush the last batch; a partial trailing record is an error (or one skip when lenient). */
  end(): EventBatch[] {
    const out: EventBatch[] = [];
    // A short `CPU:N [LOST M EVENTS]` line can end the stream (shorter than a header).
    if (this.carry.length > 0 && this.carry.length < HEADER_BYTES && this.carry[0] === 0x43) {
      const line = this.lostLine(this.carry, 0);
      if (line > 0) {
        this.offset += line;
        this.carry = this.carry.slice(line);
      }
    }
    if (this.carry.length > 0) {
      const what =
        this.carry.length < HEADER_BYTES
          ? `a ${HEADER_BYTES}-byte blk_io_trace header`
          : "the record's payload (pdu_len bytes)";
      const found = `end of input after ${this.carry.length} bytes (truncated record)`;
      if (!this.lenient) throw new TraceFormatError({ file: this.file, offset: this.offset }, what, found);
      noteSkip(this.lenient, `${this.file} at byte ${this.offset}: truncated record`);
      this.offset += this.carry.length;
      this.carry = new Uint8Array(0);
    }
    this.flush(out);
    return out;
  }

  private decode(buf: Uint8Array, out: EventBatch[]): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    const len = buf.length;
    const keep = this.keep;
    while (len - pos >= HEADER_BYTES) {
      if (buf[pos] === 0x43 && buf[pos + 1] === 0x50 && buf[pos + 2] === 0x55 && buf[pos + 3] === 0x3a) {
        const line = this.lostLine(buf, pos);
        if (line > 0) {
          pos += line;
          continue;
        }
      }
      let le = this.littleEndian;
      if (le === undefined) {
        le = byteOrderAt(view, pos);
        if (le === undefined) {
          pos = this.badMagic(view, buf, pos);
          continue;
        }
        this.littleEndian = le;
      }
      const magic = view.getUint32(pos, le);
      if (magic !== MAGIC_V7) {
        pos = this.badMagic(view, buf, pos);
        continue;
      }
      const pduLen = view.getUint16(pos + 46, le);
      if (len - pos < HEADER_BYTES + pduLen) break;
      const action = view.getUint32(pos + 28, le);
      if (keep === undefined || keep(action, view.getUint32(pos + 24, le))) {
        this.record(view, buf, pos, le, pduLen, action);
        if (this.rows.full) this.flush(out);
      } else if (this.genesisLeft > 0 && isTimedRecord(action)) {
        // Skipped records still count for time zero, so times match an unfiltered decode.
        this.noteGenesis(
          le ? view.getUint32(pos + 12, true) : view.getUint32(pos + 8, false),
          le ? view.getUint32(pos + 8, true) : view.getUint32(pos + 12, false),
        );
      }
      pos += HEADER_BYTES + pduLen;
    }
    this.bytesRead = this.offset + pos;
    return pos;
  }

  /**
   * One of the first `genesisRecords` timed records of this input: the first
   * sets the shared origin if unset and times the notes read before it;
   * each lowers the trace's time zero.
   */
  private noteGenesis(hi: number, lo: number): void {
    const base = this.base;
    if (!base.set) {
      base.hi = hi;
      base.lo = lo;
      base.set = true;
    }
    const t = (hi - base.hi) * 4294967296 + (lo - base.lo);
    base.min = Math.min(base.min, t);
    this.genesisLeft--;
    if (!this.seenFirst) {
      this.seenFirst = true;
      this.lastTime = t;
      this.rows.cols.time.fill(t, this.rows.length - this.untimed, this.rows.length);
      this.untimed = 0;
    }
  }

  /** Length of a complete `CPU:N [LOST M EVENTS]\n` line at `pos` (adding M to `dropped`), or 0. */
  private lostLine(buf: Uint8Array, pos: number): number {
    const nl = buf.indexOf(10, pos);
    if (nl < 0 || nl - pos > 64) return 0;
    const text = Buffer.from(buf.buffer, buf.byteOffset + pos, nl - pos).toString("latin1");
    const m = LOST_EVENTS.exec(text);
    if (!m) return 0;
    this.dropped += Number(m[1]);
    return nl - pos + 1;
  }

  /**
   * Emit the rows decoded so far as a batch without waiting for a full one
   * (live sources call it after each read so a view updates at once).
   */
  flushBatch(): EventBatch[] {
    const out: EventBatch[] = [];
    this.flush(out);
    return out;
  }

  /** Bytes of an unfinished record held for the next chunk. */
  get pendingBytes(): number {
    return this.carry.length;
  }

  /** Handle a record that does not start with the v7 magic: throw, or skip to the next magic. */
  private badMagic(view: DataView, buf: Uint8Array, pos: number): number {
    const at = this.offset + pos;
    const le = this.littleEndian ?? true;
    const found = notV7(view.getUint32(pos, le));
    if (!this.lenient) {
      throw new TraceFormatError(
        { file: this.file, offset: at },
        `a blk_io_trace v${BLK_IO_TRACE_VERSION} record (magic 0x65617407)`,
        found,
      );
    }
    if (at !== this.resumeScanAt) noteSkip(this.lenient, `${this.file} at byte ${at}: ${found}`);
    // Resynchronise on the next byte position holding a v7 magic.
    const next = nextMagic(view, pos, buf.length, le, this.littleEndian !== undefined);
    if (next >= 0) return next;
    const resume = Math.max(pos + 1, buf.length - 3);
    this.resumeScanAt = this.offset + resume;
    return resume;
  }

  private record(view: DataView, buf: Uint8Array, pos: number, le: boolean, pduLen: number, action: number): void {
    const rows = this.rows;
    const c = rows.cols;
    const i = rows.length;
    if (isTimedRecord(action)) {
      // u64 fields read as two u32 halves: exact up to 2^53 (see model/eventBatch.ts).
      const tHi = le ? view.getUint32(pos + 12, true) : view.getUint32(pos + 8, false);
      const tLo = le ? view.getUint32(pos + 8, true) : view.getUint32(pos + 12, false);
      if (this.genesisLeft > 0) this.noteGenesis(tHi, tLo);
      const base = this.base;
      const t = (tHi - base.hi) * 4294967296 + (tLo - base.lo);
      c.time[i] = t;
      this.lastTime = t;
    } else {
      // A note (process name, timestamp): its own clock may be another one; see the class comment.
      c.time[i] = this.lastTime;
      if (!this.seenFirst) this.untimed++;
    }
    const sHi = le ? view.getUint32(pos + 20, true) : view.getUint32(pos + 16, false);
    const sLo = le ? view.getUint32(pos + 16, true) : view.getUint32(pos + 20, false);
    c.sector[i] = sHi * 4294967296 + sLo;
    c.sequence[i] = view.getUint32(pos + 4, le);
    c.bytes[i] = view.getUint32(pos + 24, le);
    c.action[i] = action;
    c.pid[i] = view.getUint32(pos + 32, le);
    c.device[i] = view.getUint32(pos + 36, le);
    c.cpu[i] = view.getUint32(pos + 40, le);
    c.error[i] = view.getUint16(pos + 44, le);
    if (pduLen > 0) {
      if (this.payloads) rows.stage(pduLen).set(buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + pduLen));
      if ((action & Cat.NOTIFY) !== 0 && (action & 0xffff) === Notify.PROCESS) {
        const bytes = buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + pduLen);
        const end = bytes.indexOf(0);
        rows.nameProcess(c.pid[i] as number, Buffer.from(bytes.subarray(0, end < 0 ? pduLen : end)).toString("utf8"));
      }
    }
    rows.commit();
  }

  private flush(out: EventBatch[]): void {
    if (this.rows.length === 0) return;
    out.push(this.rows.seal());
    this.untimed = 0;
  }
}
