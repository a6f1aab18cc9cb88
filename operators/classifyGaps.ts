import { defer, map, type OperatorFunction } from "rxjs";
import { type AnalysisSettings, DEFAULT_ANALYSIS_SETTINGS } from "../model/analysisSettings.js";
import { type EventBatch, GapClass, NO_GAP } from "../model/batch.js";

/** Gap class thresholds in sectors (defaults: {@link DEFAULT_ANALYSIS_SETTINGS}). */
export type GapOptions = Partial<Pick<AnalysisSettings, "small" | "medium">>;

/** Default thresholds of spec/metrics.md. */
export const DEFAULT_SMALL = DEFAULT_ANALYSIS_SETTINGS.small;
export const DEFAULT_MEDIUM = DEFAULT_ANALYSIS_SETTINGS.medium;

/**
 * The class code of a gap: 0 → sequential, < 0 → backward, ≤ small → small,
 * ≤ medium → medium, else large.
 *
 * @example classOf(300, DEFAULT_SMALL, DEFAULT_MEDIUM) // GapClass.medium
 */
export function classOf(gap: number, small: number, medium: number): number {
  if (gap === 0) return GapClass.sequential;
  if (gap < 0) return GapClass.backward;
  if (gap <= small) return GapClass.small;
  if (gap <= medium) return GapClass.medium;
  return GapClass.large;
}

/**
 * Add `gaps` columns: for each event after the first, gap = start(this) −
 * end(previous), on raw device sectors (physical) and on file-sector offsets
 * (logical: this event's smallest piece start minus the previous event's
 * largest piece end; equal to physical when the batch has no pieces), each
 * with its class. Comparing the two tells fragmentation (physical only) from
 * the true access pattern. State is per subscription and spans batches.
 *
 * @example source.pipe(select(), sectorRange(map), classifyGaps({ small: 128, medium: 1024 }))
 */
export function classifyGaps(options: GapOptions = {}): OperatorFunction<EventBatch, EventBatch> {
  const small = options.small ?? DEFAULT_SMALL;
  const medium = options.medium ?? DEFAULT_MEDIUM;
  if (!(small >= 0) || !(medium >= small)) {
    throw new RangeError(
      `Cannot classify gaps: the small limit must be at most the medium limit (got small ${small}, medium ${medium} sectors)`,
    );
  }
  return (source) =>
    defer(() => {
      let prevPhys = Number.NaN;
      let prevLog = Number.NaN;
      return source.pipe(
        map((batch) => {
          const n = batch.length;
          const physical = new Float64Array(n);
          const physicalClass = new Uint8Array(n);
          const logical = new Float64Array(n);
          const logicalClass = new Uint8Array(n);
          const p = batch.pieces;
          for (let i = 0; i < n; i++) {
            const start = batch.sector[i] as number;
            const end = start + Math.floor((batch.bytes[i] as number) / 512);
            let lStart = start;
            let lEnd = end;
            if (p) {
              const a = p.first[i] as number;
              const b = p.first[i + 1] as number;
              lStart = Number.POSITIVE_INFINITY;
              lEnd = Number.NEGATIVE_INFINITY;
              for (let j = a; j < b; j++) {
                const s = p.start[j] as number;
                const e = s + (p.sectors[j] as number);
                if (s < lStart) lStart = s;
                if (e > lEnd) lEnd = e;
              }
            }
            if (Number.isNaN(prevPhys)) {
              physical[i] = Number.NaN;
              logical[i] = Number.NaN;
              physicalClass[i] = NO_GAP;
              logicalClass[i] = NO_GAP;
            } else {
              const pg = start - prevPhys;
              const lg = lStart - prevLog;
              physical[i] = pg;
              logical[i] = lg;
              physicalClass[i] = classOf(pg, small, medium);
              logicalClass[i] = classOf(lg, small, medium);
            }
            prevPhys = end;
            prevLog = lEnd;
          }
          return { ...batch, gaps: { physical, physicalClass, logical, logicalClass } };
        }),
      );
    });
}
