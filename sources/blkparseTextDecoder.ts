import { Act, actionCode, makeDevice } from "../model/actions.js";
import { plainAction } from "./blkTrailer.js";
import { newQuickRow, type QuickRow, quickBlkparseRow } from "./quickBlkparseRow.js";
import { NOT_FIXED, quickBlkparseColumns, quickBlkparseScan } from "./quickHeader.js";
import { TextLineDecoder } from "./textLineDecoder.js";

export type { TextDecoderOptions } from "./textLineDecoder.js";

/** Lines that start blkparse's closing statistics; from the first one on, nothing is an event. */
const STATS_START = /^(?:CPU\d+ \(|Total \(|Throughput \(|Events \(|Skips: | Reads Queued:)/;

const EVENT_LINE =
  "a blkparse event line (MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS ...) or blkparse's closing statistics";

/**
 * Incremental decoder of blkparse's default text output
 * (`%D %2c %8s %5T.%9t %5p %2a %3d <trailer>`, e.g.
 * `  7,0    0        0     0.000038413 22732  Q  RS 280576 + 128 [(null)]`).
 * Rebuilds the raw action u32 (code, RWBS category bits and the bits the
 * kernel adds per action), payloads of A/U/UT/X lines as blktrace writes
 * them, and `[comm]` names. Stops at the statistics blkparse prints at the
 * end; blank lines and `Input file ... added` lines are ignored.
 *
 * @example
 * const dec = new BlkparseTextDecoder({ file: "trace.txt" });
 * const batches = [...dec.push(bytes), ...dec.end()];
 */
export class BlkparseTextDecoder extends TextLineDecoder {
  private inStats = false;
  /** The line quickAction last looked at had the fixed header columns. */
  private fixed = false;
  private readonly row: QuickRow = newQuickRow();
  /** Raw action (or -1: not a `SECTOR + COUNT` action, bad RWBS) by RWBS key × 128 + letter. */
  private readonly quickActions = new Map<number, number>();
  private lastNameBytes = new Uint8Array(0);
  private lastName = "";

  /** The action of an event line from its bytes: fixed columns first, else field by field; -1 when not that shape. */
  protected override quickAction(buf: Uint8Array, from: number, to: number): number {
    if (this.inStats) return -1;
    const fixed = quickBlkparseColumns(buf, from, to);
    this.fixed = fixed !== NOT_FIXED;
    return this.fixed ? fixed : quickBlkparseScan(buf, from, to);
  }

  /** A kept fixed-column `SECTOR + COUNT [TEXT]` line, decoded from its bytes (see quickBlkparseRow). */
  protected override quickLine(buf: Uint8Array, from: number, to: number): boolean {
    const row = this.row;
    if (!this.fixed || !quickBlkparseRow(buf, from, to, row)) return false;
    const key = row.rwbsKey * 128 + row.letter;
    let action = this.quickActions.get(key);
    if (action === undefined) {
      action = sectorCountAction(row);
      this.quickActions.set(key, action);
    }
    if (action < 0) return false;
    const code = action & 0xffff;
    const c = this.cols;
    const i = this.count;
    let name: string | undefined;
    if (code === Act.COMPLETE || code === Act.REQUEUE) {
      const error = bracketedInt(buf, row.textFrom, row.textTo);
      if (error === undefined) return false;
      c.error[i] = error;
    } else {
      c.error[i] = 0;
      name = this.nameOf(buf, row.textFrom, row.textTo);
    }
    c.action[i] = action;
    c.device[i] = makeDevice(row.major, row.minor);
    c.cpu[i] = row.cpu;
    c.sequence[i] = row.sequence;
    c.sector[i] = row.sector;
    c.bytes[i] = row.count * 512;
    this.commit(row.timeNs, row.pid, name);
    return true;
  }

  /** The command name in [from, to) as a string; the previous one is reused when the bytes repeat. */
  private nameOf(buf: Uint8Array, from: number, to: number): string {
    const last = this.lastNameBytes;
    const n = to - from;
    if (n === last.length) {
      let k = 0;
      while (k < n && buf[from + k] === last[k]) k++;
      if (k === n) return this.lastName;
    }
    // A copy: `buf` may be a Buffer (whose slice is a view) over the reader's reused chunk.
    this.lastNameBytes = Uint8Array.prototype.slice.call(buf, from, to);
    this.lastName = Buffer.from(buf.buffer, buf.byteOffset + from, n).toString("utf8");
    return this.lastName;
  }

  protected parseLine(line: string): void {
    if (this.inStats) return;
    const cur = this.cur;
    cur.reset(line);
    cur.spaces();
    const first = cur.peek();
    if (!(first >= 48 && first <= 57)) {
      if (cur.p >= line.length || line.startsWith("Input file ")) return;
      if (STATS_START.test(line)) {
        this.inStats = true;
        return;
      }
      cur.fail(EVENT_LINE);
    }
    const maj = cur.uint(EVENT_LINE, 0xfff);
    cur.expect(",", EVENT_LINE);
    const min = cur.uint(EVENT_LINE, 0xfffff);
    const i = this.count;
    this.cols.cpu[i] = cur.uint("a CPU number", 0xffffffff);
    this.cols.sequence[i] = cur.int("a sequence number", -2147483648, 0xffffffff) >>> 0;
    const time = cur.timeNs("a time SEC.NSEC");
    const pid = cur.uint("a pid", 0xffffffff);
    const name = this.parseBody(makeDevice(maj, min));
    this.commit(time, pid, name);
  }
}

/** Actions whose plain trailer is `SECTOR + COUNT [command]` (Q M F G S D I B) or `[error]` (C R). */
const SECTOR_COUNT_ACTIONS = new Set<number>([
  Act.QUEUE,
  Act.BACKMERGE,
  Act.FRONTMERGE,
  Act.GETRQ,
  Act.SLEEPRQ,
  Act.ISSUE,
  Act.INSERT,
  Act.BOUNCE,
  Act.COMPLETE,
  Act.REQUEUE,
]);

/** The raw action of a quick row, or -1 when its letter or RWBS needs the full parser. */
function sectorCountAction(row: QuickRow): number {
  const code = actionCode(String.fromCharCode(row.letter));
  if (!SECTOR_COUNT_ACTIONS.has(code)) return -1;
  let flags = "";
  for (let k = row.rwbsKey; k > 0; k = Math.floor(k / 256)) flags += String.fromCharCode(k % 256);
  return plainAction(code, flags);
}

/** The integer in [from, to) (`-` then 1–10 digits, within int32), or undefined. */
function bracketedInt(buf: Uint8Array, from: number, to: number): number | undefined {
  const negative = buf[from] === 45;
  let p = negative ? from + 1 : from;
  if (p === to || to - p > 10) return undefined;
  let v = 0;
  for (; p < to; p++) {
    const d = (buf[p] as number) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  if (v > (negative ? 2147483648 : 2147483647)) return undefined;
  return negative ? -v : v;
}
