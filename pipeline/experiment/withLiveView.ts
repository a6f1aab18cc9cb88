import { connect, ignoreElements, merge, type OperatorFunction } from "rxjs";
import type { EventBatch } from "../../model/batch.js";
import type { FileMap } from "../../model/fileMap.js";
import { runningSummary } from "../../operators/runningSummary.js";
import { type LiveViewOptions, liveView } from "../../sinks/liveView.js";

/**
 * Pass analyzed batches through while a branch folds them into running
 * summaries (an operator) and the live view draws those (a sink).
 *
 * @example analyzed.pipe(withLiveView(fileMap, { always: false }), summarize({ fileMap }))
 */
export function withLiveView(
  fileMap: FileMap | undefined,
  view: Omit<LiveViewOptions, "out" | "intervalMs">,
): OperatorFunction<EventBatch, EventBatch> {
  return connect((batches) =>
    merge(batches.pipe(runningSummary(fileMap ? { fileMap } : {}), liveView(view), ignoreElements()), batches),
  );
}
