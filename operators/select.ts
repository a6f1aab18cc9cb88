import { type OperatorFunction, filter, map } from "rxjs";
import { type ActionLetter, actionCode, Cat } from "../model/actions.js";
import type { EventBatch } from "../model/batch.js";
import { takeRows } from "../model/batch.js";

/** Which directions count: `read` = RWBS has R, `write` = has W, `any` = either. */
export type Direction = "read" | "write" | "any";

/** Options for {@link select}. */
export interface SelectOptions {
  /** Action to count. @default "D" (issue to the device) */
  action?: ActionLetter;
  /** Direction to count. @default "read" */
  rw?: Direction;
}

/**
 * Keep only the events of one action and direction (spec: Selection).
 * Counting a single action avoids counting one I/O at Q, D and C. Discards,
 * zero-length events and notify records never pass. Batches with no kept
 * event are dropped.
 *
 * @example fromTrace("x.bin").pipe(select({ action: "D", rw: "read" }))
 */
export function select(options: SelectOptions = {}): OperatorFunction<EventBatch, EventBatch> {
  const action = options.action ?? "D";
  const code = actionCode(action);
  if (code < 0) throw new TypeError(`select: unknown action "${action}" (expected a blkparse letter such as Q, D or C)`);
  const rw = options.rw ?? "read";
  if (rw !== "read" && rw !== "write" && rw !== "any") {
    throw new TypeError(`select: rw must be "read", "write" or "any", got "${String(rw)}"`);
  }
  return (source) =>
    source.pipe(
      map((batch) => selectRows(batch, code, rw)),
      filter((batch) => batch.length > 0),
    );
}

let scratch = new Uint32Array(8192);

function selectRows(batch: EventBatch, code: number, rw: Direction): EventBatch {
  if (scratch.length < batch.length) scratch = new Uint32Array(batch.length);
  const rows = scratch;
  const act = batch.action;
  const bytes = batch.bytes;
  let n = 0;
  for (let i = 0; i < batch.length; i++) {
    const a = act[i] as number;
    if ((a & 0xffff) !== code || (a & (Cat.NOTIFY | Cat.DISCARD)) !== 0 || (bytes[i] as number) < 512) continue;
    // RWBS shows W when the WRITE bit is set, else R when there are bytes (blkparse's fill_rwbs).
    const isWrite = (a & Cat.WRITE) !== 0;
    if (rw === "read" ? isWrite : rw === "write" ? !isWrite : false) continue;
    rows[n++] = i;
  }
  return n === batch.length ? batch : takeRows(batch, rows, n);
}
