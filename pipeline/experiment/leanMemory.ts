import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type MonoTypeOperatorFunction, tap } from "rxjs";
import type { EventBatch } from "../../model/batch.js";

/** V8's full collection, when it can be had (undefined otherwise). */
export const collect = (() => {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
})();

/** Events between collections in `live` and `run`. */
export const LIVE_COLLECT_ROWS = 200_000;

/**
 * Run a full garbage collection after every `rows` events pass. A live
 * trace makes typed arrays at a steady rate and drops them a batch later;
 * V8 frees such memory only after tens of MB have piled up (measured:
 * 10–25 MB of dead array buffers at any time on a 2M-record stream), which
 * is a large share of a tracer that should stay under 150 MB. A collection
 * of a heap this small takes about a millisecond.
 *
 * @example liveTrace(opts).pipe(collectEvery(100_000), analyzeEvents())
 */
export function collectEvery(rows: number): MonoTypeOperatorFunction<EventBatch> {
  let since = 0;
  return tap((batch) => {
    since += batch.length;
    if (since < rows) return;
    since = 0;
    collect?.();
  });
}
