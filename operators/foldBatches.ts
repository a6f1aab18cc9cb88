import { defer, map, type OperatorFunction, reduce } from "rxjs";

/** The batch type an accumulator's `add` takes (anything, for an `add()` that takes none). */
export type BatchOf<A extends Accumulator> = Parameters<A["add"]> extends [] ? unknown : Parameters<A["add"]>[0];

/** Anything that takes batches one by one. */
// biome-ignore lint/suspicious/noExplicitAny: the batch type is inferred from the accumulator (BatchOf)
export type Accumulator = { add(batch: any): void };

/**
 * Fold every batch into an accumulator made afresh for each subscription and
 * emit `result(accumulator)` once, when the source completes (an empty
 * source gives the result of the untouched accumulator). The shape of
 * `summarize`, `accessGrid` and `latencySummary` (over request batches), and
 * of any custom whole-run statistic. The input type is what the
 * accumulator's `add` takes (event batches, request batches, ...).
 *
 * @example fromTrace(["x.bin"]).pipe(foldBatches(() => new SummaryAccumulator(), (acc) => acc.summary()))
 */
export function foldBatches<A extends Accumulator, R>(
  create: () => A,
  result: (accumulator: A) => R,
): OperatorFunction<BatchOf<A>, R> {
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
