import type { SkipCounter } from "../model/errors.js";
import { AlibabaDecoder } from "./alibabaDecoder.js";
import { BinaryDecoder, type TimeBase } from "./binaryDecoder.js";
import { BiosnoopDecoder } from "./biosnoopDecoder.js";
import { BlkparseTextDecoder } from "./blkparseTextDecoder.js";
import type { ChunkDecoder } from "./decoder.js";
import type { TraceFormat } from "./detectFormat.js";
import { FtraceTextDecoder } from "./ftraceTextDecoder.js";
import { MsrDecoder } from "./msrDecoder.js";
import { NdjsonDecoder } from "./ndjsonDecoder.js";
import { TencentDecoder } from "./tencentDecoder.js";

/** Options shared by every decoder. */
export interface DecoderOptions {
  /** Name used in error messages. */
  file: string;
  /** Skip and count damaged records instead of throwing. */
  lenient?: SkipCounter;
  /** Shared time origin for the files of one per-CPU set (binary only). */
  timeBase?: TimeBase;
  /** Leading records that set time zero (binary only; see BinaryDecoder). */
  genesisRecords?: number;
  /** Keep payload bytes (binary only). @default true */
  payloads?: boolean;
  /** Early selection of records (binary, blkparse text and datasets; see BinaryDecoder, TextLineDecoder). */
  keep?: (action: number, bytes: number) => boolean;
}

/**
 * The incremental decoder for a trace format.
 *
 * @example const dec = decoderFor("binary", { file: "trace.bin" });
 */
export function decoderFor(format: TraceFormat, options: DecoderOptions): ChunkDecoder {
  const base = { file: options.file, ...(options.lenient ? { lenient: options.lenient } : {}) };
  switch (format) {
    case "binary":
      return new BinaryDecoder({
        ...base,
        ...(options.timeBase ? { timeBase: options.timeBase } : {}),
        ...(options.genesisRecords !== undefined ? { genesisRecords: options.genesisRecords } : {}),
        ...(options.payloads !== undefined ? { payloads: options.payloads } : {}),
        ...(options.keep ? { keep: options.keep } : {}),
      });
    case "blkparse":
      return new BlkparseTextDecoder({ ...base, ...(options.keep ? { keep: options.keep } : {}) });
    case "ftrace":
      return new FtraceTextDecoder(base);
    case "ndjson":
      return new NdjsonDecoder(base);
  }
  const dataset = { ...base, ...(options.keep ? { keep: options.keep } : {}) };
  switch (format) {
    case "msr":
      return new MsrDecoder(dataset);
    case "alibaba":
      return new AlibabaDecoder(dataset);
    case "tencent":
      return new TencentDecoder(dataset);
    case "biosnoop":
      return new BiosnoopDecoder(dataset);
  }
}
