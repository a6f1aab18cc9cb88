import { writeFile } from "node:fs/promises";
import { EMPTY } from "rxjs";
import { type AnalysisSettings, analysisSettings } from "../model/analysisSettings.js";
import { newSkipCounter, type SkipCounter } from "../model/errors.js";
import type { FileMap } from "../model/fileMap.js";
import type { GgufLayout } from "../model/ggufLayout.js";
import { selectionFilter } from "../operators/select.js";
import { describeSelection, SelectionTally, whyNothingKept } from "../operators/selectionTally.js";
import { renderAccessPlot } from "../sinks/accessPlot.js";
import { openStore } from "../sinks/duckdb/openStore.js";
import type { PlotInputs } from "../sinks/plots/inputs.js";
import { GGUF_PLOT_NAMES, PLOT_NAMES } from "../sinks/plots/names.js";
import { PLOTS } from "../sinks/plots/registry.js";
import { renderSvg, svgToPng } from "../sinks/plots/render.js";
import { type ImageFormat, writeImage, writePlots } from "../sinks/plots/writePlots.js";
import { fromTrace } from "../sources/fromTrace.js";
import { readGgufLayout } from "../sources/ggufHeader.js";
import { type PlotCliOptions, splitFormats } from "./commands/plot.js";
import { deviceOfOption, requireOneDevice } from "./deviceOption.js";
import { fileMapFromOptions } from "./fileMapFromOptions.js";
import { ggufEndBytes } from "./ggufEndBytes.js";
import { plotInputsOf } from "./plotInputs.js";
import { loadStoredRun, storedEvents } from "./storedRun.js";

const SINGLE_FILE = /\.(svg|png)$/i;

/**
 * The `blkrx plot` command: compute the plot inputs of the trace files (or
 * of each `--run`) and write every asked plot into the `--out` directory;
 * with one `--only` plot and `--out FILE.svg|.png|-`, write just that file.
 *
 * @example await runPlot(["x.bin"], { ...DEFAULT_ANALYSIS_SETTINGS, out: "plots", format: ["png"], columns: 600, rows: 300, db: "blkrx.duckdb" });
 */
export async function runPlot(inputs: string[], options: PlotCliOptions): Promise<void> {
  const formats = splitFormats(options.format);
  const single = options.out === "-" || SINGLE_FILE.test(options.out);
  // A file-like --out without --only is the access map, as `blkrx plot x.bin --out access.svg` always drew.
  const names =
    options.only ??
    (single ? ["access"] : PLOT_NAMES.filter((n) => options.gguf !== undefined || !GGUF_PLOT_NAMES.includes(n)));
  if (single && names.length !== 1)
    throw new RangeError(
      `Cannot write ${names.length} plots to --out ${options.out}: give a directory, or one --only plot`,
    );
  if (options.run && inputs.length > 0)
    throw new RangeError(`Cannot plot trace files and --run together: give either INPUT... or --run ID`);
  if (!options.run && inputs.length === 0) throw new RangeError(`Nothing to plot: give trace files or --run ID`);
  const skips = options.lenient ? newSkipCounter() : undefined;
  const layout = options.gguf !== undefined ? await readGgufLayout(options.gguf) : undefined;
  const ggufOf = (fileMap: FileMap | undefined) =>
    layout && options.gguf !== undefined
      ? { gguf: { layout, endBytes: ggufEndBytes(layout, options.gguf, fileMap) } }
      : {};

  const jobs: { prefix: string; data: PlotData }[] = [];
  if (options.run) {
    const store = await openStore(options.db, { mustExist: true });
    try {
      for (const id of options.run) {
        const run = await loadStoredRun(store, id);
        const title = options.title ?? String(run.params.label ?? `run ${id}`);
        const analysis = {
          ...run.settings,
          ...(run.fileMap ? { fileMap: run.fileMap } : {}),
          ...ggufOf(run.fileMap),
        };
        const prefix = options.run.length > 1 ? `run-${id}-` : "";
        const data = await compute(names, title, analysis, options, {
          kept: () => storedEvents(store, run),
          all: run.hasRaw
            ? () => storedEvents(store, run)
            : `run ${id} was stored without --raw, so its queue and complete events are not in the store`,
          phaseStarts: run.phaseStarts,
        });
        jobs.push({ prefix, data });
      }
    } finally {
      store.close();
    }
  } else {
    const fileMap = await fileMapFromOptions(options);
    const device = options.device !== undefined ? deviceOfOption(options.device) : undefined;
    const tally = new SelectionTally();
    const analysis = {
      ...analysisSettings(options),
      tally,
      ...(fileMap ? { fileMap } : {}),
      ...(device !== undefined ? { device } : {}),
      ...ggufOf(fileMap),
    };
    const trace = (keep: boolean) => () =>
      fromTrace(inputs, {
        ...(formats.input ? { format: formats.input } : {}),
        ...(skips ? { lenient: skips } : {}),
        payloads: false,
        ...(keep ? { keep: selectionFilter({ action: options.action, rw: options.rw, tally }) } : {}),
      });
    const data = await compute(names, options.title ?? inputs.join(" "), analysis, options, {
      kept: trace(true),
      all: trace(false),
      phaseStarts: (options.phaseAt ?? []).map((s) => s * 1e9),
    });
    const words = {
      action: options.action,
      rw: options.rw,
      inFile: fileMap !== undefined,
      ...(options.device !== undefined ? { device: options.device } : {}),
    };
    requireOneDevice(tally, {
      ...words,
      inputs: inputs.join(" "),
      what: describeSelection(options.action, options.rw),
    });
    const why = whyNothingKept(tally, data.events, words);
    if (why) process.stderr.write(`blkrx: ${why}\n`);
    jobs.push({ prefix: "", data });
  }

  for (const job of jobs) {
    const { inputs: plotInputs, grid, events } = job.data;
    if (single) {
      const svg = grid ?? (await singleSvg(plotInputs, names[0] as string));
      await writeSingle(svg, options.out, formats.image, events);
      continue;
    }
    const written = plotInputs
      ? await writePlots(plotInputs, names, options.out, formats.image, job.prefix)
      : { files: [], skipped: [] };
    if (grid) written.files.push(...(await writeImage(grid, `${options.out}/${job.prefix}access`, formats.image)));
    process.stderr.write(
      `blkrx: wrote ${written.files.length} file(s) to ${options.out}: ${written.files.map((f) => f.slice(options.out.length + 1)).join(", ")}\n`,
    );
    for (const s of written.skipped) process.stderr.write(`blkrx: no ${s.name} plot: ${s.why}\n`);
  }
  reportSkips(skips);
}

