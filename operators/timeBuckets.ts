import type { TimeBucketSums } from "../model/plotData.js";
/** Default number of time buckets of throughput and coverage series. */
export const DEFAULT_TIME_BUCKETS = 200;

/**
 * Per-time-bucket sums of a few metrics in fixed memory: `columns` buckets
 * over a span that starts at 1 ms and doubles (merging neighbours) when time
 * outgrows it, so the bucket width is the span ÷ columns whatever the
 * trace length.
 *
 * @example const b = new TimeBuckets(2); b.add(t, 0, bytes); b.add(t, 1, 1); b.result()
 */
export class TimeBuckets {
  private readonly sums: Float64Array[];
  private spanNs = 1e6;
  private last = -1;

  constructor(
    metrics: number,
    readonly columns: number = DEFAULT_TIME_BUCKETS,
  ) {
    if (!(Number.isInteger(columns) && columns >= 2))
      throw new RangeError(`Cannot make TimeBuckets as columns must be an integer >= 2: current value is ${columns}`);
    this.sums = Array.from({ length: metrics }, () => new Float64Array(columns));
  }

  /** Add `value` to `metric` in the bucket of time `t` (ns, ≥ 0). */
  add(t: number, metric: number, value: number): void {
    while (t >= this.spanNs) this.doubleSpan();
    const column = Math.min(this.columns - 1, Math.floor((Math.max(t, 0) / this.spanNs) * this.columns));
    const sums = this.sums[metric] as Float64Array;
    sums[column] = (sums[column] as number) + value;
    if (column > this.last) this.last = column;
  }

  /** The sums so far, trimmed after the last bucket that holds an event. */
  result(): TimeBucketSums {
    const used = this.last + 1;
    return {
      used,
      columns: this.columns,
      bucketNs: this.spanNs / this.columns,
      sums: this.sums.map((s) => s.slice(0, used)),
    };
  }

  private doubleSpan(): void {
    for (const s of this.sums) {
      for (let x = 0; x < this.columns; x++) {
        const a = 2 * x < this.columns ? (s[2 * x] as number) : 0;
        const b = 2 * x + 1 < this.columns ? (s[2 * x + 1] as number) : 0;
        s[x] = a + b;
      }
    }
    this.last = this.last < 0 ? -1 : this.last >> 1;
    this.spanNs *= 2;
  }
}
