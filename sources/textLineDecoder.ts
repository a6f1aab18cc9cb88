import type { EventBatch, MutableColumns } from "../model/batch.js";
import { BatchBuilder } from "../model/batchBuilder.js";
import { noteSkip, type SkipCounter, TraceFormatError } from "../model/errors.js";
import { DEFAULT_BATCH_SIZE } from "./binaryDecoder.js";
import { BlkTrailer } from "./blkTrailer.js";
import type { ChunkDecoder } from "./decoder.js";
import { LineCursor, LineMismatch } from "./lineCursor.js";
import { LineSplitter } from "./lineSplitter.js";

/** Options shared by the text trace decoders. */
export interface TextDecoderOptions {
  /** Name used in error messages. @default "-" */
  file?: string;
  /** Events per batch. @default 8192 */
  batchSize?: number;
  /** Skip and count lines that are not events instead of throwing. */
  lenient?: SkipCounter;
  /**
   * Records to keep, from the raw action (and an upper bound of the byte
   * count): a decoder that can read a line's action cheaply from its bytes
   * skips well-formed lines this rejects without parsing them (see
   * {@link TextLineDecoder.quickAction}). Malformed lines are always parsed,
   * so they are still reported. @default keep all
   */
  keep?: (action: number, bytes: number) => boolean;
}

/**
 * Longest line a text trace may hold: 1 MiB, counted in bytes (characters,
 * for the ASCII trace lines are). Real lines are under 200 bytes; the
 * longest legal ones (NDJSON with a 64 KiB payload in hex, a message notify)
 * stay far below this.
 */
export const MAX_LINE_CHARS = 1 << 20;

/** Command names that mean "unknown" in blkparse and ftrace output. */
function isUnknownName(name: string): boolean {
  return name === "(null)" || name === "<...>" || name === "";
}

/**
 * Base of the line-oriented trace decoders (blkparse text, ftrace text,
 * NDJSON, dataset CSVs): splits chunks into lines ({@link LineSplitter}; a
 * line may span chunks; CRLF tolerated), builds rows straight into
 * typed-array columns ({@link BatchBuilder}), rebases time on the first
 * event, collects `[comm]` names, and turns a line that is not an event into
 * a `TraceFormatError` naming the line (or a skip when lenient). Subclasses
 * implement {@link TextLineDecoder.parseLine} and use {@link TextLineDecoder.parseBody}
 * for the `ACTION RWBS trailer` part every blk text format shares.
 *
 * With a `keep` filter, a line whose action the subclass reads from its
 * bytes ({@link TextLineDecoder.quickAction}) and `keep` rejects is counted
 * and skipped without being turned into a string. Measured on blkparse
 * text: most lines of a trace are Q/G/I/C/A/P/U records that analysis drops,
 * and decoding and splitting them as strings was most of the cost (`npm run bench`).
 *
 * @example
 * class MyDecoder extends TextLineDecoder {
 *   protected parseLine(line: string): void { ... this.commit(timeNs, pid, name); }
 * }
 */
export abstract class TextLineDecoder implements ChunkDecoder {
  protected readonly file: string;
  protected readonly cur: LineCursor = new LineCursor();
  private readonly lenient: SkipCounter | undefined;
  private readonly keep: ((action: number, bytes: number) => boolean) | undefined;
  private readonly lines: LineSplitter;
  private readonly rows: BatchBuilder;
  private readonly trailer: BlkTrailer;
  /** 1-based number of the line being parsed. */
  protected lineNo = 0;
  private baseTime = Number.NaN;
  /** Make times relative to the first event (off for formats that already store them so). */
  protected rebaseTime = true;
  private out: EventBatch[] = [];

