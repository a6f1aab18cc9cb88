import { Act, Cat, makeDevice } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { type BlockEvent, batchOf } from "../../model/event.js";

/** A read event of `sectors` sectors at `sector` with the given action (default D) and time. */
export function ev(
  sector: number,
  sectors: number,
  options: { action?: number; time?: number; write?: boolean } = {},
): BlockEvent {
  const code = (options.action ?? Act.ISSUE) | (options.write ? Cat.WRITE : Cat.READ);
  return {
    device: { major: 7, minor: 0 },
    cpu: 0,
    sequence: 0,
    time: options.time ?? 0,
    pid: 42,
    action: "D",
    rwbs: options.write ? "W" : "R",
    code: code >>> 0,
    sector,
    sectors,
    bytes: sectors * 512,
    error: 0,
  };
}

/** A batch of read events given as [sector, sectors] pairs. */
export function reads(...pairs: [number, number][]): EventBatch {
  return batchOf(pairs.map(([s, n], i) => ev(s, n, { time: i })));
}

export const DEV = makeDevice(7, 0);
