import type { PlotPhase } from "./inputs.js";
import type { VlSpec } from "./theme.js";

/** ns → s, the one time unit of every plot. */
export function seconds(ns: number): number {
  return ns / 1e9;
}

/**
 * Shaded bands for the phases of a run (every other phase shaded, each
 * labelled at its start), to layer under a time-axis plot. No phases, no layers.
 *
 * @example layer: [...phaseLayers([{ name: "load", startNs: 0 }, { name: "infer", startNs: 3e9 }], 9e9), points]
 */
export function phaseLayers(phases: readonly PlotPhase[], endNs: number): VlSpec[] {
  if (phases.length < 2) return [];
  const rows = phases.map((p, k) => ({
    name: p.name,
    start: seconds(p.startNs),
    end: seconds(phases[k + 1]?.startNs ?? Math.max(endNs, p.startNs)),
    shade: k % 2,
  }));
  return [
    {
      data: { values: rows },
      name: "phase_bands",
      mark: { type: "rect", opacity: 0.12 },
      encoding: {
        x: { field: "start", type: "quantitative" },
        x2: { field: "end" },
        color: { value: "#718096" },
        opacity: { field: "shade", type: "quantitative", scale: { range: [0.06, 0.16] }, legend: null },
      },
    },
    {
      data: { values: rows },
      mark: {
        type: "text",
        name: "phase_labels",
        align: "left",
        baseline: "top",
        dx: 3,
        dy: 3,
        fontSize: 10,
        color: "#4a5568",
      },
      encoding: { x: { field: "start", type: "quantitative" }, y: { value: 0 }, text: { field: "name" } },
    },
  ];
}
