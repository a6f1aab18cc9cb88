import { Act, Cat } from "../model/actions.js";
import { registerDatasetDevice } from "../model/datasetDevice.js";
import { grown } from "../model/grown.js";
import { plainAction } from "./blkTrailer.js";
import { ByteFields } from "./byteFields.js";
import { type TextDecoderOptions, TextLineDecoder } from "./textLineDecoder.js";

/** D (issue) and C (complete) raw actions of a read and a write, as a blk trace holds them. */
export const ISSUE_READ = plainAction(Act.ISSUE, "R");
export const ISSUE_WRITE = plainAction(Act.ISSUE, "W");

/** The C action of a D action with the same RWBS bits. */
function completionOf(issue: number): number {
  return ((issue & ~(0xffff | Cat.ISSUE)) | Act.COMPLETE | Cat.COMPLETE) >>> 0;
}

const keepAll = (): boolean => true;

/** What a dataset line starts with: a timestamp or an unsigned id (see DatasetDecoder.openRow). */
type Lead = "time" | "id";

/**
 * Base of the public-dataset decoders (MSR Cambridge, Alibaba, Tencent,
 * bcc biosnoop). Each record of those files is one request issued to a
 * device, so it becomes a `D` event of its direction; when the format also
 * gives the request's latency (MSR ResponseTime, biosnoop LAT), the
 * completion becomes a `C` event at issue + latency on the same device and
 * sectors.
 *
 * Why a D + C pair rather than a latency column: every consumer already
 * understands D → C (requestLifecycle pairs them for `latency` and
 * `--latency`, `cat` prints them, the store's raw_events and the SQL see
 * them), so no column, batch field or operator changes, and analysis that
 * counts D events never sees the C (the decoder drops it early under the
 * selection filter, as for blk traces).
 *
 * Completions are held in a small typed-array min-heap and committed when
 * the file's time passes them, so a file in time order yields events in
 * time order (no re-sorting) and records with equal times keep file order.
 * Lines are decoded from their bytes ({@link parseRow}); nothing is
 * allocated per record.
 *
 * @example
 * class MyDataset extends DatasetDecoder { protected parseRow(buf, from, to) { ... return true; } }
 */
export abstract class DatasetDecoder extends TextLineDecoder {
  protected override rebaseTime = false;
  protected readonly f = new ByteFields();
  /** Fields of the last parsed row (set by {@link parseRow}). */
  protected rowTime = 0;
  /** Issue → completion, ns; NaN when the format has no latency. */
  protected rowLatency = Number.NaN;
  protected rowDevice = 0;
  protected rowSector = 0;
  protected rowBytes = 0;
  /** The record's D action (ISSUE_READ, ISSUE_WRITE, or plainAction(Act.ISSUE, rwbs)). */
  protected rowIssue = ISSUE_READ;
  protected rowPid = 0;
  /** What the line should have been, when {@link parseRow} rejected it. */
  protected problem: string | undefined;
  private readonly keepRow: (action: number, bytes: number) => boolean;
  /** Devices of this file's volumes by the decoder's volume key (numeric id, or 32-bit name hash). */
  private readonly devices = new Map<number, number>();
  private parsedLine = -1;
  private parsedOk = false;
  private sequence = 0;
  // Pending completions: a binary min-heap on (time, order) in typed arrays.
  private heapSize = 0;
  private hTime = new Float64Array(256);
  private hOrder = new Float64Array(256);
  private hSector = new Float64Array(256);
  private hBytes = new Uint32Array(256);
  private hAction = new Uint32Array(256);
  private hDevice = new Uint32Array(256);
  private hPid = new Uint32Array(256);
  private order = 0;

  /**
   * @param completes the format gives latencies, so each record is a D and a C event (MSR, biosnoop).
   */
  constructor(options: TextDecoderOptions = {}, completes = false) {
    const keep = options.keep ?? keepAll;
    // The line filter keeps a record when its D (or, with completions, its C) is wanted; the byte path is
    // always on. keep is asked once per event a line stands for, so a counting keep counts events exactly.
    super({ ...options, keep: completes ? (a, b) => keep(a, b) || keep(completionOf(a), b) : keep });
    this.keepRow = keep;
  }

  /**
   * Decode the line at bytes [from, to) into the row fields; true for an
   * event, false for a line without one (blank, header) or, with
   * {@link problem} set, a line that is not what the format allows.
   */
  protected abstract parseRow(buf: Uint8Array, from: number, to: number): boolean;

  private baseHi = Number.NaN;
  private baseLo = 0;

  /**
   * A timestamp read as `hi * 1e9 + lo` units (ByteFields.bigUint) to ns since
   * the file's first record, exactly: the first call sets the origin.
   */
  protected sinceFirst(hi: number, lo: number, nsPerUnit: number): number {
    if (Number.isNaN(this.baseHi)) {
      this.baseHi = hi;
      this.baseLo = lo;
    }
    return ((hi - this.baseHi) * 1e9 + (lo - this.baseLo)) * nsPerUnit;
  }

  /** Reject the line: it should have been `row`. */
  protected reject(row: string): boolean {
    this.problem = row;
    return false;
  }

  /**
   * Open the line at bytes [from, to) up to its first comma. Its leading field is a timestamp (`lead` "time": 0 is
   * returned, the parts are in f.hi and f.lo) or an unsigned id ("id": returned). -1 for a line without an event:
   * blank, the column `header` (skipped), or not a `row` ({@link problem} set).
   */
  protected openRow(buf: Uint8Array, from: number, to: number, lead: Lead, header: string, row: string): number {
    const f = this.f;
    f.reset(buf, from, to);
    if (f.atEnd()) return -1;
    const value = lead === "time" ? (f.bigUint() ? 0 : -1) : f.uint();
    // A number and its comma; or no number and the header, which is skipped (-1 without a problem).
    if (value >= 0 ? f.comma() : f.restIs(header)) return value;
    this.problem = row;
    return -1;
  }

