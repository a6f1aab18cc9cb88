import { defer, map, type OperatorFunction, reduce } from "rxjs";
import type { EventBatch } from "../model/batch.js";

/**
 * Fold every batch into an accumulator made afresh for each subscription and
 * emit `result(accumulator)` once, when the source completes (an empty
 * source gives the result of the untouched accumulator). The shape of
 * `summarize` and `accessGrid`, and of any custom whole-run statistic.
 *
 * @example fromTrace(["x.bin"]).pipe(foldBatches(() => new SummaryAccumulator(), (acc) => acc.summary()))
 */
export function foldBatches<A extends { add(batch: EventBatch): void }, R>(
  create: () => A,
  result: (accumulator: A) => R,
): OperatorFunction<EventBatch, R> {
  return (source) =>
    defer(() =>
      source.pipe(
        reduce((acc, batch) => {
          acc.add(batch);
          return acc;
        }, create()),
        map(result),
      ),
    );
}
