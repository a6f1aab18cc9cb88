import { InputError } from "../model/errors.js";

/** The trace formats blkrx reads. */
export type TraceFormat = "binary" | "blkparse" | "ftrace" | "ndjson" | "msr" | "alibaba" | "tencent" | "biosnoop";

/** Names accepted by `--format`. */
export const TRACE_FORMATS: readonly TraceFormat[] = [
  "binary",
  "blkparse",
  "ftrace",
  "ndjson",
  "msr",
  "alibaba",
  "tencent",
  "biosnoop",
];

const MAGIC_HI = 0x65617400;
const BLKPARSE_LINE = /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d{9}\s+\d+\s+[A-Z]{1,2}\s/;
const CLASSIC_LINE = /^\s*\d+,\d+\s+\d+\s+\d+\.\d+\s+\d+\s+[A-Z]{1,2}\s/;
/** Public dataset lines (see the dataset decoders); their shapes do not overlap each other or the blk text. */
const MSR_LINE = /^\d{1,18},[^,\s]+,\d+,(Read|Write),\d+,\d+,\d+\s*$/;
const ALIBABA_LINE = /^\d+,[RW],\d+,\d+,\d+\s*$/;
const TENCENT_LINE = /^\d+,\d+,\d+,[01],\d+\s*$/;
const DATASET_HEADERS: Readonly<Record<string, TraceFormat>> = {
  "Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime": "msr",
  "device_id,opcode,offset,length,timestamp": "alibaba",
  "Timestamp,Offset,Size,IOType,VolumeID": "tencent",
};
const BIOSNOOP_HEADER = /^\s*TIME\(s\)\s+COMM\s+PID\s+DISK\s+T\s+SECTOR\s+BYTES\s.*LAT\(ms\)\s*$/;
const FTRACE_LINE = /^\s*.+-\d+\s+(\(\s*\d+\)\s+)?\[\d+\]\s.*\d+\.\d+:\s+\d+,\d+\s+[A-Z]{1,2}\s/;

/**
 * Guess the format of a trace from its first (decompressed) bytes: the
 * blk_io_trace magic in either byte order means binary; a leading `{` means
 * NDJSON; otherwise the first event line decides between blkparse text and
 * the ftrace `blk` tracer's text (classic or default). Returns undefined for
 * an empty input, and throws InputError naming the file when nothing fits.
 *
 * @example detectFormat(firstChunk, "trace.bin") // "binary"
 */
export function detectFormat(head: Uint8Array, file: string): TraceFormat | undefined {
  if (head.length === 0) return undefined;
  if (head.length >= 4) {
    const view = new DataView(head.buffer, head.byteOffset, 4);
    if ((view.getUint32(0, true) & 0xffffff00) >>> 0 === MAGIC_HI) return "binary";
    if ((view.getUint32(0, false) & 0xffffff00) >>> 0 === MAGIC_HI) return "binary";
  }
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 64 * 1024)).toString("latin1");
  const firstChar = text.trimStart()[0];
  if (firstChar === "{") return "ndjson";
  for (const line of text.split("\n").slice(0, 200)) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    if (BLKPARSE_LINE.test(line)) return "blkparse";
    if (CLASSIC_LINE.test(line) || FTRACE_LINE.test(line)) return "ftrace";
    const dataset = datasetFormatOf(line);
    if (dataset) return dataset;
  }
  if (text.trim() === "") return undefined;
  throw new InputError(
    `${file}: expected a block trace (binary blk_io_trace, blkparse text, ftrace blk text, NDJSON, or an MSR, Alibaba, Tencent or biosnoop dataset file), found none of these in its first bytes`,
  );
}

/** The dataset format a line (a record or its column header) belongs to, if any. */
function datasetFormatOf(line: string): TraceFormat | undefined {
  const text = line.replace(/\r$/, "");
  const header = DATASET_HEADERS[text.trim()];
  if (header) return header;
  if (MSR_LINE.test(text)) return "msr";
  if (ALIBABA_LINE.test(text)) return "alibaba";
  if (TENCENT_LINE.test(text)) return "tencent";
  if (BIOSNOOP_HEADER.test(text)) return "biosnoop";
  return undefined;
}
