export * from "./actions.js";
export * from "./batch.js";
export * from "./batchBuilder.js";
export * from "./errors.js";
export * from "./event.js";
export * from "./ggmlTypes.js";
export * from "./ggufLayout.js";
export * from "./payloadArena.js";
