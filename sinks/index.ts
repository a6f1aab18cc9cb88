export * from "./accessPlot.js";
export * from "./binaryWriter.js";
export * from "./blkparseFormat.js";
export * from "./latencyTable.js";
export * from "./ndjsonWriter.js";
export * from "./summaryTable.js";
export * from "./units.js";
export * from "./writeOut.js";
