import { Act, actionCode, Cat, Notify } from "../model/actions.js";
import { allocColumns, type EventBatch, type MutableColumns, sealBatch } from "../model/batch.js";
import { noteSkip, type SkipCounter, TraceFormatError } from "../model/errors.js";
import { PayloadArena } from "../model/payloadArena.js";
import { DEFAULT_BATCH_SIZE } from "./binaryDecoder.js";
import type { ChunkDecoder } from "./decoder.js";
import { LineCursor, LineMismatch } from "./lineCursor.js";

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
 * Category bits the kernel adds to each action code (`BLK_TA_*` in
 * blktrace_api.h), so text sources rebuild the same u32 a binary trace holds.
 * Request-based actions (I, D, C, R) also carry FS (or PC, set by the parser).
 */
const ACTION_BITS: readonly number[] = (() => {
  const bits = new Array<number>(18).fill(0);
  for (const code of [
    Act.QUEUE,
    Act.BACKMERGE,
    Act.FRONTMERGE,
    Act.GETRQ,
    Act.SLEEPRQ,
    Act.PLUG,
    Act.UNPLUG_IO,
    Act.UNPLUG_TIMER,
    Act.INSERT,
    Act.REMAP,
    Act.ABORT,
  ]) {
    bits[code] = Cat.QUEUE;
  }
  bits[Act.REQUEUE] = Cat.REQUEUE;
  bits[Act.ISSUE] = Cat.ISSUE;
  bits[Act.COMPLETE] = Cat.COMPLETE;
  bits[Act.DRV_DATA] = Cat.DRV_DATA;
  return bits;
})();

/**
 * Longest line a text trace may hold (1 MiB of characters). Real lines are
 * under 200 bytes; the longest legal ones (NDJSON with a 64 KiB payload in
 * hex, a message notify) stay far below this.
 */
export const MAX_LINE_CHARS = 1 << 20;

/** Actions traced on a request (they carry FS or PC). */
function isRequestAction(code: number): boolean {
  return code === Act.INSERT || code === Act.ISSUE || code === Act.COMPLETE || code === Act.REQUEUE;
}

/**
 * The raw action u32 as the kernel writes it: the action code, the RWBS
 * category bits, the action's own category bits, `pc` (Cat.PC for a
 * passthrough request, else 0), and FS for a request action that is not PC.
 */
function rawAction(code: number, rwbsBits: number, pc: number): number {
  const fs = pc === 0 && isRequestAction(code) ? Cat.FS : 0;
  return (code | rwbsBits | (ACTION_BITS[code] ?? 0) | pc | fs) >>> 0;
}

/**
 * The raw action u32 of a line with action `code` and RWBS `flags` in its
 * plain (not PC) form, as parseBody builds it. -1 for invalid flags.
 *
 * @example plainAction(Act.ISSUE, "RS") // Act.ISSUE | Cat.READ | Cat.SYNC | Cat.ISSUE | Cat.FS
 */
export function plainAction(code: number, flags: string): number {
  const cats = categoryBits(flags);
  return cats === -1 ? -1 : rawAction(code, cats, 0);
}

/** Message notify record (`BLK_TN_MESSAGE`). */
const MESSAGE_ACTION = (Cat.NOTIFY | Notify.MESSAGE) >>> 0;

/** Command names that mean "unknown" in blkparse and ftrace output. */
function isUnknownName(name: string): boolean {
  return name === "(null)" || name === "<...>" || name === "";
}

/**
 * Base of the line-oriented trace decoders (blkparse text, ftrace text):
 * splits chunks into lines (a line may span chunks; CRLF tolerated), builds
 * rows straight into typed-array columns, rebases time on the first event,
 * collects `[comm]` names, and turns a line that is not an event into a
 * `TraceFormatError` naming the line (or a skip when lenient). Subclasses
 * implement {@link TextLineDecoder.parseLine} and use {@link TextLineDecoder.parseBody}
 * for the `ACTION RWBS trailer` part every blk text format shares.
 *
 * @example
 * class MyDecoder extends TextLineDecoder {
 *   protected parseLine(line: string): void { ... this.commit(timeNs, pid, name); }
 * }
 */
