import { filter, map, type OperatorFunction } from "rxjs";
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
 * The selection rule as a predicate on a raw action u32 and byte count:
 * the chosen action code, not a notify record, not a discard, at least one
 * sector, and the direction as RWBS shows it (W when the WRITE bit is set,
 * else R — blkparse's fill_rwbs). Sources use it to skip records early.
 *
 * @example const keep = selectionFilter({ action: "D", rw: "read" }); keep(action, bytes)
 */
export function selectionFilter(options: SelectOptions = {}): (action: number, bytes: number) => boolean {
  const action = options.action ?? "D";
  const code = actionCode(action);
  if (code < 0)
    throw new TypeError(`select: unknown action "${action}" (expected a blkparse letter such as Q, D or C)`);
  const rw = options.rw ?? "read";
  if (rw !== "read" && rw !== "write" && rw !== "any") {
    throw new TypeError(`select: rw must be "read", "write" or "any", got "${String(rw)}"`);
  }
  const excluded = (Cat.NOTIFY | Cat.DISCARD) >>> 0;
  // Direction as a test on the WRITE bit: read = bit clear, write = bit set, any = either.
  const writeMask = rw === "any" ? 0 : Cat.WRITE;
  const writeWant = rw === "write" ? Cat.WRITE : 0;
  return (a, bytes) => (a & 0xffff) === code && (a & excluded) === 0 && bytes >= 512 && (a & writeMask) === writeWant;
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
  const keep = selectionFilter(options);
  return (source) =>
    source.pipe(
      map((batch) => selectRows(batch, keep)),
      filter((batch) => batch.length > 0),
    );
}

let scratch = new Uint32Array(8192);

function selectRows(batch: EventBatch, keep: (action: number, bytes: number) => boolean): EventBatch {
  if (scratch.length < batch.length) scratch = new Uint32Array(batch.length);
  const rows = scratch;
  const act = batch.action;
  const bytes = batch.bytes;
  let n = 0;
  for (let i = 0; i < batch.length; i++) if (keep(act[i] as number, bytes[i] as number)) rows[n++] = i;
  return n === batch.length ? batch : takeRows(batch, rows, n);
}
