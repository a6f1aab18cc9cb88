/**
 * The batch module: {@link EventBatch}, the unit that flows through every
 * blkrx Observable (eventBatch.ts: its columns, how to allocate and seal
 * one), copying chosen rows into a new batch (takeRows.ts) and joining
 * batches (concatBatches.ts).
 */
export { concatBatches } from "./concatBatches.js";
export * from "./eventBatch.js";
export { takeRows } from "./takeRows.js";
