import { DATASET_MAJOR, FNV1A_START, fnv1a, hashedMinor } from "../model/datasetDevice.js";
import { DatasetDecoder, ISSUE_READ, ISSUE_WRITE } from "./datasetDecoder.js";
import type { TextDecoderOptions } from "./textLineDecoder.js";

const ROW =
  "Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime (e.g. 128166372003061629,usr,0,Read,7014609920,24576,41286)";
const HEADER = "Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime";
const SLASH = Uint8Array.of(47);
const MAJOR = DATASET_MAJOR.msr << 20;

/**
 * Decoder of MSR Cambridge / SNIA IOTTA block traces: CSV lines
 * `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime` with no
 * header, times as Windows filetimes (100 ns ticks since 1601, 18 digits:
 * read exactly as two parts), `Read`/`Write`, offset and size in bytes, and
 * the response time in 100 ns ticks. Each line is a D event of its
 * direction on device `msr:HOST/DISK` and a C event ResponseTime later (see
 * DatasetDecoder). A header line with those column names is skipped.
 *
 * @example
 * const dec = new MsrDecoder({ file: "usr_0.csv" });
 * const batches = [...dec.push(Buffer.from("128166372003061629,usr,0,Read,7014609920,24576,41286\n")), ...dec.end()];
 */
export class MsrDecoder extends DatasetDecoder {
  constructor(options: TextDecoderOptions = {}) {
    super(options, true); // every record has a latency: a D and a C event
  }

  /** Last volume seen (host bytes + disk), to skip hashing on repeats. */
  private lastHost = new Uint8Array(64);
  private lastHostLength = -1;
  private lastDisk = -1;
  private lastDevice = 0;

  protected parseRow(buf: Uint8Array, from: number, to: number): boolean {
    if (this.openRow(buf, from, to, "time", HEADER, ROW) < 0) return false;
    const f = this.f;
    const hi = f.hi;
    const lo = f.lo;
    const hostFrom = f.token();
    const hostTo = f.p;
    if (hostTo === hostFrom || !f.comma()) return this.reject(ROW);
    const diskFrom = f.p;
    const disk = f.uint();
    const diskTo = f.p;
    if (disk < 0 || !f.comma()) return this.reject(ROW);
    const typeFrom = f.token();
    let write: boolean;
    if (f.is(typeFrom, f.p, "Read")) write = false;
    else if (f.is(typeFrom, f.p, "Write")) write = true;
    else return this.reject(ROW);
    if (!f.comma()) return this.reject(ROW);
    const offset = f.uint();
    if (offset < 0 || !f.comma()) return this.reject(ROW);
    const size = f.uint();
    if (size < 0 || size > 0xffffffff || !f.comma()) return this.reject(ROW);
    const response = f.uint();
    if (response < 0 || !f.atEnd()) return this.reject(ROW);
    this.rowTime = this.sinceFirst(hi, lo, 100);
    this.rowLatency = response * 100;
    this.rowSector = Math.floor(offset / 512);
    this.rowBytes = size;
    this.rowIssue = write ? ISSUE_WRITE : ISSUE_READ;
    this.rowPid = 0;
    if (disk === this.lastDisk && this.sameHost(buf, hostFrom, hostTo)) this.rowDevice = this.lastDevice;
    else {
      let h = fnv1a(buf, hostFrom, hostTo, FNV1A_START);
      h = fnv1a(SLASH, 0, 1, h);
      h = fnv1a(buf, diskFrom, diskTo, h);
      this.rememberHost(buf, hostFrom, hostTo, disk);
      const device = this.knownDevice(h);
      if (device >= 0) this.rowDevice = device;
      else {
        const text = (a: number, b: number) => Buffer.from(buf.buffer, buf.byteOffset + a, b - a).toString("utf8");
        const name = `msr:${text(hostFrom, hostTo)}/${text(diskFrom, diskTo)}`;
        this.rowDevice = this.newDevice(h, (MAJOR | hashedMinor(h)) >>> 0, name);
      }
      this.lastDevice = this.rowDevice;
    }
    return true;
  }

  private sameHost(buf: Uint8Array, from: number, to: number): boolean {
    if (to - from !== this.lastHostLength) return false;
    for (let i = 0; i < to - from; i++) if (this.lastHost[i] !== buf[from + i]) return false;
    return true;
  }

  private rememberHost(buf: Uint8Array, from: number, to: number, disk: number): void {
    if (to - from > this.lastHost.length) this.lastHost = new Uint8Array(to - from);
    this.lastHost.set(buf.subarray(from, to));
    this.lastHostLength = to - from;
    this.lastDisk = disk;
  }
}
