import { DATASET_MAJOR } from "../model/datasetDevice.js";
import { DatasetDecoder, ISSUE_READ, ISSUE_WRITE } from "./datasetDecoder.js";

const ROW = "device_id,opcode,offset,length,timestamp (e.g. 419,R,8792731648,4096,1577808144360767)";
const HEADER = "device_id,opcode,offset,length,timestamp";
const MAJOR = DATASET_MAJOR.alibaba << 20;

/**
 * Decoder of the Alibaba cloud block traces (alibaba/block-traces):
 * CSV lines `device_id,opcode,offset,length,timestamp`, opcode `R` or `W`,
 * offset and length in bytes, timestamp in µs. Each line is a D event of its
 * direction on device `alibaba:DEVICE_ID` (minor = the id). The format has
 * no latency, so there is no C. A header line with those names is skipped.
 *
 * @example
 * const dec = new AlibabaDecoder({ file: "io_traces.csv" });
 * const batches = [...dec.push(Buffer.from("419,R,8792731648,4096,1577808144360767\n")), ...dec.end()];
 */
export class AlibabaDecoder extends DatasetDecoder {
  protected parseRow(buf: Uint8Array, from: number, to: number): boolean {
    const id = this.openRow(buf, from, to, "id", HEADER, ROW);
    if (id < 0) return false;
    if (id > 0xfffff) return this.reject(ROW);
    const f = this.f;
    const op = buf[f.p];
    if ((op !== 82 && op !== 87) || f.p >= f.end) return this.reject(ROW);
    f.p++;
    if (!f.comma()) return this.reject(ROW);
    const offset = f.uint();
    if (offset < 0 || !f.comma()) return this.reject(ROW);
    const length = f.uint();
    if (length < 0 || length > 0xffffffff || !f.comma()) return this.reject(ROW);
    if (!f.bigUint() || !f.atEnd()) return this.reject(ROW);
    this.rowTime = this.sinceFirst(f.hi, f.lo, 1000);
    this.rowLatency = Number.NaN;
    this.rowSector = Math.floor(offset / 512);
    this.rowBytes = length;
    this.rowIssue = op === 87 ? ISSUE_WRITE : ISSUE_READ;
    this.rowPid = 0;
    const device = this.knownDevice(id);
    this.rowDevice = device >= 0 ? device : this.newDevice(id, (MAJOR | id) >>> 0, `alibaba:${id}`);
    return true;
  }
}
