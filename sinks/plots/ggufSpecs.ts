import type { TensorReads } from "../../model/tensorAttribution.js";
import type { PlotInputs } from "./inputs.js";
import { seconds } from "./layers.js";
import { MIB, PLOT_WIDTH, type VlSpec } from "./theme.js";

/** Mark names, for tests that count marks. */
export const GGUF_MARKS = { layers: "layer_time_cells", groups: "group_bars", bands: "layer_bands" } as const;

/**
 * Layer × time heatmap: MiB read from each model layer in each time bucket
 * ("other" = non-layer tensors, header, padding, end), so the order in which
 * llama.cpp walks the layers (and re-walks them) is visible.
 *
 * @example ggufLayersSpec(inputs) // undefined without --gguf
 */
export function ggufLayersSpec(inputs: PlotInputs): VlSpec | undefined {
  const g = inputs.gguf?.layerTime;
  if (!g) return undefined;
  const n = g.rows.length;
  const values: { t: number; t2: number; layer: string; mib: number }[] = [];
  for (let b = 0; b < g.buckets; b++)
    for (let r = 0; r < n; r++) {
      const bytes = g.bytes[b * n + r] as number;
      if (bytes > 0)
        values.push({
          t: seconds(b * g.bucketNs),
          t2: seconds((b + 1) * g.bucketNs),
          layer: g.rows[r] as string,
          mib: bytes / MIB,
        });
    }
  return {
    title: {
      text: `${inputs.title}: bytes read per layer over time`,
      subtitle: `${g.buckets} time buckets of ${(g.bucketNs / 1e6).toPrecision(3)} ms; colour: MiB read in the bucket`,
    },
    width: PLOT_WIDTH,
    height: Math.max(120, Math.min(12 * n, 480)),
    data: { values },
    name: GGUF_MARKS.layers,
    mark: { type: "rect" },
    encoding: {
      x: { field: "t", type: "quantitative", title: "time (s)" },
      x2: { field: "t2" },
      y: { field: "layer", type: "ordinal", title: "layer", sort: [...g.rows] },
      color: { field: "mib", type: "quantitative", title: "MiB", scale: { scheme: "blues" } },
      tooltip: [{ field: "layer" }, { field: "t", title: "from s" }, { field: "mib", format: ".2f" }],
    },
  };
}

/** Per group: total bytes read over total size of its tensors ("read 3.0×"). */
export function groupTimes(tensors: readonly TensorReads[]): { group: string; times: number; readBytes: number }[] {
  const by = new Map<string, { read: number; size: number }>();
  for (const t of tensors) {
    const g = by.get(t.group) ?? { read: 0, size: 0 };
    g.read += t.readBytes;
    g.size += t.bytes;
    by.set(t.group, g);
  }
  return [...by]
    .filter(([, g]) => g.size > 0)
    .map(([group, g]) => ({ group, times: g.read / g.size, readBytes: g.read }));
}

/**
 * Per tensor group, bars "read N× its size" (bytes read over the group's
 * bytes), so a group read 20 times stands out.
 *
 * @example ggufGroupsSpec(inputs) // one bar per group
 */
export function ggufGroupsSpec(inputs: PlotInputs): VlSpec | undefined {
  if (!inputs.gguf) return undefined;
  const values = groupTimes(inputs.gguf.tensors)
    .sort((a, b) => b.times - a.times)
    .map((g) => ({ ...g, label: `${g.times.toFixed(1)}×` }));
  const order = values.map((v) => v.group);
  return {
    title: {
      text: `${inputs.title}: reads per tensor group`,
      subtitle: "bytes read as a multiple of the group's size",
    },
    width: 420,
    height: Math.max(120, 18 * values.length),
    data: { values },
    layer: [
      {
        name: GGUF_MARKS.groups,
        mark: { type: "bar", color: "#2b6cb0" },
        encoding: {
          y: { field: "group", type: "nominal", title: "group", sort: order },
          x: { field: "times", type: "quantitative", title: "read N× its size" },
          tooltip: [{ field: "group" }, { field: "label" }, { field: "readBytes" }],
        },
      },
      {
        mark: { type: "text", align: "left", dx: 3, fontSize: 10 },
        encoding: {
          y: { field: "group", type: "nominal", sort: order },
          x: { field: "times", type: "quantitative" },
          text: { field: "label" },
        },
      },
    ],
  };
}

/**
 * Shaded bands of the model's layers on a file-offset axis (every other
 * layer shaded, labelled), to layer under the offset plot's file view.
 *
 * @example layer: [...layerBands(inputs), points]
 */
export function layerBands(inputs: PlotInputs): VlSpec[] {
  const tensors = inputs.gguf?.tensors;
  if (!tensors) return [];
  const spans = new Map<number, { start: number; end: number }>();
  for (const t of tensors) {
    if (t.layer === null || t.offset === null) continue;
    const s = spans.get(t.layer) ?? { start: t.offset, end: t.offset + t.bytes };
    s.start = Math.min(s.start, t.offset);
    s.end = Math.max(s.end, t.offset + t.bytes);
    spans.set(t.layer, s);
  }
  const rows = [...spans].map(([layer, s]) => ({
    layer: `L${layer}`,
    y: s.start / MIB,
    y2: s.end / MIB,
    shade: layer % 2,
  }));
  return [
    {
      data: { values: rows },
      name: GGUF_MARKS.bands,
      mark: { type: "rect", color: "#718096" },
      encoding: {
        y: { field: "y", type: "quantitative" },
        y2: { field: "y2" },
        opacity: { field: "shade", type: "quantitative", scale: { range: [0.04, 0.12] }, legend: null },
      },
    },
    {
      data: { values: rows },
      mark: { type: "text", align: "right", baseline: "middle", fontSize: 8, color: "#4a5568", x: PLOT_WIDTH - 2 },
      encoding: { y: { field: "y", type: "quantitative" }, text: { field: "layer" } },
    },
  ];
}