/** What one trace or run gives the writers: plot inputs, the access map SVG, and the kept events counted. */
interface PlotData {
  inputs?: PlotInputs;
  grid?: string;
  events: number;
}

interface Analysis extends AnalysisSettings {
  fileMap?: FileMap;
  device?: number;
  tally?: SelectionTally;
  gguf?: { layout: GgufLayout; endBytes: number };
}

/** The plot inputs (when a vega-lite plot is asked) and the access map SVG (when "access" is asked). */
async function compute(
  names: readonly string[],
  title: string,
  analysis: Analysis,
  options: PlotCliOptions,
  source: Pick<Parameters<typeof plotInputsOf>[0], "kept" | "all" | "phaseStarts">,
): Promise<PlotData> {
  const wantsLatency = names.some((n) => n.startsWith("latency"));
  // Latency plots alone need no pass over the kept events (following bios is the whole cost).
  const wantsKept = names.some((n) => !n.startsWith("latency"));
  const inputs = await plotInputsOf({
    ...analysis,
    title,
    ...source,
    kept: wantsKept ? source.kept : () => EMPTY,
    all: wantsLatency ? source.all : "latency was not asked for",
    ...(names.includes("access") ? { access: { columns: options.columns, rows: options.rows } } : {}),
  });
  const grid = inputs.access ? renderAccessPlot(inputs.access, { title }) : undefined;
  return { inputs, ...(grid ? { grid } : {}), events: inputs.series.events };
}

async function singleSvg(inputs: PlotInputs | undefined, name: string): Promise<string> {
  const spec = inputs ? PLOTS.find((p) => p.name === name)?.spec(inputs) : undefined;
  if (!spec)
    throw new RangeError(`Cannot draw the ${name} plot: ${inputs?.noLatency ?? "the trace has no data for it"}`);
  return renderSvg(spec);
}

async function writeSingle(svg: string, out: string, image: ImageFormat, events: number): Promise<void> {
  const png = out.toLowerCase().endsWith(".png") || (out === "-" && image === "png");
  const bytes = png ? svgToPng(svg) : svg;
  if (out === "-") process.stdout.write(bytes);
  else {
    await writeFile(out, bytes);
    process.stderr.write(`blkrx: wrote ${out} (${events} events)\n`);
  }
}

function reportSkips(skips: SkipCounter | undefined): void {
  if (skips && skips.skipped > 0) process.stderr.write(`blkrx: skipped ${skips.skipped} damaged record(s)\n`);
}