export abstract class TextLineDecoder implements ChunkDecoder {
  protected readonly file: string;
  protected readonly cur: LineCursor = new LineCursor();
  private readonly batchSize: number;
  private readonly lenient: SkipCounter | undefined;
  private readonly utf8 = new TextDecoder("utf-8");
  private carry = "";
  /** True while skipping the rest of a line reported as too long. */
  private overlong = false;
  /** 1-based number of the line being parsed. */
  protected lineNo = 0;
  protected cols: MutableColumns;
  protected count = 0;
  private baseTime = Number.NaN;
  /** Make times relative to the first event (off for formats that already store them so). */
  protected rebaseTime = true;
  private readonly payload: PayloadArena;
  private names: Map<number, string> | undefined;
  /** Cat.PC when the last generic trailer was a passthrough (PC) form. */
  private pc = 0;
  private out: EventBatch[] = [];
  private readonly keep: ((action: number, bytes: number) => boolean) | undefined;
  /** Unfinished last line of the byte path (see pushBytes). */
  private carryBytes: Uint8Array = new Uint8Array(0);

  constructor(options: TextDecoderOptions = {}) {
    this.file = options.file ?? "-";
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) {
      throw new RangeError(`Cannot decode with batchSize ${this.batchSize}: it must be a positive integer`);
    }
    this.lenient = options.lenient;
    this.keep = options.keep;
    this.cols = allocColumns(this.batchSize);
    this.payload = new PayloadArena(this.batchSize);
  }

  /** Parse the lines `chunk` completes; keep an unfinished last line for later. */
  push(chunk: Uint8Array): EventBatch[] {
    if (this.keep) return this.pushBytes(chunk, this.keep);
    const text = this.carry + this.utf8.decode(chunk, { stream: true });
    let from = 0;
    if (this.overlong) {
      // Still inside a line already reported as too long: drop it up to its newline.
      const nl = text.indexOf("\n");
      if (nl < 0) {
        this.carry = "";
        return this.take();
      }
      this.overlong = false;
      from = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf("\n", from);
      if (nl < 0) break;
      this.line(text, from, nl);
      from = nl + 1;
    }
    this.carry = from === 0 ? text : text.slice(from);
    if (this.carry.length > MAX_LINE_CHARS) this.lineTooLong();
    return this.take();
  }

  /**
   * The byte path, used when a `keep` filter is given: lines are found with a
   * native byte search and a line whose action the subclass reads from its
   * bytes ({@link quickAction}) and `keep` rejects is counted and skipped
   * without being turned into a string. Measured on blkparse text: most lines
   * of a trace are Q/G/I/C/A/P/U records that analysis drops, and decoding
   * and splitting them as strings was most of the cost (`npm run bench`).
   */
  private pushBytes(chunk: Uint8Array, keep: (action: number, bytes: number) => boolean): EventBatch[] {
    // A Buffer view for its indexOf (memchr), much faster than TypedArray#indexOf on long chunks.
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let from = 0;
    if (this.overlong) {
      // Still inside a line already reported as too long: drop it up to its newline.
      const nl = buf.indexOf(10);
      if (nl < 0) return this.take();
      this.overlong = false;
      from = nl + 1;
    } else if (this.carryBytes.length > 0) {
      // Finish the carried line with the head of this chunk only (no copy of the whole chunk).
      const nl = buf.indexOf(10);
      const head = buf.subarray(0, nl < 0 ? buf.length : nl);
      const line = new Uint8Array(this.carryBytes.length + head.length);
      line.set(this.carryBytes);
      line.set(head, this.carryBytes.length);
      if (nl < 0) {
        this.carryBytes = line;
        if (line.length > MAX_LINE_CHARS) this.carriedTooLong();
        return this.take();
      }
      this.carryBytes = new Uint8Array(0);
      this.keepOrSkip(line, 0, line.length, keep);
      from = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      this.keepOrSkip(buf, from, nl, keep);
      from = nl + 1;
    }
    if (from < buf.length) {
      this.carryBytes = Uint8Array.prototype.slice.call(chunk, from); // a copy even when chunk is a Buffer
      if (this.carryBytes.length > MAX_LINE_CHARS) this.carriedTooLong();
    }
    return this.take();
  }

  /**
   * Count the line [from, to) when `keep` rejects its action; else decode it from its bytes
   * ({@link quickLine}) or, when that cannot, parse it in full.
   */
  private keepOrSkip(
    buf: Uint8Array,
    from: number,
    to: number,
    keep: (action: number, bytes: number) => boolean,
  ): void {
    const action = this.quickAction(buf, from, to);
    if (action >= 0) {
      this.lineNo++;
      // The first event line is always parsed: it sets the time origin, as without a filter. keep is asked only
      // about lines it can drop, so a counting keep (selectionFilter with a tally) never counts a line twice.
      if (!Number.isNaN(this.baseTime) && !keep(action, 0x7fffffff)) return;
      this.payload.discard();
      if (this.quickLine(buf, from, to)) return;
      this.lineNo--; // line() counts it again
    }
    this.lineBytes(buf, from, to);
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

  /** The carried unfinished line passed MAX_LINE_CHARS: report it once (see lineTooLong). */
  private carriedTooLong(): void {
    this.carry = Buffer.from(this.carryBytes.buffer, this.carryBytes.byteOffset, 200).toString("utf8");
    this.carryBytes = new Uint8Array(0);
    this.lineTooLong();
  }

  private lineBytes(buf: Uint8Array, from: number, to: number): void {
    const text = Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString("utf8");
    this.line(text, 0, text.length);
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

  /** Input ended: parse a last line without newline and flush the last batch. */
  end(): EventBatch[] {
    if (this.carryBytes.length > 0) {
      this.carry = Buffer.from(this.carryBytes.buffer, this.carryBytes.byteOffset, this.carryBytes.length).toString(
        "utf8",
      );
      this.carryBytes = new Uint8Array(0);
    }
    const text = this.overlong ? "" : this.carry + this.utf8.decode();
    this.carry = "";
    this.overlong = false;
    if (text.length > 0) this.line(text, 0, text.length);
    this.beforeEnd();
    this.flush();
    return this.take();
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

  /**
   * An unfinished line passed MAX_LINE_CHARS: no trace line is that long, and
   * holding it would grow memory (and re-scanning it, time) without bound.
   * Report it once; when lenient, skip the rest of it up to its newline.
   */
  private lineTooLong(): void {
    const line = this.carry;
    this.carry = "";
    this.lineNo++;
    this.overlong = true;
    this.bad(line, `a line of at most ${MAX_LINE_CHARS} characters`);
  }

  private take(): EventBatch[] {
    const out = this.out;
    if (out.length > 0) this.out = [];
    return out;
  }

  private line(text: string, from: number, to: number): void {
    let end = to;
    if (end > from && text.charCodeAt(end - 1) === 13) end--;
    this.lineNo++;
    this.payload.discard();
    const line = from === 0 && end === text.length ? text : text.slice(from, end);
    try {
      this.parseLine(line);
    } catch (err) {
      if (!(err instanceof LineMismatch)) throw err;
      this.bad(line, err.message);
    }
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
    const i = this.count;
    if (Number.isNaN(this.baseTime)) this.baseTime = this.rebaseTime ? timeNs : 0;
    this.cols.time[i] = timeNs - this.baseTime;
    this.cols.pid[i] = pid;
    this.payload.commit(i);
    if (name !== undefined && !isUnknownName(name)) {
      this.names ??= new Map();
      if (this.names.get(pid) !== name) this.names.set(pid, name);
    }
    this.count = i + 1;
    if (this.count === this.batchSize) this.flush();
  }

  /** Reserve `len` payload bytes for the current row; returns a view to fill. */
  protected stage(len: number): Uint8Array {
    return this.payload.stage(len);
  }

  /**
   * Parse `ACTION RWBS trailer` at the cursor into row `this.count`: action,
   * sector, bytes, error and payload. `device` is the row's device (the
   * remap target for A lines). Returns the bracketed command name, if any.
   */
  protected parseBody(device: number): string | undefined {
    const cur = this.cur;
    const c = this.cols;
    const i = this.count;
    const letter = cur.word();
    c.device[i] = device;
    c.sector[i] = 0;
    c.bytes[i] = 0;
    c.error[i] = 0;
    if (letter === "m") {
      cur.word(); // "N"
      c.action[i] = MESSAGE_ACTION;
      const text = Buffer.from(cur.rest(), "utf8");
      this.stage(Math.min(text.length, 0xffff)).set(text.subarray(0, 0xffff));
      return undefined;
    }
    const code = actionCode(letter);
    if (code < 0) cur.fail("an action letter (Q M F G S R D C P U UT I X B A)");
    const flags = cur.word();
    const cats = categoryBits(flags);
    if (cats === -1) cur.fail("RWBS flags such as R, WS, FWFSM or N");
    let pc = 0;
    let name: string | undefined;
    switch (code) {
      case Act.COMPLETE:
      case Act.REQUEUE:
        pc = this.withError(c, i);
        break;
      case Act.PLUG:
        name = cur.bracket("[command]");
        break;
      case Act.UNPLUG_IO:
      case Act.UNPLUG_TIMER: {
        name = cur.bracket("[command] depth");
        writeU64(this.stage(8), 0, cur.uint("an unplug depth"));
        break;
      }
      case Act.REMAP:
        this.remap(c, i, device);
        break;
      case Act.SPLIT: {
        c.sector[i] = cur.uint("a sector number");
        cur.spaces();
        cur.expect("/", "SECTOR / NEW_SECTOR [command]");
        const to = cur.uint("the new sector of a split");
        writeU64(this.stage(8), 0, to);
        const sectors = to - (c.sector[i] as number);
        c.bytes[i] = sectors > 0 && sectors <= 0x7fffff ? sectors * 512 : 0;
        name = cur.bracket("[command]");
        break;
      }
      default:
        name = this.generic(c, i, code);
        pc = this.pc;
        break;
    }
    if (!cur.atEnd()) cur.fail("the end of the line after the trailer");
    c.action[i] = rawAction(code, cats, pc);
    return name;
  }

  /** C and R: `SECTOR + N [error]`, `SECTOR [error]`, or PC `(pdu) [error]` / `[error]`. */
  private withError(c: MutableColumns, i: number): number {
    const cur = this.cur;
    cur.spaces();
    let pc = 0;
    const ch = cur.peek();
    if (ch === 40 || ch === 91) {
      pc = Cat.PC;
      if (ch === 40) this.pdu();
    } else {
      c.sector[i] = cur.uint("a sector number");
      cur.spaces();
      if (cur.accept("+")) c.bytes[i] = cur.uint("a sector count", 0x7fffff) * 512;
    }
    cur.spaces();
    cur.expect("[", "[error]");
    c.error[i] = cur.int("an error number in brackets", -2147483648, 2147483647);
    cur.expect("]", "[error]");
    return pc;
  }

  /**
   * Q G M F S D I B: `SECTOR + N [command]`, `[command]`, or PC `BYTES (pdu) [command]`.
   * Returns the command; sets `this.pc` to Cat.PC for the PC form.
   */
  private generic(c: MutableColumns, i: number, code: number): string {
    const cur = this.cur;
    this.pc = 0;
    cur.spaces();
    if (cur.peek() === 91) return cur.bracket("[command]");
    const first = cur.uint("a sector number or [command]");
    cur.spaces();
    if (cur.accept("+")) {
      c.sector[i] = first;
      c.bytes[i] = cur.uint("a sector count", 0x7fffff) * 512;
      return cur.bracket("[command]");
    }
    const pcAllowed = code === Act.ISSUE || code === Act.INSERT || code === Act.QUEUE || code === Act.BOUNCE;
    if (!pcAllowed || first > 0xffffffff) cur.fail("SECTOR + COUNT [command]");
    c.bytes[i] = first;
    if (cur.peek() === 40) this.pdu();
    this.pc = Cat.PC;
    return cur.bracket("[command]");
  }

  /** A: `SECTOR + N <- (MAJ,MIN) FROM_SECTOR`; payload = blk_io_trace_remap (big-endian). */
  private remap(c: MutableColumns, i: number, device: number): void {
    const cur = this.cur;
    c.sector[i] = cur.uint("a sector number");
    cur.spaces();
    cur.expect("+", "SECTOR + COUNT <- (MAJ,MIN) SECTOR");
    c.bytes[i] = cur.uint("a sector count", 0x7fffff) * 512;
    cur.spaces();
    if (!cur.accept("<-")) cur.fail("<- (MAJ,MIN) SECTOR after a remap");
    cur.spaces();
    cur.expect("(", "(MAJ,MIN)");
    const maj = cur.uint("a major number", 0xfff);
    cur.expect(",", "(MAJ,MIN)");
    const min = cur.uint("a minor number", 0xfffff);
    cur.expect(")", "(MAJ,MIN)");
    const from = cur.uint("the original sector of a remap");
    const pdu = this.stage(16);
    writeU32(pdu, 0, ((maj << 20) | min) >>> 0);
    writeU32(pdu, 4, device);
    writeU64(pdu, 8, from);
  }

  /** `(hex hex .. )` as blkparse's dump_pdu prints it; " .." (zeros follow) is dropped. */
  private pdu(): void {
    const cur = this.cur;
    cur.expect("(", "(pdu bytes)");
    const close = cur.s.indexOf(")", cur.p);
    if (close < 0) cur.fail("(pdu bytes)");
    const parts = cur.s.slice(cur.p, close).split(" ");
    const bytes: number[] = [];
    for (const part of parts) {
      if (part === "" || part === "..") continue;
      if (!/^[0-9a-f]{2}$/.test(part)) cur.fail("hex bytes in (pdu)");
      bytes.push(Number.parseInt(part, 16));
    }
    this.stage(bytes.length).set(bytes);
    cur.p = close + 1;
  }

  /** Seal the rows so far into a batch (no-op when empty). */
  protected flush(): void {
    if (this.count === 0) return;
    const extra: Parameters<typeof sealBatch>[2] = {};
    const payload = this.payload.columns(this.count);
    if (payload) extra.payload = payload;
    if (this.names) extra.names = this.names;
    this.out.push(sealBatch(this.cols, this.count, extra));
    this.cols = allocColumns(this.batchSize);
    this.count = 0;
    this.payload.reset();
    this.names = undefined;
  }
}

/**
 * Category bits of an RWBS string as the kernel sets them: like
 * `categoryOf`, plus READ for a request that is neither write nor discard
 * (the kernel marks every non-write op READ, even with no data) and WRITE
 * for a discard (a discard is a write op). -1 when not a valid RWBS.
 */
function categoryBits(flags: string): number {
  let i = 0;
  let bits = 0;
  if (flags.charCodeAt(0) === 70 && flags.length > 1 && "DWRN".includes(flags[1] ?? "")) {
    bits |= Cat.FLUSH;
    i = 1;
  }
  const kind = flags[i++];
  if (kind === "D") bits |= Cat.DISCARD | Cat.WRITE;
  else if (kind === "W") bits |= Cat.WRITE;
  else if (kind === "R" || kind === "N") bits |= Cat.READ;
  else return -1;
  for (; i < flags.length; i++) {
    const ch = flags[i];
    if (ch === "F") bits |= Cat.FUA;
    else if (ch === "A") bits |= Cat.AHEAD;
    else if (ch === "S") bits |= Cat.SYNC;
    else if (ch === "M") bits |= Cat.META;
    else return -1;
  }
  return bits >>> 0;
}

/** Write a u32 big-endian at `at`. */
function writeU32(into: Uint8Array, at: number, value: number): void {
  into[at] = value >>> 24;
  into[at + 1] = (value >>> 16) & 0xff;
  into[at + 2] = (value >>> 8) & 0xff;
  into[at + 3] = value & 0xff;
}

/** Write an integer (< 2^53) as a big-endian u64 at `at`. */
function writeU64(into: Uint8Array, at: number, value: number): void {
  writeU32(into, at, Math.floor(value / 4294967296) >>> 0);
  writeU32(into, at + 4, value >>> 0);
}
