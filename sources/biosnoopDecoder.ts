import { Act } from "../model/actions.js";
import { DATASET_MAJOR, FNV1A_START, fnv1a, hashedMinor } from "../model/datasetDevice.js";
import { plainAction } from "./blkTrailer.js";
import { DatasetDecoder } from "./datasetDecoder.js";
import type { TextDecoderOptions } from "./textLineDecoder.js";

const HEADER = "the biosnoop header TIME(s) COMM PID DISK T SECTOR BYTES LAT(ms)";
const MAJOR = DATASET_MAJOR.biosnoop << 20;
/** Columns every biosnoop header has; QUE(ms) (with -Q) and any others are read past. */
const REQUIRED = ["TIME(s)", "COMM", "PID", "DISK", "T", "SECTOR", "BYTES", "LAT(ms)"] as const;
/** Most columns a line may have (COMM may hold spaces, so a line can have more tokens than the header). */
const MAX_TOKENS = 64;

/**
 * Decoder of bcc `biosnoop` output (tools/biosnoop.py and libbpf-tools):
 * a header `TIME(s) COMM PID DISK T SECTOR BYTES [QUE(ms)] LAT(ms)`, then
 * one line per completed request, printed at completion: TIME is the
 * completion time in seconds since the first one, LAT the issue→completion
 * time in ms. Each line becomes a D event at TIME − LAT and a C event at
 * TIME on device `biosnoop:DISK`, with PID and COMM (a name with spaces is
 * allowed: the header says how many columns follow it). T is R or W (or
 * RWBS letters). Lines are in completion order, so the D events are
 * re-ordered by time downstream, like any merged stream.
 *
 * @example
 * const dec = new BiosnoopDecoder({ file: "biosnoop.txt" });
 * const text = "TIME(s)  COMM  PID  DISK  T SECTOR  BYTES  LAT(ms)\n0.000004  dd  1950  sda  R 2048  4096  0.74\n";
 * const batches = [...dec.push(Buffer.from(text)), ...dec.end()];
 */
export class BiosnoopDecoder extends DatasetDecoder {
  constructor(options: TextDecoderOptions = {}) {
    super(options, true); // every record has a latency: a D and a C event
  }

  /** Header column index of each required column; undefined until the header is read. */
  private columns: Record<(typeof REQUIRED)[number], number> | undefined;
  private headerCount = 0;
  private readonly starts = new Int32Array(MAX_TOKENS);
  private readonly ends = new Int32Array(MAX_TOKENS);
  private lastDisk = new Uint8Array(32);
  private lastDiskLength = -1;
  private lastDevice = 0;
  private readonly comms = new Map<number, { bytes: Uint8Array; name: string }>();
  private readonly flagsCache = new Map<number, number>();
  private rowName: string | undefined;
  private origin = Number.NaN;
  /** What a line looks like, for error messages (made once, from the header). */
  private rowShape = "";

  protected parseRow(buf: Uint8Array, from: number, to: number): boolean {
    const f = this.f;
    f.reset(buf, from, to);
    if (f.atEnd()) return false;
    if (!this.columns) return this.header();
    const n = this.tokenize();
    // The header again (read once per path, or repeated in concatenated logs).
    if (this.f.is(this.starts[0] as number, this.ends[0] as number, "TIME(s)")) return false;
    const cols = this.columns;
    const extra = n - this.headerCount;
    const row = this.rowShape;
    if (extra < 0 || extra >= MAX_TOKENS) return this.reject(row);
    // Columns after COMM move right by the extra tokens a command name with spaces takes.
    const time = this.number(cols["TIME(s)"], 9);
    const lat = this.number(cols["LAT(ms)"] + extra, 6);
    const pid = this.number(cols.PID + extra, 0);
    const sector = this.number(cols.SECTOR + extra, 0);
    const bytes = this.number(cols.BYTES + extra, 0);
    const issue = this.flags(cols.T + extra);
    if (time < 0 || lat < 0 || pid < 0 || pid > 0xffffffff || sector < 0 || bytes < 0 || bytes > 0xffffffff) {
      return this.reject(row);
    }
    if (issue < 0) return this.reject(`${row} (T as R, W or RWBS letters)`);
    const disk = cols.DISK + extra;
    this.rowDevice = this.device(buf, this.starts[disk] as number, this.ends[disk] as number);
    const comm = cols.COMM;
    this.rowName = this.comm(buf, pid, this.starts[comm] as number, this.ends[comm + extra] as number);
    // Time origin: the first line's issue (TIME counts from the first completion, so issues can precede it).
    if (Number.isNaN(this.origin)) this.origin = time - lat;
    this.rowTime = time - lat - this.origin;
    this.rowLatency = lat;
    this.rowSector = sector;
    this.rowBytes = bytes;
    this.rowIssue = issue;
    this.rowPid = pid;
    return true;
  }

