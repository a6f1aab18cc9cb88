import type { OperatorFunction } from "rxjs";
import { type EventBatch, GapClass, NO_GAP } from "../model/batch.js";
import { BUCKET_METRICS, type PlotSeries } from "../model/plotData.js";
import { foldBatches } from "./foldBatches.js";
import { MinMaxSeries } from "./minMaxSeries.js";
import { SectorSet } from "./sectorSet.js";
import { TimeBuckets } from "./timeBuckets.js";

/** Series key of an event that has no predecessor (no gap class). */
export const FIRST_EVENT_KEY = 5;

/** Options for {@link plotSeries}. */
export interface PlotSeriesOptions {
  /** Exact points kept per offset series before per-pixel min/max bucketing. @default 20000 */
  maxPoints?: number;
  /** Pixel columns of a bucketed offset series. @default 1000 */
  columns?: number;
  /** Time buckets of the throughput and coverage series. @default 200 */
  timeBuckets?: number;
}

/**
 * Fold analyzed batches (after classifyGaps; after sectorRange for file
 * offsets) into the series the plots draw: offset over time (exact up to
 * `maxPoints`, then per-pixel min/max), per-time-bucket bytes, IOPS, seeks
 * and first-time-read bytes, and a power-of-two request-size histogram.
 * Memory is bounded whatever the trace length, except the unique-sector set
 * (which grows with the range touched, as in `summarize`).
 *
 * @example fromTrace("x.bin").pipe(analyzeEvents({ fileMap }), plotSeries()).subscribe((s) => draw(s))
 */
export function plotSeries(options: PlotSeriesOptions = {}): OperatorFunction<EventBatch, PlotSeries> {
  return foldBatches(
    () => new PlotSeriesBuilder(options),
    (b) => b.result(),
  );
}

class PlotSeriesBuilder {
  private events = 0;
  private endNs = 0;
  private readonly device: MinMaxSeries;
  private readonly file: MinMaxSeries;
  private sawPieces = false;
  private readonly buckets: TimeBuckets;
  private readonly unique = new SectorSet();
  private readonly sizes = new Float64Array(33);

  constructor(options: PlotSeriesOptions) {
    const series = {
      keys: FIRST_EVENT_KEY + 1,
      ...(options.columns !== undefined ? { columns: options.columns } : {}),
      ...(options.maxPoints !== undefined ? { maxPoints: options.maxPoints } : {}),
    };
    this.device = new MinMaxSeries(series);
    this.file = new MinMaxSeries(series);
    this.buckets = new TimeBuckets(BUCKET_METRICS.length, options.timeBuckets);
  }

  add(batch: EventBatch): void {
    const p = batch.pieces;
    const g = batch.gaps;
    if (p) this.sawPieces = true;
    for (let i = 0; i < batch.length; i++) {
      const t = batch.time[i] as number;
      if (t > this.endNs) this.endNs = t;
      const physical = g ? (g.physicalClass[i] as number) : NO_GAP;
      this.device.add(t, batch.sector[i] as number, physical === NO_GAP ? FIRST_EVENT_KEY : physical);
      let sectors = 0;
      let fresh = 0;
      if (p) {
        const first = p.first[i] as number;
        const end = p.first[i + 1] as number;
        if (end > first) {
          const logical = g ? (g.logicalClass[i] as number) : NO_GAP;
          this.file.add(t, p.start[first] as number, logical === NO_GAP ? FIRST_EVENT_KEY : logical);
        }
        for (let j = first; j < end; j++) {
          const len = p.sectors[j] as number;
          sectors += len;
          fresh += this.unique.add(p.start[j] as number, len);
        }
      } else {
        sectors = Math.floor((batch.bytes[i] as number) / 512);
        fresh = this.unique.add(batch.sector[i] as number, sectors);
      }
      this.buckets.add(t, 0, sectors * 512);
      this.buckets.add(t, 1, 1);
      if (physical !== NO_GAP && physical !== GapClass.sequential) this.buckets.add(t, 2, 1);
      this.buckets.add(t, 3, fresh * 512);
      const bytes = batch.bytes[i] as number;
      const k = bytes <= 1 ? 0 : Math.min(32, Math.floor(Math.log2(bytes)));
      this.sizes[k] = (this.sizes[k] as number) + 1;
    }
    this.events += batch.length;
  }

  result(): PlotSeries {
    let top = this.sizes.length;
    while (top > 0 && this.sizes[top - 1] === 0) top--;
    return {
      events: this.events,
      endNs: this.endNs,
      deviceOffsets: this.device.result(),
      ...(this.sawPieces ? { fileOffsets: this.file.result() } : {}),
      buckets: this.buckets.result(),
      sizes: Array.from(this.sizes.subarray(0, top)),
    };
  }
}
