/**
 * Latency of completed bios: the stage intervals `requestLifecycle` measures
 * and the report `latencySummary` makes of them (types shared by the
 * operators that compute them and the sinks that render them).
 */

/** The interval columns of a `RequestBatch`, in lifecycle order. */
export const LATENCY_INTERVALS = ["q2g", "g2i", "q2m", "i2d", "m2d", "d2c", "q2c"] as const;
export type LatencyInterval = (typeof LATENCY_INTERVALS)[number];

/** How to group the rows of a {@link LatencyReport}. */
export type LatencyGrouping = "device" | "direction" | "process" | "phase";
/** Grouping names accepted by `latencySummary`. */
export const LATENCY_GROUPINGS: readonly LatencyGrouping[] = ["device", "direction", "process", "phase"];

/** One log2 histogram bucket, biolatency-style: integer µs values low..high inclusive. */
export interface HistogramBucket {
  lowUs: number;
  highUs: number;
  count: number;
}

/** Statistics of one interval, all in ns. */
export interface IntervalStats {
  n: number;
  min: number;
  mean: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  histogram: HistogramBucket[];
}

/** btt's device overhead: each stage's total time as a percentage of the total Q2C time. */
export interface DeviceOverhead {
  q2g: number;
  g2i: number;
  q2m: number;
  i2d: number;
  d2c: number;
}

/** Latency of one group (a device, direction, process or phase) or of everything. */
export interface LatencyGroup {
  /** Group label: "8,0", "read", a command name or "pid 123", "phase 1", or "all". */
  key: string;
  /** Completed bios in the group. */
  requests: number;
  /** Per interval, or null when no bio in the group had that stage. */
  intervals: Record<LatencyInterval, IntervalStats | null>;
  /** Null when the group has no Q2C time. */
  overhead: DeviceOverhead | null;
}

/** The latency summary: JSON-ready, times in ns. */
export interface LatencyReport {
  by: LatencyGrouping;
  unit: "ns";
  /** Completed bios. */
  requests: number;
  /** Bios dropped because they never completed within the age/size bound. */
  agedOut: number;
  /** Issues/completions that matched no queued bio. */
  unmatched: number;
  /** Bios still in flight when the input ended. */
  pending: number;
  /** Intervals whose end was stamped before their start (CPU clock skew), counted as 1 ns like btt. */
  skewed: number;
  overall: LatencyGroup;
  groups: LatencyGroup[];
}
