import type { OperatorFunction } from "rxjs";
import { deviceLabel } from "../model/datasetDevice.js";
import { grown } from "../model/grown.js";
import {
  type DeviceOverhead,
  type IntervalStats,
  LATENCY_GROUPINGS,
  LATENCY_INTERVALS,
  type LatencyGroup,
  type LatencyGrouping,
  type LatencyInterval,
  type LatencyReport,
} from "../model/latency.js";
import { REQUEST_DIRECTIONS, type RequestBatch } from "../model/requests.js";
import { foldBatches } from "./foldBatches.js";

/**
 * latencySummary: N, min, mean, max and exact percentiles of every stage
 * interval, per group and overall, with log2 histograms and btt's "device
 * overhead" shares.
 *
 * Percentiles are exact: every interval value is kept in a growable
 * Float64Array and sorted once at the end. Memory is 8 bytes per value, and
 * each completed bio has up to 7 intervals kept twice (its group and the
 * overall row): at most 112 bytes per bio, about 112 MB for a million bios.
 * The percentile definition is nearest rank: pX = the value at 1-based rank
 * ceil(X/100 × N) of the sorted values (p50 of [1,2,3,4] is 2).
 */

export {
  type DeviceOverhead,
  type HistogramBucket,
  type IntervalStats,
  LATENCY_GROUPINGS,
  type LatencyGroup,
  type LatencyGrouping,
  type LatencyReport,
} from "../model/latency.js";

/** Percentiles reported, in per-mille (p50, p90, p99, p99.9). */
export const PERCENTILES = [
  { key: "p50", perMille: 500 },
  { key: "p90", perMille: 900 },
  { key: "p99", perMille: 990 },
  { key: "p999", perMille: 999 },
] as const;

/** Options for {@link latencySummary}. */
export interface LatencySummaryOptions {
  /** Grouping of the rows. @default "device" */
  by?: LatencyGrouping;
}

/** Growable list of float64 values. */
class Values {
  data = new Float64Array(16);
  n = 0;
  sum = 0;
  push(v: number): void {
    if (this.n === this.data.length) this.data = grown(this.data, this.n * 2);
    this.data[this.n++] = v;
    this.sum += v;
  }
}

/** Accumulated intervals of one group. */
class GroupValues {
  requests = 0;
  readonly values = LATENCY_INTERVALS.map(() => new Values());
  constructor(readonly key: string) {}

  /** Add row r of a request batch. */
  add(batch: RequestBatch, r: number): void {
    this.requests++;
    for (let k = 0; k < LATENCY_INTERVALS.length; k++) {
      const v = batch[LATENCY_INTERVALS[k] as LatencyInterval][r] as number;
      if (!Number.isNaN(v)) (this.values[k] as Values).push(v);
    }
  }

  finish(): LatencyGroup {
    const intervals = {} as Record<LatencyInterval, IntervalStats | null>;
    LATENCY_INTERVALS.forEach((name, k) => {
      const v = this.values[k] as Values;
      intervals[name] = v.n === 0 ? null : intervalStats(v.data.subarray(0, v.n));
    });
    return { key: this.key, requests: this.requests, intervals, overhead: this.overhead() };
  }

  private overhead(): DeviceOverhead | null {
    const total = (name: LatencyInterval): number => (this.values[LATENCY_INTERVALS.indexOf(name)] as Values).sum;
    const q2c = total("q2c");
    if (!(q2c > 0)) return null;
    const pct = (name: LatencyInterval): number => (100 * total(name)) / q2c;
    return { q2g: pct("q2g"), g2i: pct("g2i"), q2m: pct("q2m"), i2d: pct("i2d"), d2c: pct("d2c") };
  }
}

/**
 * The nearest-rank percentile of ascending `sorted` values: the value at
 * 1-based rank ceil(perMille × N / 1000), computed in integers so that
 * p99.9 of 1000 values is exactly the 999th. NaN for no values.
 *
 * @example percentile(Float64Array.of(1, 2, 3, 4), 500) // 2
 */
export function percentile(sorted: ArrayLike<number>, perMille: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.floor((perMille * n + 999) / 1000));
  return sorted[Math.min(rank, n) - 1] as number;
}

