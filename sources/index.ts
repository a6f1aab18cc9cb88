export * from "./binaryDecoder.js";
export * from "./blkparseTextDecoder.js";
export * from "./decoder.js";
export * from "./decoderFor.js";
export * from "./detectFormat.js";
export * from "./fromTrace.js";
export * from "./ftraceTextDecoder.js";
export * from "./ndjsonDecoder.js";
