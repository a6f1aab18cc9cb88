import { filter, map, type OperatorFunction } from "rxjs";
import { actionMask, Cat } from "../model/actions.js";
import { type AnalysisSettings, DEFAULT_ANALYSIS_SETTINGS } from "../model/analysisSettings.js";
import type { EventBatch } from "../model/batch.js";
import { takeRows } from "../model/batch.js";
import type { SelectionTally } from "./selectionTally.js";

/** Options for {@link select}. */
export interface SelectOptions extends Partial<Pick<AnalysisSettings, "action" | "rw">> {
  /** Keep only events of this device (major << 20 | minor, as `EventBatch.device`). @default every device */
  device?: number;
  /** Counts of what was seen and kept, for "why nothing was kept" and the device check. @default none */
  tally?: SelectionTally;
}

/**
 * The selection rule as a predicate on a raw action u32 and byte count:
 * one of the chosen action codes (a bit mask test, so a list costs what
 * one letter does), not a notify record, not a discard, at least one
 * sector, and the direction as RWBS shows it (W when the WRITE bit is set,
 * else R — blkparse's fill_rwbs). Sources use it to skip records early.
 * With a `tally`, the records it rejects are counted there (the records it
 * passes are counted by `select` when they reach it). The device is not
 * part of it: decoders do not know it before decoding.
 *
 * @example const keep = selectionFilter({ action: "D", rw: "read" }); keep(action, bytes)
 */
export function selectionFilter(options: SelectOptions = {}): (action: number, bytes: number) => boolean {
  const keep = actionFilter(options);
  const tally = options.tally;
  if (!tally) return keep;
  const mask = actionMask(options.action ?? DEFAULT_ANALYSIS_SETTINGS.action);
  return (a, bytes) => {
    if (keep(a, bytes)) return true;
    if ((a & Cat.NOTIFY) === 0) {
      tally.events++;
      if (ofActions(a, mask)) tally.ofAction++;
    }
    return false;
  };
}

function actionFilter(options: SelectOptions): (action: number, bytes: number) => boolean {
  const mask = actionMask(options.action ?? DEFAULT_ANALYSIS_SETTINGS.action);
  const rw = options.rw ?? DEFAULT_ANALYSIS_SETTINGS.rw;
  if (rw !== "read" && rw !== "write" && rw !== "any") {
    throw new TypeError(`select: rw must be "read", "write" or "any", got "${String(rw)}"`);
  }
  const excluded = (Cat.NOTIFY | Cat.DISCARD) >>> 0;
  // Direction as a test on the WRITE bit: read = bit clear, write = bit set, any = either.
  const writeMask = rw === "any" ? 0 : Cat.WRITE;
  const writeWant = rw === "write" ? Cat.WRITE : 0;
  return (a, bytes) => ofActions(a, mask) && (a & excluded) === 0 && bytes >= 512 && (a & writeMask) === writeWant;
}

/** True when the raw action's code is in the mask (codes past 31 never are). */
function ofActions(a: number, mask: number): boolean {
  const code = a & 0xffff;
  return code < 32 && ((mask >>> code) & 1) === 1;
}

/**
 * Keep only the events of the chosen actions and direction (spec:
 * Selection), and of one device when `device` is given. Counting a single
 * action avoids counting one I/O at Q, D and C; a list (`Q,D,C`, `all`)
 * counts each listed event on its own, as a grep over blkparse lines does. Discards, zero-length events and notify
 * records never pass. Batches with no kept event are dropped. With a
 * `tally`, what it sees is counted there (see {@link SelectionTally}).
 *
 * @example fromTrace("x.bin").pipe(select({ action: "D", rw: "read", device: (7 << 20) | 0 }))
 */
export function select(options: SelectOptions = {}): OperatorFunction<EventBatch, EventBatch> {
  const keep = actionFilter(options);
  const mask = actionMask(options.action ?? DEFAULT_ANALYSIS_SETTINGS.action);
  const device = options.device ?? -1;
  const tally = options.tally;
  return (source) =>
    source.pipe(
      map((batch) => selectRows(batch, keep, device, mask, tally)),
      filter((batch) => batch.length > 0),
    );
}

/**
 * Keep only the events of one device (major << 20 | minor), whatever their
 * action: `latency` and `cat` with `--device`.
 *
 * @example fromTrace("x.bin").pipe(onDevice((7 << 20) | 0))
 */
export function onDevice(device: number): OperatorFunction<EventBatch, EventBatch> {
  return (source) =>
    source.pipe(
      map((batch) => rowsOnDevice(batch, device)),
      filter((batch) => batch.length > 0),
    );
}

/**
 * The rows of a batch on one device (the batch itself when all are).
 *
 * @example for await (const b of traceBatches(inputs)) write(rowsOnDevice(b, dev));
 */
export function rowsOnDevice(batch: EventBatch, device: number): EventBatch {
  if (scratch.length < batch.length) scratch = new Uint32Array(batch.length);
  const rows = scratch;
  const dev = batch.device;
  let n = 0;
  for (let i = 0; i < batch.length; i++) if (dev[i] === device) rows[n++] = i;
  return n === batch.length ? batch : takeRows(batch, rows, n);
}

let scratch = new Uint32Array(8192);

function selectRows(
  batch: EventBatch,
  keep: (action: number, bytes: number) => boolean,
  device: number,
  mask: number,
  tally: SelectionTally | undefined,
): EventBatch {
  if (scratch.length < batch.length) scratch = new Uint32Array(batch.length);
  const rows = scratch;
  const act = batch.action;
  const bytes = batch.bytes;
  const dev = batch.device;
  let n = 0;
  if (tally) {
    for (let i = 0; i < batch.length; i++) {
      const a = act[i] as number;
      if ((a & Cat.NOTIFY) !== 0) continue;
      tally.events++;
      if (ofActions(a, mask)) tally.ofAction++;
      if (!keep(a, bytes[i] as number)) continue;
      tally.selected++;
      tally.addDevice(dev[i] as number);
      if (device >= 0 && dev[i] !== device) continue;
      tally.onDevice++;
      rows[n++] = i;
    }
  } else if (device >= 0) {
    for (let i = 0; i < batch.length; i++)
      if (keep(act[i] as number, bytes[i] as number) && dev[i] === device) rows[n++] = i;
  } else {
    for (let i = 0; i < batch.length; i++) if (keep(act[i] as number, bytes[i] as number)) rows[n++] = i;
  }
  return n === batch.length ? batch : takeRows(batch, rows, n);
}
