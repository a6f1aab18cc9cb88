import { connect, firstValueFrom, forkJoin, identity, type Observable, of, tap } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { deviceRuns, type FileMap } from "../model/fileMap.js";
import type { GgufLayout } from "../model/ggufLayout.js";
import { type AccessGridOptions, accessGrid } from "../operators/accessGrid.js";
import { latencySeries } from "../operators/latencySeries.js";
import { latencySummary } from "../operators/latencySummary.js";
import { LayerTimeGrid } from "../operators/layerTimeGrid.js";
import { type PlotSeriesOptions, plotSeries } from "../operators/plotSeries.js";
import { requestLifecycle } from "../operators/requestLifecycle.js";
import { sectorRange } from "../operators/sectorRange.js";
import { summarize } from "../operators/summarize.js";
import { TensorAttributionAccumulator } from "../operators/tensorAttribution.js";
import type { PlotInputs, PlotPhase } from "../sinks/plots/inputs.js";
import { type AnalyzeOptions, analyzeEvents } from "./analyze.js";

/** What {@link plotInputsOf} reads and how. */
export interface PlotSourceOptions extends AnalyzeOptions {
  /** Shown at the start of every plot title. */
  title: string;
  /** Events to analyze (may be pre-filtered to the selection). */
  kept: () => Observable<EventBatch>;
  /** Every event (Q … C), to follow bios for the latency plots; a string says why there is none. */
  all?: (() => Observable<EventBatch>) | string | undefined;
  /** Phase starts (ns since the trace's first event), after the first phase. */
  phaseStarts?: readonly number[];
  /** Also fold the density access map (same pass over the events). */
  access?: Omit<AccessGridOptions, "fileMap">;
  /** The GGUF model's layout (`--gguf`) and where its `(end)` region stops, for the tensor plots. */
  gguf?: { layout: GgufLayout; endBytes: number };
  /** Downsampling options of the series (tests and the bench set these). */
  series?: PlotSeriesOptions;
}

/**
 * Compute everything the plots of one run draw: analyze the kept events once
 * into the summary and the plot series, and (when every event is at hand)
 * follow bios once into the latency report and latency-over-time series.
 *
 * @example const inputs = await plotInputsOf({ title: "x", kept: () => fromTrace("x.bin"), fileMap });
 */
export async function plotInputsOf(options: PlotSourceOptions): Promise<PlotInputs> {
  const { fileMap } = options;
  const access = options.access;
  const attribution = options.gguf
    ? new TensorAttributionAccumulator(options.gguf.layout, options.gguf.endBytes)
    : undefined;
  const layerTime = options.gguf ? new LayerTimeGrid(options.gguf.layout) : undefined;
  const [summary, series, grid] = await firstValueFrom(
    options.kept().pipe(
      analyzeEvents(options),
      attribution && layerTime
        ? tap((batch) => {
            attribution.add(batch);
            layerTime.add(batch);
          })
        : identity,
      connect((events) =>
        forkJoin([
          events.pipe(summarize(fileMap ? { fileMap } : {})),
          events.pipe(plotSeries(options.series ?? {})),
          access ? events.pipe(accessGrid({ ...access, ...(fileMap ? { fileMap } : {}) })) : of(undefined),
        ]),
      ),
    ),
  );
  const latency =
    typeof options.all === "function" ? await latencyOf(options.all(), fileMap, options.series) : undefined;
  const noLatency = latency
    ? undefined
    : typeof options.all === "string"
      ? options.all
      : options.all
        ? "the trace has no completed bios to follow (needs queue and complete events)"
        : "latency was not asked for";
  const phases: PlotPhase[] =
    options.phaseStarts && options.phaseStarts.length > 0
      ? [0, ...options.phaseStarts].map((startNs, k) => ({ name: `phase ${k}`, startNs }))
      : [];
  return {
    title: options.title,
    summary,
    series,
    ...(fileMap ? { fileBytes: fileMap.fileSize, extents: deviceRuns(fileMap) } : {}),
    ...(phases.length > 0 ? { phases } : {}),
    ...(latency ? { latency } : {}),
    ...(noLatency ? { noLatency } : {}),
    ...(grid ? { access: grid } : {}),
    ...(attribution && layerTime ? { gguf: { ...attribution.result(), layerTime: layerTime.result() } } : {}),
  };
}

async function latencyOf(
  events: Observable<EventBatch>,
  fileMap: FileMap | undefined,
  series: PlotSeriesOptions | undefined,
): Promise<PlotInputs["latency"]> {
  const [report, points] = await firstValueFrom(
    events.pipe(
      fileMap ? sectorRange(fileMap) : identity,
      requestLifecycle(),
      connect((bios) =>
        forkJoin([
          bios.pipe(latencySummary()),
          bios.pipe(
            latencySeries({
              ...(series?.maxPoints !== undefined ? { maxPoints: series.maxPoints } : {}),
              ...(series?.columns !== undefined ? { columns: series.columns } : {}),
            }),
          ),
        ]),
      ),
    ),
  );
  return report.requests > 0 ? { report, series: points } : undefined;
}