  constructor(options: TextDecoderOptions = {}) {
    this.file = options.file ?? "-";
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`Cannot decode with batchSize ${batchSize}: it must be a positive integer`);
    }
    this.lenient = options.lenient;
    this.keep = options.keep;
    this.rows = new BatchBuilder(batchSize);
    this.trailer = new BlkTrailer(this.cur, this.rows);
    this.lines = new LineSplitter(
      MAX_LINE_CHARS,
      (buf, from, to) => this.onLine(buf, from, to),
      (head) => this.lineTooLong(head),
    );
  }

  /** Columns of the row being built, at index {@link count}. */
  protected get cols(): MutableColumns {
    return this.rows.cols;
  }

  /** Index of the row being built (rows already in the current batch). */
  protected get count(): number {
    return this.rows.length;
  }

  /** Parse the lines `chunk` completes; keep an unfinished last line for later. */
  push(chunk: Uint8Array): EventBatch[] {
    this.lines.push(chunk);
    return this.take();
  }

  /** Input ended: parse a last line without newline and flush the last batch. */
  end(): EventBatch[] {
    this.lines.end();
    this.beforeEnd();
    this.flush();
    return this.take();
  }

  /** One line from the splitter: skipped from its bytes when `keep` rejects it, else parsed. */
  private onLine(buf: Buffer, from: number, to: number): void {
    if (this.keep === undefined || !this.keepOrSkip(buf, from, to, this.keep)) this.lineOf(buf, from, to);
  }

  /**
   * True when the line [from, to) is done with: counted because `keep`
   * rejects its action, or decoded from its bytes ({@link quickLine}).
   * False leaves it to the full parser.
   */
  private keepOrSkip(buf: Buffer, from: number, to: number, keep: (action: number, bytes: number) => boolean): boolean {
    const action = this.quickAction(buf, from, to);
    if (action < 0) return false;
    this.lineNo++;
    // The first event line is always parsed: it sets the time origin, as without a filter. keep is asked only
    // about lines it can drop, so a counting keep (selectionFilter with a tally) never counts a line twice.
    if (!Number.isNaN(this.baseTime) && !keep(action, 0x7fffffff)) return true;
    this.rows.discardStaged();
    if (this.quickLine(buf, from, to)) return true;
    this.lineNo--; // lineOf counts it again
    return false;
  }

  /**
   * The raw action u32 of a well-formed event line, read from its bytes
   * without parsing the rest, or -1 when the line is not recognisably an
   * event line (then it is parsed in full). Only the action code and the
   * READ/WRITE/DISCARD/NOTIFY bits need to be right: it only serves `keep`.
   */
  protected quickAction(_buf: Uint8Array, _from: number, _to: number): number {
    return -1;
  }

  /**
   * Decode a kept line straight from its bytes into row `this.count` and
   * {@link commit} it, when the subclass can (see quickBlkparseRow); false
   * leaves the line to the full parser. Only called after quickAction
   * accepted the line.
   */
  protected quickLine(_buf: Uint8Array, _from: number, _to: number): boolean {
    return false;
  }

  /** The last line is parsed: a subclass commits rows it still holds (see DatasetDecoder). */
  protected beforeEnd(): void {}

  /**
   * Parse one line (without its newline). Write the row's columns at index
   * `this.count` and call {@link commit}, or return without committing for a
   * line that holds no event. Throw via `this.cur.fail(expected)` when the
   * line is not valid.
   */
  protected abstract parseLine(line: string): void;

  /** Parse the line [from, to) as a string (a trailing CR dropped, and a byte-order mark before the first line). */
  private lineOf(buf: Buffer, from: number, to: number): void {
    const end = to > from && buf[to - 1] === 13 ? to - 1 : to;
    this.lineNo++;
    this.rows.discardStaged();
    let line = buf.toString("utf8", from, end);
    if (this.lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    try {
      this.parseLine(line);
    } catch (err) {
      if (!(err instanceof LineMismatch)) throw err;
      this.bad(line, err.message);
    }
  }

  /**
   * An unfinished line passed MAX_LINE_CHARS: no trace line is that long, and
   * holding it would grow memory (and re-scanning it, time) without bound.
   * Report it once (the splitter skips the rest of it up to its newline).
   */
  private lineTooLong(head: Buffer): void {
    this.lineNo++;
    this.bad(head.toString("utf8"), `a line of at most ${MAX_LINE_CHARS} characters`);
  }

  private take(): EventBatch[] {
    const out = this.out;
    if (out.length > 0) this.out = [];
    return out;
  }

  /** Report a line that is not what the format allows (throw, or count when lenient). */
  protected bad(line: string, expected: string): void {
    const found = line.length > 80 ? `${JSON.stringify(line.slice(0, 80))}...` : JSON.stringify(line);
    if (!this.lenient) throw new TraceFormatError({ file: this.file, line: this.lineNo }, expected, found);
    noteSkip(this.lenient, `${this.file} line ${this.lineNo}: expected ${expected}, found ${found}`);
  }

  /**
   * Finish the row at `this.count`: set its time (absolute ns, rebased on the
   * first event), pid and name, and attach the staged payload.
   */
  protected commit(timeNs: number, pid: number, name: string | undefined): void {
    const rows = this.rows;
    const c = rows.cols;
    const i = rows.length;
    if (Number.isNaN(this.baseTime)) this.baseTime = this.rebaseTime ? timeNs : 0;
    c.time[i] = timeNs - this.baseTime;
    c.pid[i] = pid;
    if (name !== undefined && !isUnknownName(name)) rows.nameProcess(pid, name);
    rows.commit();
    if (rows.full) this.flush();
  }

  /** Reserve `len` payload bytes for the current row; returns a view to fill. */
  protected stage(len: number): Uint8Array {
    return this.rows.stage(len);
  }

  /**
   * Parse `ACTION RWBS trailer` at the cursor into row `this.count` (see
   * {@link BlkTrailer}). `device` is the row's device (the remap target for
   * A lines). Returns the bracketed command name, if any.
   */
  protected parseBody(device: number): string | undefined {
    return this.trailer.parse(device);
  }

  /** Seal the rows so far into a batch (no-op when empty). */
  protected flush(): void {
    if (this.rows.length > 0) this.out.push(this.rows.seal());
  }
}