/**
 * The log2 bucket of a latency in ns, as biolatency counts it: the value is
 * truncated to integer µs; bucket 0 holds 0–1 µs, bucket k ≥ 1 holds
 * 2^k … 2^(k+1) − 1 µs.
 *
 * @example log2Bucket(5_000) // 2 (4–7 µs)
 */
export function log2Bucket(ns: number): number {
  const us = Math.floor(ns / 1000);
  if (us < 2) return 0;
  return us < 4294967296 ? 31 - Math.clz32(us) : Math.floor(Math.log2(us));
}

/**
 * Statistics of unsorted interval values (the array is sorted in place).
 *
 * @example intervalStats(Float64Array.of(3000, 1000, 2000)).p50 // 2000
 */
export function intervalStats(values: Float64Array): IntervalStats {
  values.sort();
  const n = values.length;
  let sum = 0;
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    sum += v;
    const b = log2Bucket(v);
    while (counts.length <= b) counts.push(0);
    counts[b] = (counts[b] as number) + 1;
  }
  const histogram = counts.map((count, b) => ({
    lowUs: b === 0 ? 0 : 2 ** b,
    highUs: b === 0 ? 1 : 2 ** (b + 1) - 1,
    count,
  }));
  return {
    n,
    min: values[0] as number,
    mean: sum / n,
    max: values[n - 1] as number,
    p50: percentile(values, 500),
    p90: percentile(values, 900),
    p99: percentile(values, 990),
    p999: percentile(values, 999),
    histogram,
  };
}

/** The group label of row r. */
function groupKey(batch: RequestBatch, r: number, by: LatencyGrouping): string {
  switch (by) {
    case "device":
      // "major,minor", or the volume name of a dataset device ("msr:usr/0").
      return deviceLabel(batch.device[r] as number);
    case "direction":
      return REQUEST_DIRECTIONS[batch.direction[r] as number] ?? "other";
    case "process": {
      const pid = batch.pid[r] as number;
      return batch.names.get(pid) ?? `pid ${pid}`;
    }
    case "phase":
      return `phase ${batch.phase[r] as number}`;
  }
}

/** Running state of {@link latencySummary}. */
class LatencyAccumulator {
  private readonly overall = new GroupValues("all");
  private readonly groups = new Map<string, GroupValues>();
  private last: RequestBatch | undefined;
  constructor(private readonly by: LatencyGrouping) {}

  add(batch: RequestBatch): void {
    this.last = batch;
    for (let r = 0; r < batch.length; r++) {
      this.overall.add(batch, r);
      const key = groupKey(batch, r, this.by);
      let g = this.groups.get(key);
      if (!g) {
        g = new GroupValues(key);
        this.groups.set(key, g);
      }
      g.add(batch, r);
    }
  }

  report(): LatencyReport {
    const groups = [...this.groups.values()]
      .map((g) => g.finish())
      .sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
    return {
      by: this.by,
      unit: "ns",
      requests: this.overall.requests,
      agedOut: this.last?.agedOut ?? 0,
      unmatched: this.last?.unmatched ?? 0,
      pending: this.last?.pending ?? 0,
      skewed: this.last?.skewed ?? 0,
      overall: this.overall.finish(),
      groups,
    };
  }
}

/**
 * Summarise completed bios from {@link requestLifecycle} into one
 * {@link LatencyReport} emitted when the source completes: N, min, mean, max,
 * p50/p90/p99/p99.9 (nearest rank, exact) and a log2 histogram per interval,
 * and btt's device-overhead percentages, overall and per `by` group.
 *
 * @example
 * fromTrace(["trace.bin"]).pipe(requestLifecycle(), latencySummary({ by: "process" })).subscribe(console.log);
 */
export function latencySummary(options: LatencySummaryOptions = {}): OperatorFunction<RequestBatch, LatencyReport> {
  const by = options.by ?? "device";
  if (!LATENCY_GROUPINGS.includes(by)) {
    throw new TypeError(`Cannot group latency by "${by}": use one of ${LATENCY_GROUPINGS.join(", ")}`);
  }
  return foldBatches(
    () => new LatencyAccumulator(by),
    (acc) => acc.report(),
  );
}
