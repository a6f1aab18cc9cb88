import { Act, actionCode, Cat } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { type BlockEvent, batchOf } from "../../model/event.js";

/**
 * A read event on device 8,0 for tests: `ev("Q", 100, 8, 1000)` is a Q of
 * 8 sectors at sector 100, 1000 ns into the trace.
 */
export function ev(
  letter: string,
  sector: number,
  sectors: number,
  time: number,
  extra: Partial<BlockEvent> = {},
): BlockEvent {
  const code = actionCode(letter);
  return {
    device: { major: 8, minor: 0 },
    cpu: 0,
    sequence: 0,
    time,
    pid: 42,
    action: letter,
    rwbs: "R",
    code: (code | Cat.READ) >>> 0,
    sector,
    sectors,
    bytes: sectors * 512,
    error: 0,
    ...extra,
  };
}

/** An X (split) event of the bio at `sector`, cut at `at` (payload = big-endian u64). */
export function split(sector: number, sectors: number, at: number, time: number): BlockEvent {
  return {
    ...ev("X", sector, sectors, time),
    payload: at.toString(16).padStart(16, "0"),
    code: (Act.SPLIT | Cat.READ) >>> 0,
  };
}

/** A batch from events. */
export function batch(...events: BlockEvent[]): EventBatch {
  return batchOf(events);
}