  /** The device of the volume with this key, or -1 when the file has not shown it yet. */
  protected knownDevice(key: number): number {
    return this.devices.get(key) ?? -1;
  }

  /**
   * A volume seen for the first time: register its display name with its
   * computed device (datasetDevice rules) and return the device it gets.
   */
  protected newDevice(key: number, computed: number, name: string): number {
    const device = registerDatasetDevice(computed, name);
    this.devices.set(key, device);
    return device;
  }

  protected override quickAction(buf: Uint8Array, from: number, to: number): number {
    this.problem = undefined;
    this.parsedOk = this.parseRow(buf, from, to);
    this.parsedLine = this.lineNo;
    if (!this.parsedOk) return -1;
    return this.rowIssue;
  }

  protected override quickLine(_buf: Uint8Array, _from: number, _to: number): boolean {
    // quickAction parsed this very line (lineNo was advanced in between).
    if (!this.parsedOk || this.parsedLine !== this.lineNo - 1) return false;
    this.commitRow();
    return true;
  }

  protected parseLine(line: string): void {
    const bytes = Buffer.from(line, "utf8");
    this.problem = undefined;
    if (this.parseRow(bytes, 0, bytes.length)) this.commitRow();
    else if (this.problem !== undefined) this.cur.fail(this.problem);
  }

  protected override beforeEnd(): void {
    this.releaseUpTo(Number.POSITIVE_INFINITY);
  }

  /** Commit the parsed row as a D (and queue its C): completions due by its time go first. */
  private commitRow(): void {
    const t = this.rowTime;
    this.releaseUpTo(t);
    const issue = this.rowIssue;
    if (this.keepRow(issue, this.rowBytes)) {
      this.put(t, this.rowSector, this.rowBytes, issue, this.rowDevice, this.rowPid, this.commitName());
    }
    const lat = this.rowLatency;
    if (!Number.isNaN(lat)) {
      const done = completionOf(issue);
      if (this.keepRow(done, this.rowBytes)) this.queueCompletion(t + lat, this.rowSector, this.rowBytes, done);
    }
  }

  /** The command name of the parsed row's pid, for formats that have one. */
  protected commitName(): string | undefined {
    return undefined;
  }

  private put(
    t: number,
    sector: number,
    bytes: number,
    action: number,
    device: number,
    pid: number,
    name?: string,
  ): void {
    const c = this.cols;
    const i = this.count;
    c.sector[i] = sector;
    c.bytes[i] = bytes;
    c.action[i] = action;
    c.device[i] = device;
    c.cpu[i] = 0;
    c.sequence[i] = this.sequence;
    this.sequence = (this.sequence + 1) >>> 0;
    c.error[i] = 0;
    this.commit(t, pid, name);
  }

  /** Queue a completion (grows the heap by doubling; amortised, not per record). */
  private queueCompletion(t: number, sector: number, bytes: number, action: number): void {
    if (this.heapSize === this.hTime.length) this.growHeap();
    let i = this.heapSize++;
    const order = this.order++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(t, order, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.hTime[i] = t;
    this.hOrder[i] = order;
    this.hSector[i] = sector;
    this.hBytes[i] = bytes;
    this.hAction[i] = action;
    this.hDevice[i] = this.rowDevice;
    this.hPid[i] = this.rowPid;
  }

  /** Commit every queued completion with time ≤ `t`, earliest first. */
  private releaseUpTo(t: number): void {
    while (this.heapSize > 0 && (this.hTime[0] as number) <= t) {
      this.put(
        this.hTime[0] as number,
        this.hSector[0] as number,
        this.hBytes[0] as number,
        this.hAction[0] as number,
        this.hDevice[0] as number,
        this.hPid[0] as number,
      );
      this.popTop();
    }
  }

  private popTop(): void {
    const last = --this.heapSize;
    if (last === 0) return;
    const t = this.hTime[last] as number;
    const order = this.hOrder[last] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.lessAt(child + 1, child)) child++;
      if (!this.before(this.hTime[child] as number, this.hOrder[child] as number, -1, t, order)) break;
      this.move(child, i);
      i = child;
    }
    this.move(last, i);
  }

  /** (t, order) sorts before heap slot `slot` (or before (t2, order2) when slot is -1). */
  private before(t: number, order: number, slot: number, t2 = 0, order2 = 0): boolean {
    const ot = slot >= 0 ? (this.hTime[slot] as number) : t2;
    const oo = slot >= 0 ? (this.hOrder[slot] as number) : order2;
    return t < ot || (t === ot && order < oo);
  }

  private lessAt(a: number, b: number): boolean {
    return this.before(this.hTime[a] as number, this.hOrder[a] as number, b);
  }

  private move(from: number, to: number): void {
    this.hTime[to] = this.hTime[from] as number;
    this.hOrder[to] = this.hOrder[from] as number;
    this.hSector[to] = this.hSector[from] as number;
    this.hBytes[to] = this.hBytes[from] as number;
    this.hAction[to] = this.hAction[from] as number;
    this.hDevice[to] = this.hDevice[from] as number;
    this.hPid[to] = this.hPid[from] as number;
  }

  private growHeap(): void {
    const cap = this.hTime.length * 2;
    this.hTime = grown(this.hTime, cap);
    this.hOrder = grown(this.hOrder, cap);
    this.hSector = grown(this.hSector, cap);
    this.hBytes = grown(this.hBytes, cap);
    this.hAction = grown(this.hAction, cap);
    this.hDevice = grown(this.hDevice, cap);
    this.hPid = grown(this.hPid, cap);
  }
}
