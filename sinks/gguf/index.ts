export * from "./attributionTables.js";
export * from "./ggufHeaderBytes.js";
export * from "./randomWeights.js";
export * from "./tensorTable.js";
export * from "./writeGguf.js";
