import type { EventBatch } from "../../model/batch.js";

/** The columns of an analyzed batch that the `events` table stores (what crosses to the writer thread). */
export type StoredEventColumns = Pick<
  EventBatch,
  "length" | "time" | "cpu" | "pid" | "action" | "bytes" | "sector" | "pieces" | "gaps" | "phase"
>;

/**
 * Just the stored columns of a batch, as a new object (no copy of the arrays):
 * posting it to the writer thread clones only what the table keeps.
 *
 * @example worker.postMessage({ type: "append", batch: storedEventColumns(batch) });
 */
export function storedEventColumns(batch: EventBatch): StoredEventColumns {
  const { length, time, cpu, pid, action, bytes, sector, pieces, gaps, phase } = batch;
  return {
    length,
    time,
    cpu,
    pid,
    action,
    bytes,
    sector,
    ...(pieces ? { pieces } : {}),
    ...(gaps ? { gaps } : {}),
    ...(phase ? { phase } : {}),
  };
}
