import type { LatencyReport } from "../../model/latency.js";
import type { AccessGrid, LayerTime, MinMaxPoints, PlotSeries } from "../../model/plotData.js";
import type { Summary } from "../../model/summary.js";
import type { TensorAttribution } from "../../model/tensorAttribution.js";

/** A phase of a run: its name and start (ns since the trace's first event). */
export interface PlotPhase {
  readonly name: string;
  readonly startNs: number;
}

/** One extent of the file: first device sector, first file sector, length in sectors. */
export interface PlotExtent {
  readonly device: number;
  readonly file: number;
  readonly sectors: number;
}

/**
 * Everything the plots of one run draw, computed by operators before any
 * spec is built. Extension point: later data (GGUF tensor attribution) is
 * one more optional field here and one more entry in PLOTS (registry.ts).
 */
export interface PlotInputs {
  /** Shown at the start of every plot title (run label or inputs). */
  readonly title: string;
  readonly series: PlotSeries;
  readonly summary: Summary;
  /** File size in bytes when the events were clipped to a file. */
  readonly fileBytes?: number;
  readonly extents?: readonly PlotExtent[];
  readonly phases?: readonly PlotPhase[];
  /** Request latency, when the trace has the events to follow bios (Q … C). */
  readonly latency?: { readonly report: LatencyReport; readonly series: MinMaxPoints };
  /** The density access map, when asked for (drawn by renderAccessPlot, not vega-lite). */
  readonly access?: AccessGrid;
  /** GGUF tensor attribution (`--gguf`): per-region reads, transitions, bytes per layer over time. */
  readonly gguf?: TensorAttribution & { readonly layerTime: LayerTime };
  /** Why there is no latency (said on stderr and in the report instead of the plots). */
  readonly noLatency?: string;
}