  protected override commitName(): string | undefined {
    return this.rowName;
  }

  /** The first non-blank line must be the header (a "Tracing ..." banner before it is skipped). */
  private header(): boolean {
    const f = this.f;
    const n = this.tokenize();
    const names: string[] = [];
    for (let k = 0; k < n; k++) {
      names.push(
        Buffer.from(
          f.buf.buffer,
          f.buf.byteOffset + (this.starts[k] as number),
          (this.ends[k] as number) - (this.starts[k] as number),
        ).toString("latin1"),
      );
    }
    if (names[0] === "Tracing") return false;
    const index = (name: string) => names.indexOf(name);
    // TIME and COMM come first (every biosnoop prints them so), so only later columns shift.
    if (REQUIRED.some((name) => index(name) < 0) || index("TIME(s)") !== 0 || index("COMM") !== 1) {
      return this.reject(HEADER);
    }
    this.columns = Object.fromEntries(REQUIRED.map((name) => [name, index(name)])) as Record<
      (typeof REQUIRED)[number],
      number
    >;
    this.headerCount = n;
    this.rowShape = `a biosnoop line with the ${n} columns of its header`;
    return false;
  }

  /** Split the line into space-separated tokens (at most MAX_TOKENS); returns how many. */
  private tokenize(): number {
    const f = this.f;
    let n = 0;
    f.spaces();
    while (f.p < f.end && n < MAX_TOKENS) {
      const b = f.buf;
      const start = f.p;
      let p = start;
      while (p < f.end && b[p] !== 32 && b[p] !== 9) p++;
      this.starts[n] = start;
      this.ends[n] = p;
      n++;
      f.p = p;
      f.spaces();
    }
    return f.p < f.end ? MAX_TOKENS + 1 : n;
  }

  /** Token k as a decimal scaled by 10^scale, or -1 when it is not one. */
  private number(k: number, scale: number): number {
    const f = this.f;
    const end = f.end;
    f.p = this.starts[k] as number;
    f.end = this.ends[k] as number;
    const v = f.decimal(scale);
    const whole = f.p === f.end;
    f.end = end;
    return whole ? v : -1;
  }

  /** The D action of the T column (R, W or RWBS letters), or -1. */
  private flags(k: number): number {
    const from = this.starts[k] as number;
    const to = this.ends[k] as number;
    if (to - from > 4) return -1;
    let key = 0;
    for (let i = from; i < to; i++) key = key * 256 + (this.f.buf[i] as number);
    let action = this.flagsCache.get(key);
    if (action === undefined) {
      const text = Buffer.from(this.f.buf.buffer, this.f.buf.byteOffset + from, to - from).toString("latin1");
      action = plainAction(Act.ISSUE, text);
      this.flagsCache.set(key, action);
    }
    return action;
  }

  private device(buf: Uint8Array, from: number, to: number): number {
    const len = to - from;
    if (len === this.lastDiskLength) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (this.lastDisk[i] !== buf[from + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastDevice;
    }
    const h = fnv1a(buf, from, to, FNV1A_START);
    const known = this.knownDevice(h);
    const device =
      known >= 0
        ? known
        : this.newDevice(
            h,
            (MAJOR | hashedMinor(h)) >>> 0,
            `biosnoop:${Buffer.from(buf.buffer, buf.byteOffset + from, len).toString("utf8")}`,
          );
    if (len > this.lastDisk.length) this.lastDisk = new Uint8Array(len);
    this.lastDisk.set(buf.subarray(from, to));
    this.lastDiskLength = len;
    this.lastDevice = device;
    return device;
  }

  /** The command name of `pid` from bytes [from, to), reusing the last string made for it. */
  private comm(buf: Uint8Array, pid: number, from: number, to: number): string {
    const known = this.comms.get(pid);
    if (known && known.bytes.length === to - from) {
      let same = true;
      for (let i = 0; i < to - from; i++) {
        if (known.bytes[i] !== buf[from + i]) {
          same = false;
          break;
        }
      }
      if (same) return known.name;
    }
    const bytes = buf.slice(from, to);
    const name = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
    this.comms.set(pid, { bytes, name });
    return name;
  }
}
