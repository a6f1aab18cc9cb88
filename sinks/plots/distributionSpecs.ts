import { GAP_CLASSES } from "../../model/batch.js";
import type { PlotInputs } from "./inputs.js";
import type { VlSpec } from "./theme.js";

/** Mark names, for tests that count marks. */
export const DISTRIBUTION_MARKS = { gaps: "gap_bars", sizes: "size_bars" } as const;

/**
 * Gap distribution: per gap class, physical (device) beside logical (file)
 * counts, so jumps that vanish in file space show at a glance.
 *
 * @example gapSpec(inputs) // 10 bars: 5 classes × physical/logical
 */
export function gapSpec(inputs: PlotInputs): VlSpec {
  const { gaps } = inputs.summary;
  const rows = GAP_CLASSES.flatMap((c) => [
    { class: c, space: "physical", count: gaps.physical[c] },
    { class: c, space: "logical", count: gaps.logical[c] },
  ]);
  return {
    title: {
      text: `${inputs.title}: gap distribution`,
      subtitle: `${Math.max(inputs.summary.events - 1, 0).toLocaleString("en")} transitions between ${inputs.summary.events.toLocaleString("en")} kept events`,
    },
    width: 420,
    height: 220,
    data: { values: rows },
    name: DISTRIBUTION_MARKS.gaps,
    mark: { type: "bar" },
    encoding: {
      x: { field: "class", type: "nominal", title: "gap class", sort: [...GAP_CLASSES], axis: { labelAngle: 0 } },
      xOffset: { field: "space", sort: ["physical", "logical"] },
      y: { field: "count", type: "quantitative", title: "transitions" },
      color: {
        field: "space",
        type: "nominal",
        title: null,
        sort: ["physical", "logical"],
        scale: { range: ["#dd6b20", "#2b6cb0"] },
      },
      tooltip: [{ field: "space" }, { field: "class" }, { field: "count" }],
    },
  };
}

/** "4 KiB"-style label of 2^k bytes. */
export function powerOfTwoLabel(k: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  const u = Math.min(Math.floor(k / 10), units.length - 1);
  return `${2 ** (k - 10 * u)} ${units[u]}`;
}

/**
 * Request sizes in power-of-two buckets (like bcc's bitesize): a bar per
 * bucket from the smallest to the largest size seen, labelled by its lower bound.
 *
 * @example sizeSpec(inputs) // bars "4 KiB", "8 KiB", ... "128 KiB"
 */
export function sizeSpec(inputs: PlotInputs): VlSpec {
  const sizes = inputs.series.sizes;
  const first = sizes.findIndex((n) => n > 0);
  const rows = first < 0 ? [] : sizes.slice(first).map((count, i) => ({ size: powerOfTwoLabel(first + i), count }));
  return {
    title: {
      text: `${inputs.title}: request sizes`,
      subtitle: `${inputs.series.events.toLocaleString("en")} requests; bar k counts sizes in [2^k, 2^(k+1)) bytes`,
    },
    width: Math.max(200, 64 * rows.length),
    height: 220,
    data: { values: rows },
    name: DISTRIBUTION_MARKS.sizes,
    mark: { type: "bar", color: "#2b6cb0" },
    encoding: {
      x: {
        field: "size",
        type: "ordinal",
        title: "request size (at least)",
        sort: rows.map((r) => r.size),
        axis: { labelAngle: 0 },
      },
      y: { field: "count", type: "quantitative", title: "requests" },
    },
  };
}
