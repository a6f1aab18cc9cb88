import { Act, actionCode, Cat, makeDevice } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { type BlockEvent, batchOf } from "../../model/event.js";

/**
 * The one event builder of the tests: every other builder here spreads over it.
 * A BlockEvent with every field zero or empty on device 7,0.
 *
 * @example batchOf([{ ...blankEvent(), code: (Act.PLUG | Cat.QUEUE) >>> 0, pid: 5 }])
 */
export function blankEvent(): BlockEvent {
  return {
    device: { major: 7, minor: 0 },
    cpu: 0,
    sequence: 0,
    time: 0,
    pid: 0,
    action: "",
    rwbs: "",
    code: 0,
    sector: 0,
    sectors: 0,
    bytes: 0,
    error: 0,
  };
}

/**
 * A read (or write) of `sectors` sectors at `sector` on device 7,0 by pid 42, action D unless given.
 *
 * @example ev(100, 8, { time: 5, write: true })
 */
export function ev(
  sector: number,
  sectors: number,
  options: { action?: number; time?: number; write?: boolean } = {},
): BlockEvent {
  const code = (options.action ?? Act.ISSUE) | (options.write ? Cat.WRITE : Cat.READ);
  return {
    ...blankEvent(),
    time: options.time ?? 0,
    pid: 42,
    action: "D",
    rwbs: options.write ? "W" : "R",
    code: code >>> 0,
    sector,
    sectors,
    bytes: sectors * 512,
  };
}

/** A batch of read events given as [sector, sectors] pairs, timed 0, 1, 2, ... */
export function reads(...pairs: [number, number][]): EventBatch {
  return batchOf(pairs.map(([s, n], i) => ev(s, n, { time: i })));
}

export const DEV = makeDevice(7, 0);

/**
 * A read event of blkparse action `letter` on device 8,0 by pid 42, for request lifecycles:
 * `actionEvent("Q", 100, 8, 1000)` is a Q of 8 sectors at sector 100, 1000 ns into the trace.
 */
export function actionEvent(
  letter: string,
  sector: number,
  sectors: number,
  time: number,
  extra: Partial<BlockEvent> = {},
): BlockEvent {
  return {
    ...blankEvent(),
    device: { major: 8, minor: 0 },
    time,
    pid: 42,
    action: letter,
    rwbs: "R",
    code: (actionCode(letter) | Cat.READ) >>> 0,
    sector,
    sectors,
    bytes: sectors * 512,
    ...extra,
  };
}

/** An X (split) event of the bio at `sector`, cut at `at` (payload = big-endian u64). */
export function splitEvent(sector: number, sectors: number, at: number, time: number): BlockEvent {
  return {
    ...actionEvent("X", sector, sectors, time),
    payload: at.toString(16).padStart(16, "0"),
    code: (Act.SPLIT | Cat.READ) >>> 0,
  };
}

/** A batch from events. */
export function batch(...events: BlockEvent[]): EventBatch {
  return batchOf(events);
}
