import { defer, map, type OperatorFunction, scan, startWith } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import type { FileMap } from "../model/fileMap.js";
import type { Summary } from "../model/summary.js";
import { SummaryAccumulator } from "./summaryAccumulator.js";

/** Options for {@link runningSummary}. */
export interface RunningSummaryOptions {
  /** The file map the events were clipped to (gives fileBytes, coverage, extents). */
  fileMap?: FileMap;
}

/**
 * The summary so far, after each analyzed batch (after classifyGaps): the
 * all-zero summary on subscribe (what `summarize` gives for an empty
 * source, so a view has something to draw before the first batch), then one
 * summary per batch, the last one equal to what `summarize` emits. What the
 * live view draws. State is per subscription.
 *
 * @example analyzed.pipe(runningSummary({ fileMap }), liveView()).subscribe()
 */
export function runningSummary(options: RunningSummaryOptions = {}): OperatorFunction<EventBatch, Summary> {
  return (source) =>
    defer(() => {
      const start = new SummaryAccumulator(options.fileMap);
      return source.pipe(
        scan((acc, batch: EventBatch) => {
          acc.add(batch);
          return acc;
        }, start),
        startWith(start),
        map((acc) => acc.summary()),
      );
    });
}
