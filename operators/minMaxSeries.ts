import type { MinMaxPoints } from "../model/plotData.js";
/** Options for {@link MinMaxSeries}. */
export interface MinMaxSeriesOptions {
  /** Series keys (e.g. five gap classes). */
  keys: number;
  /** Time buckets once the points outgrow `maxPoints` (one per pixel column of the plot). @default 1000 */
  columns?: number;
  /** Points kept exactly; past this the series switches to per-column min/max. @default 20000 */
  maxPoints?: number;
}

/** Default number of exact points before a series is bucketed. */
export const DEFAULT_MAX_POINTS = 20_000;
/** Default number of time buckets (pixel columns) of a bucketed series. */
export const DEFAULT_COLUMNS = 1000;

/**
 * A (time, value, key) series whose memory is bounded whatever the trace
 * length: up to `maxPoints` points are kept exactly; past that they are
 * folded into `columns` time buckets keeping, per bucket and key, the
 * minimum and maximum value (per-pixel min/max downsampling: every extreme
 * a plot of all points would show is still drawn). The bucket span starts
 * at 1 ms and doubles, merging neighbours, when time outgrows it.
 *
 * @example const s = new MinMaxSeries({ keys: 5 }); s.add(t, offset, cls); s.result()
 */
export class MinMaxSeries {
  readonly keys: number;
  readonly columns: number;
  readonly maxPoints: number;
  private t = new Float64Array(1024);
  private y = new Float64Array(1024);
  private key = new Uint8Array(1024);
  private length = 0;
  private buckets: { min: Float64Array; max: Float64Array; count: Float64Array; spanNs: number } | undefined;

  constructor(options: MinMaxSeriesOptions) {
    this.keys = options.keys;
    this.columns = options.columns ?? DEFAULT_COLUMNS;
    this.maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    if (!(Number.isInteger(this.keys) && this.keys >= 1 && this.keys <= 256))
      throw new RangeError(
        `Cannot make a MinMaxSeries as keys must be an integer in 1..256: current value is ${this.keys}`,
      );
    if (!(Number.isInteger(this.columns) && this.columns >= 2))
      throw new RangeError(
        `Cannot make a MinMaxSeries as columns must be an integer >= 2: current value is ${this.columns}`,
      );
  }

  /** Add one point at time `t` (ns, ≥ 0) with value `y` for series `key`. */
  add(t: number, y: number, key: number): void {
    this.length++;
    if (this.buckets) {
      this.putBucket(t, y, key);
      return;
    }
    const n = this.length - 1;
    if (n >= this.maxPoints) {
      this.toBuckets();
      this.putBucket(t, y, key);
      return;
    }
    if (n === this.t.length) this.grow();
    this.t[n] = t;
    this.y[n] = y;
    this.key[n] = key;
  }

  /** The points so far (views, not copies: read them before adding more). */
  result(): MinMaxPoints {
    const b = this.buckets;
    if (!b) {
      const n = this.length;
      return {
        mode: "exact",
        t: this.t.subarray(0, n),
        y: this.y.subarray(0, n),
        key: this.key.subarray(0, n),
        length: n,
      };
    }
    return { mode: "buckets", columns: this.columns, keys: this.keys, ...b, length: this.length };
  }

  private grow(): void {
    const size = Math.min(this.t.length * 2, this.maxPoints);
    const t = new Float64Array(size);
    t.set(this.t);
    const y = new Float64Array(size);
    y.set(this.y);
    const key = new Uint8Array(size);
    key.set(this.key);
    this.t = t;
    this.y = y;
    this.key = key;
  }

  /** Switch to bucket mode: replay the exact points into buckets and free them. */
  private toBuckets(): void {
    const cells = this.columns * this.keys;
    this.buckets = {
      min: new Float64Array(cells).fill(Number.POSITIVE_INFINITY),
      max: new Float64Array(cells).fill(Number.NEGATIVE_INFINITY),
      count: new Float64Array(cells),
      spanNs: 1e6,
    };
    const n = this.length - 1;
    for (let i = 0; i < n; i++) this.putBucket(this.t[i] as number, this.y[i] as number, this.key[i] as number);
    this.t = new Float64Array(0);
    this.y = new Float64Array(0);
    this.key = new Uint8Array(0);
  }

  private putBucket(t: number, y: number, key: number): void {
    const b = this.buckets as NonNullable<typeof this.buckets>;
    while (t >= b.spanNs) this.doubleSpan(b);
    const column = Math.min(this.columns - 1, Math.floor((Math.max(t, 0) / b.spanNs) * this.columns));
    const k = column * this.keys + key;
    if (y < (b.min[k] as number)) b.min[k] = y;
    if (y > (b.max[k] as number)) b.max[k] = y;
    b.count[k] = (b.count[k] as number) + 1;
  }

  /** Halve the time resolution: column x takes old columns 2x and 2x + 1. */
  private doubleSpan(b: NonNullable<typeof this.buckets>): void {
    const keys = this.keys;
    for (let x = 0; x < this.columns; x++) {
      for (let k = 0; k < keys; k++) {
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        let count = 0;
        for (const src of [2 * x, 2 * x + 1]) {
          if (src >= this.columns) continue;
          const s = src * keys + k;
          min = Math.min(min, b.min[s] as number);
          max = Math.max(max, b.max[s] as number);
          count += b.count[s] as number;
        }
        const d = x * keys + k;
        b.min[d] = min;
        b.max[d] = max;
        b.count[d] = count;
      }
    }
    b.spanNs *= 2;
  }
}
