import { defer, map, type OperatorFunction } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import type { SkipCounter } from "../model/errors.js";
import type { FileMap } from "../model/fileMap.js";
import type { Summary } from "../model/summary.js";
import { foldBatches } from "./foldBatches.js";
import { SummaryAccumulator } from "./summaryAccumulator.js";

/** Options for {@link summarize}. */
export interface SummarizeOptions {
  /** The file map the events were clipped to (gives fileBytes, coverage, extents). */
  fileMap?: FileMap;
  /** Lenient-mode skip counter of the source; its count becomes `skipped`. */
  skips?: SkipCounter;
}

/**
 * Reduce analyzed batches (after classifyGaps) to the one summary object of
 * the JSON contract (spec/metrics.md), emitted when the source completes.
 * An empty source gives the all-zero summary.
 *
 * @example fromTrace("x.bin").pipe(analyzeEvents(opts), summarize({ fileMap })).subscribe(s => console.log(s.coverage))
 */
export function summarize(options: SummarizeOptions = {}): OperatorFunction<EventBatch, Summary> {
  return foldBatches(
    () => new SummaryAccumulator(options.fileMap),
    (acc) => {
      const s = acc.summary();
      if (options.skips) s.skipped = options.skips.skipped;
      return s;
    },
  );
}

/** Running dedup totals emitted by {@link dedup}. */
export interface DedupTotals {
  /** Distinct sectors seen so far. */
  uniqueSectors: number;
  /** Sectors read so far, re-reads included. */
  readSectors: number;
  /** uniqueSectors / fileSectors when a file map is given, else null. */
  coverage: number | null;
}

/**
 * Running unique-sector totals after each batch (a sparse bitmap of file
 * sectors, or device sectors when batches have no pieces). Memory grows
 * with the range touched, not the device size (see SectorSet).
 *
 * @example source.pipe(select(), sectorRange(map), dedup(map)).subscribe(t => console.log(t.coverage))
 */
export function dedup(fileMap?: FileMap): OperatorFunction<EventBatch, DedupTotals> {
  return (source) =>
    defer(() => {
      const acc = new SummaryAccumulator(fileMap);
      return source.pipe(
        map((batch) => {
          acc.addCoverageOnly(batch);
          const s = acc.summary();
          return { uniqueSectors: s.uniqueSectors, readSectors: acc.readSectors, coverage: s.coverage };
        }),
      );
    });
}
