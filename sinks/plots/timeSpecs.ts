import { BUCKET_METRICS } from "../../model/plotData.js";
import type { PlotInputs } from "./inputs.js";
import { phaseLayers, seconds } from "./layers.js";
import { MIB, PLOT_WIDTH, type VlSpec } from "./theme.js";

const metric = (name: (typeof BUCKET_METRICS)[number]): number => BUCKET_METRICS.indexOf(name);

/** Mark names, for tests that count marks. */
export const TIME_MARKS = {
  coverage: "coverage_lines",
  throughput: "throughput_bars",
  iops: "iops_bars",
  seeks: "seeks_bars",
} as const;

/** The time axis every time plot shares: 0 to the last kept event, in seconds. */
function timeAxis(inputs: PlotInputs, field: string): VlSpec {
  return {
    field,
    type: "quantitative",
    title: "time (s)",
    scale: { domain: [0, seconds(inputs.series.endNs)], nice: false },
  };
}

function bucketNote(inputs: PlotInputs): string {
  const b = inputs.series.buckets;
  return `${inputs.series.events.toLocaleString("en")} events in ${b.used} time buckets of ${(b.bucketNs / 1e6).toPrecision(3)} ms`;
}

/**
 * Coverage over time: cumulative total and unique bytes read (MiB), with
 * phase bands; the gap between the lines is re-read data.
 *
 * @example coverageSpec(inputs) // lines "total read" and "unique"
 */
export function coverageSpec(inputs: PlotInputs): VlSpec {
  const b = inputs.series.buckets;
  const rows: { t: number; mib: number; kind: string }[] = [
    { t: 0, mib: 0, kind: "total read" },
    { t: 0, mib: 0, kind: "unique" },
  ];
  let total = 0;
  let unique = 0;
  for (let x = 0; x < b.used; x++) {
    total += b.sums[metric("readBytes")]?.[x] ?? 0;
    unique += b.sums[metric("newUniqueBytes")]?.[x] ?? 0;
    const t = seconds(Math.min((x + 1) * b.bucketNs, inputs.series.endNs));
    rows.push({ t, mib: total / MIB, kind: "total read" }, { t, mib: unique / MIB, kind: "unique" });
  }
  const file = inputs.fileBytes;
  const subtitle = `${bucketNote(inputs)}${file ? `; file ${(file / MIB).toFixed(0)} MiB` : ""}`;
  return {
    title: { text: `${inputs.title}: bytes read over time`, subtitle },
    width: PLOT_WIDTH,
    height: 240,
    layer: [
      ...phaseLayers(inputs.phases ?? [], inputs.series.endNs),
      {
        data: { values: rows },
        name: TIME_MARKS.coverage,
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: timeAxis(inputs, "t"),
          y: { field: "mib", type: "quantitative", title: "cumulative MiB read" },
          color: {
            field: "kind",
            type: "nominal",
            title: null,
            scale: { domain: ["total read", "unique"], range: ["#e53e3e", "#2b6cb0"] },
          },
        },
      },
    ],
  };
}

/**
 * Throughput (MiB/s), IOPS and seeks per second (non-sequential physical
 * transitions, as seekwatcher counts them) per time bucket, stacked.
 *
 * @example throughputSpec(inputs) // three panels sharing the time axis
 */
export function throughputSpec(inputs: PlotInputs): VlSpec {
  const b = inputs.series.buckets;
  const perSecond = 1e9 / b.bucketNs;
  const rows = Array.from({ length: b.used }, (_, x) => ({
    t0: seconds(x * b.bucketNs),
    t1: seconds(Math.min((x + 1) * b.bucketNs, Math.max(inputs.series.endNs, (x + 0.01) * b.bucketNs))),
    mibps: ((b.sums[metric("readBytes")]?.[x] ?? 0) * perSecond) / MIB,
    iops: (b.sums[metric("ios")]?.[x] ?? 0) * perSecond,
    seeks: (b.sums[metric("seeks")]?.[x] ?? 0) * perSecond,
  }));
  const panel = (field: string, title: string, name: string, colour: string): VlSpec => ({
    width: PLOT_WIDTH,
    height: 120,
    layer: [
      ...phaseLayers(inputs.phases ?? [], inputs.series.endNs),
      {
        data: { values: rows },
        name,
        mark: { type: "rect", color: colour },
        encoding: {
          x: timeAxis(inputs, "t0"),
          x2: { field: "t1" },
          y: { field, type: "quantitative", title },
          y2: { datum: 0 },
        },
      },
    ],
  });
  return {
    title: { text: `${inputs.title}: throughput, IOPS and seeks`, subtitle: bucketNote(inputs) },
    vconcat: [
      panel("mibps", "MiB/s", TIME_MARKS.throughput, "#2b6cb0"),
      panel("iops", "IOPS", TIME_MARKS.iops, "#38a169"),
      panel("seeks", "seeks/s", TIME_MARKS.seeks, "#e53e3e"),
    ],
  };
}
