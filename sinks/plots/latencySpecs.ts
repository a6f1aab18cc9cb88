import { LATENCY_INTERVALS } from "../../model/latency.js";
import type { MinMaxPoints } from "../../model/plotData.js";
import { LATENCY_SERIES } from "../../model/plotData.js";
import type { PlotInputs } from "./inputs.js";
import { phaseLayers } from "./layers.js";
import { describe, pointRows } from "./offsetSpec.js";
import { PLOT_WIDTH, type VlSpec } from "./theme.js";

/** Mark names, for tests that count marks. */
export const LATENCY_MARKS = { histogram: "latency_bars", overTime: "latency_points" } as const;

/**
 * The overall latency histograms, one panel per interval the trace has
 * (Q2G … Q2C), over biolatency's log2 µs buckets, N/p50/p99 in the panel title.
 * Undefined when the inputs have no latency.
 *
 * @example latencyHistogramSpec(inputs)
 */
export function latencyHistogramSpec(inputs: PlotInputs): VlSpec | undefined {
  const report = inputs.latency?.report;
  if (!report) return undefined;
  const panels = LATENCY_INTERVALS.flatMap((name) => {
    const stats = report.overall.intervals[name];
    if (!stats) return [];
    const rows = stats.histogram.map((b) => ({ bucket: `${b.lowUs}`, count: b.count }));
    const us = (ns: number) => (ns / 1000).toFixed(ns < 10_000 ? 1 : 0);
    return [
      {
        title: `${name.toUpperCase()}  N ${stats.n}  p50 ${us(stats.p50)} µs  p99 ${us(stats.p99)} µs`,
        width: 300,
        height: 120,
        data: { values: rows },
        name: `${LATENCY_MARKS.histogram}_${name}`,
        mark: { type: "bar", color: "#2b6cb0" },
        encoding: {
          x: {
            field: "bucket",
            type: "ordinal",
            title: "latency ≥ (µs, log2 buckets)",
            sort: rows.map((r) => r.bucket),
          },
          y: { field: "count", type: "quantitative", title: "bios" },
        },
      },
    ];
  });
  if (panels.length === 0) return undefined;
  return {
    title: { text: `${inputs.title}: request latency`, subtitle: "per-interval histograms of completed bios" },
    concat: panels,
    columns: 2,
  };
}

/**
 * D2C and Q2C of each completed bio against completion time (µs, log
 * scale); exact points or per-pixel min–max as the subtitle says.
 *
 * @example latencyTimeSpec(inputs)
 */
export function latencyTimeSpec(inputs: PlotInputs): VlSpec | undefined {
  const series = inputs.latency?.series;
  if (!series || series.length === 0) return undefined;
  const rows = pointRows(series, 1e-3, LATENCY_SERIES);
  const x = { field: "t", type: "quantitative", title: "completion time (s)", scale: { zero: true, nice: false } };
  const y = { field: "y", type: "quantitative", title: "latency (µs)", scale: { type: "log" } };
  const color = {
    field: "class",
    type: "nominal",
    title: "interval",
    scale: { domain: [...LATENCY_SERIES], range: ["#38a169", "#805ad5"] },
  };
  return {
    title: { text: `${inputs.title}: latency over time`, subtitle: describe(series).replace("events", "latencies") },
    width: PLOT_WIDTH,
    height: 240,
    layer: [
      ...phaseLayers(inputs.phases ?? [], Math.max(inputs.series.endNs, lastTime(series))),
      series.mode === "exact"
        ? {
            data: { values: rows },
            name: LATENCY_MARKS.overTime,
            mark: { type: "point", filled: true, size: 12 },
            encoding: { x, y, color },
          }
        : {
            data: { values: rows },
            name: LATENCY_MARKS.overTime,
            mark: { type: "rule" },
            encoding: { x, y, y2: { field: "y2" }, color },
          },
    ],
  };
}

/** The latest time a series covers, ns: its last point, or the end of its buckets. */
function lastTime(points: MinMaxPoints): number {
  if (points.mode === "buckets") return points.spanNs;
  let last = 0;
  for (let i = 0; i < points.length; i++) last = Math.max(last, points.t[i] as number);
  return last;
}
