import { DATASET_MAJOR, datasetDevice } from "../model/datasetDevice.js";
import { DatasetDecoder, ISSUE_READ, ISSUE_WRITE } from "./datasetDecoder.js";

const ROW = "Timestamp,Offset,Size,IOType,VolumeID (e.g. 1538323200,12003176,16,0,1283)";
const HEADER = "Timestamp,Offset,Size,IOType,VolumeID";
const MAJOR = DATASET_MAJOR.tencent << 20;

/**
 * Decoder of the Tencent CBS block traces (SNIA IOTTA): CSV lines
 * `Timestamp,Offset,Size,IOType,VolumeID`, timestamp in seconds, offset and
 * size in 512-byte sectors, IOType 0 = read and 1 = write. Each line is a D
 * event of its direction on device `tencent:VOLUME` (minor = the volume id;
 * a larger id is hashed). Records within one second share a time and keep
 * their file order. No latency, no C. A header line is skipped.
 *
 * @example
 * const dec = new TencentDecoder({ file: "cbs.csv" });
 * const batches = [...dec.push(Buffer.from("1538323200,12003176,16,0,1283\n")), ...dec.end()];
 */
export class TencentDecoder extends DatasetDecoder {
  protected parseRow(buf: Uint8Array, from: number, to: number): boolean {
    if (this.openRow(buf, from, to, "time", HEADER, ROW) < 0) return false;
    const f = this.f;
    const hi = f.hi;
    const lo = f.lo;
    const offset = f.uint();
    if (offset < 0 || !f.comma()) return this.reject(ROW);
    const size = f.uint();
    if (size < 0 || size > 0x7fffff || !f.comma()) return this.reject(ROW);
    const type = buf[f.p];
    if ((type !== 48 && type !== 49) || f.p >= f.end) return this.reject(ROW);
    f.p++;
    if (!f.comma()) return this.reject(ROW);
    const volFrom = f.p;
    const volume = f.uint();
    if (volume < 0 || !f.atEnd()) return this.reject(ROW);
    this.rowTime = this.sinceFirst(hi, lo, 1e9);
    this.rowLatency = Number.NaN;
    this.rowSector = offset;
    this.rowBytes = size * 512;
    this.rowIssue = type === 49 ? ISSUE_WRITE : ISSUE_READ;
    this.rowPid = 0;
    const device = this.knownDevice(volume);
    this.rowDevice =
      device >= 0
        ? device
        : this.newDevice(
            volume,
            volume <= 0xfffff ? (MAJOR | volume) >>> 0 : datasetDeviceOf(buf, volFrom, f.p),
            `tencent:${volume}`,
          );
    return true;
  }
}

/** A volume id beyond 20 bits: hashed like datasetDevice("tencent", id) (rare; allocates). */
function datasetDeviceOf(buf: Uint8Array, from: number, to: number): number {
  let end = to;
  while (end > from && (buf[end - 1] === 32 || buf[end - 1] === 9 || buf[end - 1] === 13)) end--;
  return datasetDevice("tencent", Buffer.from(buf.buffer, buf.byteOffset + from, end - from).toString("latin1"));
}
