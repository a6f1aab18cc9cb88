import { gapSpec, sizeSpec } from "./distributionSpecs.js";
import { ggufGroupsSpec, ggufLayersSpec } from "./ggufSpecs.js";
import type { PlotInputs } from "./inputs.js";
import { latencyHistogramSpec, latencyTimeSpec } from "./latencySpecs.js";
import type { VEGA_PLOT_NAMES } from "./names.js";
import { offsetSpec } from "./offsetSpec.js";
import type { VlSpec } from "./theme.js";
import { coverageSpec, throughputSpec } from "./timeSpecs.js";

/** One kind of plot: its file name, what it shows, and its spec (undefined when the run lacks the data). */
export interface PlotKind {
  readonly name: (typeof VEGA_PLOT_NAMES)[number];
  readonly description: string;
  readonly spec: (inputs: PlotInputs) => VlSpec | undefined;
  /** Why the spec is undefined, when it is not the latency reason. */
  readonly needs?: string;
}

/**
 * Every vega-lite plot `blkrx plot` and `blkrx report` draw, in page order.
 * Extension point: a new plot (e.g. the GGUF layer × time heatmap, from an
 * optional field added to PlotInputs) is one entry here; it returns
 * undefined for runs without its data, and the CLI, the report and the
 * tests pick it up by name (add the name to names.ts too).
 */
export const PLOTS: readonly PlotKind[] = [
  { name: "offset", description: "file and device offset over time, by gap class", spec: offsetSpec },
  { name: "coverage", description: "cumulative total and unique bytes read over time", spec: coverageSpec },
  { name: "throughput", description: "MiB/s, IOPS and seeks/s per time bucket", spec: throughputSpec },
  { name: "gaps", description: "gap classes, physical beside logical", spec: gapSpec },
  { name: "sizes", description: "request sizes in power-of-two buckets", spec: sizeSpec },
  { name: "latency", description: "per-interval latency histograms (Q2G … Q2C)", spec: latencyHistogramSpec },
  { name: "latency-time", description: "D2C and Q2C over time", spec: latencyTimeSpec },
  {
    name: "gguf-layers",
    description: "bytes read per model layer over time (GGUF heatmap)",
    spec: ggufLayersSpec,
    needs: "it needs --gguf MODEL.gguf",
  },
  {
    name: "gguf-groups",
    description: "per tensor group: bytes read as a multiple of its size",
    spec: ggufGroupsSpec,
    needs: "it needs --gguf MODEL.gguf",
  },
];
