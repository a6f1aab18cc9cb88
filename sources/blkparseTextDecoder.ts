import { makeDevice } from "../model/actions.js";
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

  /** The action of an event line from its bytes: fixed columns first, else field by field; -1 when not that shape. */
  protected override quickAction(buf: Uint8Array, from: number, to: number): number {
    if (this.inStats) return -1;
    const fixed = quickBlkparseColumns(buf, from, to);
    return fixed !== NOT_FIXED ? fixed : quickBlkparseScan(buf, from, to);
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
