import type { Observable, OperatorFunction } from "rxjs";
import { firstValueFrom, identity, pipe } from "rxjs";
import { type AnalysisSettings, analysisSettings } from "../model/analysisSettings.js";
import type { EventBatch } from "../model/batch.js";
import type { SkipCounter } from "../model/errors.js";
import type { FileMap } from "../model/fileMap.js";
import type { Summary } from "../model/summary.js";
import { classifyGaps } from "../operators/classifyGaps.js";
import { sectorRange } from "../operators/sectorRange.js";
import { select } from "../operators/select.js";
import type { SelectionTally } from "../operators/selectionTally.js";
import { summarize } from "../operators/summarize.js";

/** What to analyze: the spec's selection and gap thresholds (defaults: DEFAULT_ANALYSIS_SETTINGS) and file range. */
export interface AnalyzeOptions extends Partial<AnalysisSettings> {
  fileMap?: FileMap;
  /** Only events of this device (major << 20 | minor). @default every device */
  device?: number;
  /** Where the selection counts what it saw (see SelectionTally). @default none */
  tally?: SelectionTally;
}

/**
 * The analysis chain: select the action and direction, clip to the file's
 * sectors (when a file map is given), classify gaps. The output batches are
 * the kept events with `gaps` (and `pieces` with a file map), ready for
 * `summarize`, a store, or a custom operator.
 *
 * @example fromTrace("x.bin").pipe(analyzeEvents({ fileMap, action: "D" }), summarize({ fileMap }))
 */
export function analyzeEvents(options: AnalyzeOptions = {}): OperatorFunction<EventBatch, EventBatch> {
  const { action, rw, small, medium } = analysisSettings(options);
  return pipe(
    select({
      action,
      rw,
      ...(options.device !== undefined ? { device: options.device } : {}),
      ...(options.tally ? { tally: options.tally } : {}),
    }),
    options.fileMap ? sectorRange(options.fileMap) : identity,
    classifyGaps({ small, medium }),
  );
}

/**
 * Analyze a batch source to its summary (the JSON contract).
 *
 * @example const summary = await analyze(fromTrace("x.bin"), { fileMap });
 */
export function analyze(
  source: Observable<EventBatch>,
  options: AnalyzeOptions & { skips?: SkipCounter } = {},
): Promise<Summary> {
  return firstValueFrom(
    source.pipe(
      analyzeEvents(options),
      summarize({
        ...(options.fileMap ? { fileMap: options.fileMap } : {}),
        ...(options.skips ? { skips: options.skips } : {}),
      }),
    ),
  );
}
