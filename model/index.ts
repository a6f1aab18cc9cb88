export * from "./actions.js";
export * from "./batch.js";
export * from "./batchBuilder.js";
export * from "./datasetDevice.js";
export * from "./errors.js";
export * from "./event.js";
export * from "./payloadArena.js";
