/**
 * What the plots draw: the folded, bounded-memory results of the plot
 * operators (plotSeries, latencySeries, accessGrid, LayerTimeGrid), in
 * model/ so the plot sinks render them without importing an operator.
 */

/** The points of a `MinMaxSeries`: exact (one per event) or per-column minima and maxima. */
export type MinMaxPoints =
  | {
      readonly mode: "exact";
      /** Time (ns since the trace's first event), value and series key of each point. */
      readonly t: Float64Array;
      readonly y: Float64Array;
      readonly key: Uint8Array;
      readonly length: number;
    }
  | {
      readonly mode: "buckets";
      /** Columns (time buckets) and series keys. */
      readonly columns: number;
      readonly keys: number;
      /** Time covered by the columns, ns (a power-of-two multiple of 1 ms). */
      readonly spanNs: number;
      /** Per (column × keys + key): smallest and largest value, and how many points fell there (0: empty). */
      readonly min: Float64Array;
      readonly max: Float64Array;
      readonly count: Float64Array;
      /** Points folded in. */
      readonly length: number;
    };

/** Sums per time bucket, with the bucket width they were taken over. */
export interface TimeBucketSums {
  /** Buckets holding data: the first `used` of `columns` (the rest lie after the last event). */
  readonly used: number;
  readonly columns: number;
  /** Width of one bucket, ns (a power-of-two multiple of 1 ms ÷ columns). */
  readonly bucketNs: number;
  /** One array per metric, `used` long: the metric's sum in each bucket. */
  readonly sums: readonly Float64Array[];
}

/** Metrics of {@link PlotSeries.buckets}, in this order. */
export const BUCKET_METRICS = ["readBytes", "ios", "seeks", "newUniqueBytes"] as const;

/** What the plots of one run draw, folded from analyzed batches in bounded memory. */
export interface PlotSeries {
  /** Kept events folded in. */
  readonly events: number;
  /** Time of the last kept event, ns since the trace's first event (0 when none). */
  readonly endNs: number;
  /** Device sector (start of each event) over time, keyed by physical gap class (5 = first event). */
  readonly deviceOffsets: MinMaxPoints;
  /** File sector (start of each event's first piece) over time, keyed by logical gap class; absent without pieces. */
  readonly fileOffsets?: MinMaxPoints;
  /** Per time bucket: bytes read, events, seeks (non-sequential physical transitions), bytes read for the first time. */
  readonly buckets: TimeBucketSums;
  /** Events per request size: sizes[k] counts requests of 2^k ≤ bytes < 2^(k+1) (k = 0 holds 0 and 1 byte). */
  readonly sizes: readonly number[];
}

/** A time × offset density grid of kept events, with the ranges it covers. */
export interface AccessGrid {
  /** Columns (time buckets) and rows (offset buckets). */
  readonly columns: number;
  readonly rows: number;
  /** Sectors read per cell, row-major from the top row (highest offsets) down: cells[row * columns + column]. */
  readonly cells: Float64Array;
  /** Time span covered by the columns, ns (a power-of-two multiple of the first span). */
  readonly spanNs: number;
  /** Offset span covered by the rows, sectors: the file's sectors (rounded up to whole sectors per row), or a doubling span of device sectors. */
  readonly spanSectors: number;
  /** True when offsets are file sectors (a file map was given), false for device sectors. */
  readonly fileOffsets: boolean;
  /** Kept events folded in. */
  readonly events: number;
}

/** Bytes read per layer per time bucket (the GGUF layer × time heatmap). */
export interface LayerTime {
  /** Row labels: "0", "1", … for `blk.N` tensors, then "other" (non-layer tensors, header, padding, end). */
  readonly rows: readonly string[];
  /** Width of one bucket, ns. */
  readonly bucketNs: number;
  /** Buckets used (time / bucketNs). */
  readonly buckets: number;
  /** bytes[bucket * rows.length + row]. */
  readonly bytes: Float64Array;
}

/** Intervals drawn over time by `latencySeries`, as series keys 0 and 1. */
export const LATENCY_SERIES = ["d2c", "q2c"] as const;
