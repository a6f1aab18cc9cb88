import { Act, actionCode, Cat, categoryOf, MESSAGE_ACTION } from "../model/actions.js";
import type { BatchBuilder } from "../model/batchBuilder.js";
import type { LineCursor } from "./lineCursor.js";

/**
 * The `ACTION RWBS trailer` part every blk text format shares (blkparse,
 * ftrace `blk` tracer), e.g. `D  RS 280576 + 128 [dd]`: the grammar of each
 * action's trailer, the raw action u32 the kernel would have written, and
 * payloads (remap target, unplug depth, split sector, message text, PC pdu)
 * laid out as blktrace writes them.
 */

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

/** Actions traced on a request (they carry FS or PC). */
function isRequestAction(code: number): boolean {
  return code === Act.INSERT || code === Act.ISSUE || code === Act.COMPLETE || code === Act.REQUEUE;
}

/**
 * Category bits of an RWBS string as the kernel sets them: the model's
 * `categoryOf`, plus READ for a request that is neither write nor discard
 * (the kernel marks every non-write op READ, even with no data) and WRITE
 * for a discard (a discard is a write op). -1 when not a valid RWBS.
 */
function kernelCategoryBits(flags: string): number {
  const bits = categoryOf(flags);
  if (bits === -1) return -1;
  if ((bits & Cat.DISCARD) !== 0) return (bits | Cat.WRITE) >>> 0;
  if ((bits & Cat.WRITE) === 0) return (bits | Cat.READ) >>> 0;
  return bits;
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
 * plain (not PC) form, as {@link BlkTrailer.parse} builds it. -1 for invalid flags.
 *
 * @example plainAction(Act.ISSUE, "RS") // Act.ISSUE | Cat.READ | Cat.SYNC | Cat.ISSUE | Cat.FS
 */
export function plainAction(code: number, flags: string): number {
  const cats = kernelCategoryBits(flags);
  return cats === -1 ? -1 : rawAction(code, cats, 0);
}

/**
 * Parser of the trailer at a line cursor into the next row of a batch
 * builder: action, sector, bytes, error and payload (time, pid, cpu and
 * sequence are the caller's). A mismatch throws through `cur.fail`.
 *
 * @example
 * const trailer = new BlkTrailer(cur, rows);
 * cur.reset("D RS 2048 + 8 [dd]"); trailer.parse(makeDevice(8, 0)); // "dd"
 */
export class BlkTrailer {
  constructor(
    private readonly cur: LineCursor,
    private readonly rows: BatchBuilder,
  ) {}

  /**
   * Parse `ACTION RWBS trailer` at the cursor into the row being built.
   * `device` is the row's device (the remap target for A lines). Returns the
   * bracketed command name, if any.
   */
  parse(device: number): string | undefined {
    const cur = this.cur;
    const c = this.rows.cols;
    const i = this.rows.length;
    const letter = cur.word();
    c.device[i] = device;
    c.sector[i] = 0;
    c.bytes[i] = 0;
    c.error[i] = 0;
    if (letter === "m") {
      cur.word(); // "N"
      c.action[i] = MESSAGE_ACTION;
      const text = Buffer.from(cur.rest(), "utf8");
      this.rows.stage(Math.min(text.length, 0xffff)).set(text.subarray(0, 0xffff));
      return undefined;
    }
    const code = actionCode(letter);
    if (code < 0) cur.fail("an action letter (Q M F G S R D C P U UT I X B A)");
    const cats = kernelCategoryBits(cur.word());
    if (cats === -1) cur.fail("RWBS flags such as R, WS, FWFSM or N");
    let pc = 0;
    let name: string | undefined;
    switch (code) {
      case Act.COMPLETE:
      case Act.REQUEUE:
        pc = this.withError(i);
        break;
      case Act.PLUG:
        name = cur.bracket("[command]");
        break;
      case Act.UNPLUG_IO:
      case Act.UNPLUG_TIMER:
        name = cur.bracket("[command] depth");
        writeU64(this.rows.stage(8), 0, cur.uint("an unplug depth"));
        break;
      case Act.REMAP:
        this.remap(i, device);
        break;
      case Act.SPLIT:
        name = this.split(i);
        break;
      default:
        if (this.generic(i, code)) pc = Cat.PC;
        name = cur.bracket("[command]");
        break;
    }
    if (!cur.atEnd()) cur.fail("the end of the line after the trailer");
    c.action[i] = rawAction(code, cats, pc);
    return name;
  }

  /** C and R: `SECTOR + N [error]`, `SECTOR [error]`, or PC `(pdu) [error]` / `[error]`; returns the PC bit. */
  private withError(i: number): number {
    const cur = this.cur;
    const c = this.rows.cols;
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
   * Q G M F S D I B up to their `[command]`: `SECTOR + N`, nothing, or the
   * PC form `BYTES (pdu)`. True for the PC form.
   */
  private generic(i: number, code: number): boolean {
    const cur = this.cur;
    const c = this.rows.cols;
    cur.spaces();
    if (cur.peek() === 91) return false;
    const first = cur.uint("a sector number or [command]");
    cur.spaces();
    if (cur.accept("+")) {
      c.sector[i] = first;
      c.bytes[i] = cur.uint("a sector count", 0x7fffff) * 512;
      return false;
    }
    const pcAllowed = code === Act.ISSUE || code === Act.INSERT || code === Act.QUEUE || code === Act.BOUNCE;
    if (!pcAllowed || first > 0xffffffff) cur.fail("SECTOR + COUNT [command]");
    c.bytes[i] = first;
    if (cur.peek() === 40) this.pdu();
    return true;
  }

  /** X: `SECTOR / NEW_SECTOR [command]`; payload = the new sector (big-endian u64). Returns the command. */
  private split(i: number): string {
    const cur = this.cur;
    const c = this.rows.cols;
    const sector = cur.uint("a sector number");
    c.sector[i] = sector;
    cur.spaces();
    cur.expect("/", "SECTOR / NEW_SECTOR [command]");
    const to = cur.uint("the new sector of a split");
    writeU64(this.rows.stage(8), 0, to);
    const sectors = to - sector;
    c.bytes[i] = sectors > 0 && sectors <= 0x7fffff ? sectors * 512 : 0;
    return cur.bracket("[command]");
  }

  /** A: `SECTOR + N <- (MAJ,MIN) FROM_SECTOR`; payload = blk_io_trace_remap (big-endian). */
  private remap(i: number, device: number): void {
    const cur = this.cur;
    const c = this.rows.cols;
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
    const pdu = this.rows.stage(16);
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
    this.rows.stage(bytes.length).set(bytes);
    cur.p = close + 1;
  }
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
