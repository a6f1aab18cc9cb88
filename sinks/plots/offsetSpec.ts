import type { MinMaxPoints } from "../../model/plotData.js";
import { layerBands } from "./ggufSpecs.js";
import type { PlotInputs } from "./inputs.js";
import { phaseLayers, seconds } from "./layers.js";
import { OFFSET_COLOURS, OFFSET_KEYS, PLOT_WIDTH, type VlSpec } from "./theme.js";

/** Mark names of the offset views, for tests that count marks in the scenegraph or SVG. */
export const OFFSET_MARKS = { file: "file_events", device: "device_events" } as const;

/**
 * Offset against time, like iowatcher/seekwatcher: one point per kept event
 * (file offset and device offset as two views), coloured by gap class, with
 * extent boundaries as lines and phases shaded. A long trace is drawn as
 * per-pixel min–max bars (see MinMaxSeries) and the subtitle says so.
 *
 * @example offsetSpec({ title: "pressure-frag", series, summary, fileMap })
 */
export function offsetSpec(inputs: PlotInputs): VlSpec {
  const { series } = inputs;
  const views: VlSpec[] = [];
  if (series.fileOffsets) {
    const boundaries = (inputs.extents ?? []).map((e) => e.file);
    const top = inputs.fileBytes ?? undefined;
    views.push(view(inputs, series.fileOffsets, "file offset (MiB)", OFFSET_MARKS.file, 512, boundaries, top));
  }
  const deviceBounds = (inputs.extents ?? []).flatMap((e) => [e.device, e.device + e.sectors]);
  views.push(
    view(inputs, series.deviceOffsets, "device offset (MiB)", OFFSET_MARKS.device, 512, deviceBounds, undefined),
  );
  return {
    title: {
      text: `${inputs.title}: offset over time`,
      subtitle: [
        describe(series.fileOffsets ?? series.deviceOffsets),
        `colour: gap class to the previous event${series.fileOffsets ? " (logical in the file view, physical in the device view)" : ""}; dashed lines: extent boundaries`,
      ],
    },
    vconcat: views,
    resolve: { scale: { color: "shared" } },
  };
}

/** The subtitle line saying how the points were drawn (never silently thinned). */
export function describe(points: MinMaxPoints): string {
  if (points.mode === "exact") return `all ${points.length.toLocaleString("en")} events, one point each`;
  const ms = points.spanNs / points.columns / 1e6;
  return `${points.length.toLocaleString("en")} events drawn as per-pixel min–max: ${points.columns} time columns of ${ms.toPrecision(3)} ms, one bar per column and class`;
}

function view(
  inputs: PlotInputs,
  points: MinMaxPoints,
  title: string,
  name: string,
  bytesPerUnit: number,
  boundaries: readonly number[],
  topBytes: number | undefined,
): VlSpec {
  const mib = bytesPerUnit / 2 ** 20;
  const values = pointRows(points, mib);
  const y = {
    field: "y",
    type: "quantitative",
    title,
    scale: topBytes !== undefined ? { domain: [0, topBytes / 2 ** 20], nice: false } : { zero: false },
  };
  const x = {
    field: "t",
    type: "quantitative",
    title: "time (s)",
    scale: { domain: [0, seconds(inputs.series.endNs)], nice: false },
  };
  const color = {
    field: "class",
    type: "nominal",
    title: "gap class",
    scale: { domain: [...OFFSET_KEYS], range: [...OFFSET_COLOURS] },
  };
  const layers: VlSpec[] = [...phaseLayers(inputs.phases ?? [], inputs.series.endNs)];
  // GGUF layer bands belong to the file view (file offsets are the model's byte offsets)
  if (name === OFFSET_MARKS.file) layers.push(...layerBands(inputs));
  if (boundaries.length > 0) {
    layers.push({
      data: { values: boundaries.map((b) => ({ b: b * mib })) },
      name: `${name}_extents`,
      mark: { type: "rule", stroke: "#999", strokeDash: [2, 2], strokeWidth: 0.7 },
      encoding: { y: { field: "b", type: "quantitative" } },
    });
  }
  layers.push(
    points.mode === "exact"
      ? {
          data: { values },
          name,
          mark: { type: "point", filled: true, size: 10, opacity: 0.8 },
          encoding: { x, y, color },
        }
      : {
          data: { values },
          name,
          mark: { type: "rule", strokeWidth: 1.5 },
          encoding: { x, y, y2: { field: "y2" }, color },
        },
  );
  return { width: PLOT_WIDTH, height: 260, layer: layers };
}

/** Rows for the offset marks: exact points, or one min–max row per non-empty (column, key). */
export function pointRows(
  points: MinMaxPoints,
  unit: number,
  names: readonly string[] = OFFSET_KEYS,
): { t: number; y: number; y2?: number; class: string }[] {
  const rows: { t: number; y: number; y2?: number; class: string }[] = [];
  if (points.mode === "exact") {
    for (let i = 0; i < points.length; i++)
      rows.push({
        t: seconds(points.t[i] as number),
        y: (points.y[i] as number) * unit,
        class: names[points.key[i] as number] ?? "?",
      });
    return rows;
  }
  const width = points.spanNs / points.columns;
  for (let x = 0; x < points.columns; x++) {
    for (let k = 0; k < points.keys; k++) {
      const c = x * points.keys + k;
      if ((points.count[c] as number) === 0) continue;
      rows.push({
        t: seconds((x + 0.5) * width),
        y: (points.min[c] as number) * unit,
        y2: (points.max[c] as number) * unit,
        class: names[k] ?? "?",
      });
    }
  }
  return rows;
}
