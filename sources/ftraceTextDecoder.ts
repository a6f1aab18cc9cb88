import { makeDevice } from "../model/actions.js";
import { TextLineDecoder } from "./textLineDecoder.js";

const CLASSIC_LINE = "a blk_classic line (MAJ,MIN CPU SEC.NSEC PID ACTION RWBS ...)";
const DEFAULT_LINE = "an ftrace blk line (COMM-PID [CPU] FLAGS SEC.USEC: MAJ,MIN ACTION RWBS ...)";

/** `CPU:N [LOST N EVENTS]` as the trace file reports ring-buffer overruns. */
const LOST = /^CPU:\s*\d+ \[LOST (\d+) EVENTS\]\s*$/;

/**
 * Incremental decoder of the kernel ftrace `blk` tracer's text (the `trace`
 * or `trace_pipe` file), in both forms:
 * - `blk_classic`: `  7,0    1  1133.293972123 23049  Q  RM 27496 + 8 [python3]`
 *   (the blkparse header without the sequence column);
 * - default: `python3-23096   [001] d..1.  1136.054350:   7,0    Q  RM 27496 + 8 [python3]`
 *   (comm-pid, [cpu], optional irq flags, time in µs, then device, action,
 *   RWBS and trailer).
 * `#` header lines and blank lines are skipped; `CPU:N [LOST N EVENTS]` lines
 * add to {@link FtraceTextDecoder.dropped}. Sequence numbers are 0 (ftrace has none).
 *
 * @example
 * const dec = new FtraceTextDecoder({ file: "trace" });
 * const batches = [...dec.push(bytes), ...dec.end()];
 * console.log(dec.dropped); // events the kernel reported lost
 */
export class FtraceTextDecoder extends TextLineDecoder {
  /** Events the kernel reported lost (`CPU:N [LOST N EVENTS]`). */
  dropped = 0;

  protected parseLine(line: string): void {
    const cur = this.cur;
    cur.reset(line);
    cur.spaces();
    const first = cur.peek();
    if (cur.p >= line.length || first === 35 /* # */) return;
    if (first >= 48 && first <= 57) {
      this.classic();
      return;
    }
    if (line.startsWith("CPU:", cur.p)) {
      const lost = LOST.exec(line.slice(cur.p));
      if (lost === null) cur.fail("CPU:N [LOST N EVENTS]");
      else this.dropped += Number(lost[1]);
      return;
    }
    this.defaultForm(line);
  }

  private classic(): void {
    const cur = this.cur;
    const maj = cur.uint(CLASSIC_LINE, 0xfff);
    cur.expect(",", CLASSIC_LINE);
    const min = cur.uint(CLASSIC_LINE, 0xfffff);
    const i = this.count;
    this.cols.cpu[i] = cur.uint("a CPU number", 0xffffffff);
    this.cols.sequence[i] = 0;
    const time = cur.timeNs("a time SEC.NSEC");
    const pid = cur.uint("a pid", 0xffffffff);
    const name = this.parseBody(makeDevice(maj, min));
    this.commit(time, pid, name);
  }

  private defaultForm(line: string): void {
    const cur = this.cur;
    // The comm may hold '-' and spaces: the pid is after the last '-' before " [CPU]"
    // (and before an optional "(TGID)" column, options/record-tgid).
    const open = findCpuField(line, cur.p);
    if (open < 0) cur.fail(DEFAULT_LINE);
    let end = lastNonSpace(line, cur.p, open - 1);
    if (line.charCodeAt(end) === 41) {
      const lp = line.lastIndexOf("(", end);
      if (lp < cur.p) cur.fail(DEFAULT_LINE);
      end = lastNonSpace(line, cur.p, lp - 1);
    }
    const dash = line.lastIndexOf("-", end);
    if (dash < cur.p) cur.fail(DEFAULT_LINE);
    const comm = line.slice(cur.p, dash);
    cur.p = dash + 1;
    const pid = cur.uint("a pid after COMM-", 0xffffffff);
    if (cur.p !== end + 1) cur.fail(DEFAULT_LINE);
    cur.p = open + 1;
    const i = this.count;
    this.cols.cpu[i] = cur.uint("a CPU number in [CPU]", 0xffffffff);
    cur.expect("]", "[CPU]");
    cur.spaces();
    // Optional irq-flags column ("d..1." or "d.s1"), absent on old kernels or with irq-info off.
    const mark = cur.p;
    const flags = cur.word();
    if (!flags.endsWith(":")) {
      if (flags.length > 6) cur.fail("irq flags such as d..1.");
    } else {
      cur.p = mark;
    }
    const time = cur.timeNs("a time SEC.USEC:");
    cur.expect(":", "a ':' after the time");
    const maj = cur.uint(DEFAULT_LINE, 0xfff);
    cur.expect(",", DEFAULT_LINE);
    const min = cur.uint(DEFAULT_LINE, 0xfffff);
    this.cols.sequence[i] = 0;
    const name = this.parseBody(makeDevice(maj, min));
    this.commit(time, pid, name ?? (comm === "<...>" ? undefined : comm));
  }
}

/** Index of the last non-space character in `line[from..to]` (or `from`). */
function lastNonSpace(line: string, from: number, to: number): number {
  let p = to;
  while (p > from && line.charCodeAt(p) === 32) p--;
  return p;
}

/** Index of the `[` of the ` [NNN]` CPU field, or -1. */
function findCpuField(line: string, from: number): number {
  let at = line.indexOf(" [", from);
  while (at >= 0) {
    let p = at + 2;
    while (p < line.length && line.charCodeAt(p) >= 48 && line.charCodeAt(p) <= 57) p++;
    if (p > at + 2 && line.charCodeAt(p) === 93) return at + 1;
    at = line.indexOf(" [", at + 1);
  }
  return -1;
}
