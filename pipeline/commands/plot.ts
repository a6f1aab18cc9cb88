import { type Command, InvalidArgumentError, Option } from "commander";
import { PLOT_NAMES } from "../../sinks/plots/names.js";
import {
  type AnalysisCliOptions,
  analysisOptions,
  deviceOption,
  fileRangeOptions,
  ggufOption,
  gridSide,
  inputOptions,
  MERGED_INPUTS_HELP,
} from "./options.js";

/** Options of `blkrx plot`. */
export interface PlotCliOptions extends Omit<AnalysisCliOptions, "format"> {
  out: string;
  title?: string;
  columns: number;
  rows: number;
  /** Input and image formats, as given to --format (see {@link splitFormats}). */
  format?: string[];
  only?: string[];
  run?: number[];
  db: string;
  phaseAt?: number[];
}

const INPUT_FORMATS = ["binary", "blkparse", "ftrace", "ndjson"] as const;
const IMAGE_FORMATS = ["svg", "png", "both"] as const;

/**
 * `--format` of plot takes an input format, an image format, or both (given
 * twice): `--format blkparse --format png`.
 *
 * @example splitFormats(["blkparse", "png"]) // { input: "blkparse", image: "png" }
 */
export function splitFormats(values: readonly string[] = []): {
  input?: (typeof INPUT_FORMATS)[number];
  image: (typeof IMAGE_FORMATS)[number];
} {
  const input = INPUT_FORMATS.find((f) => values.includes(f));
  const image = [...IMAGE_FORMATS].reverse().find((f) => values.includes(f)) ?? "svg";
  return { ...(input ? { input } : {}), image };
}

function collectFormat(value: string, previous: string[] | undefined): string[] {
  if (![...INPUT_FORMATS, ...IMAGE_FORMATS].includes(value as never))
    throw new InvalidArgumentError(
      `expected an image format (${IMAGE_FORMATS.join(", ")}) or an input format (${INPUT_FORMATS.join(", ")}), got "${value}"`,
    );
  return [...(previous ?? []), value];
}

function plotList(value: string, previous: string[] | undefined): string[] {
  const names = value.split(",").map((n) => n.trim());
  const unknown = names.filter((n) => !PLOT_NAMES.includes(n));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown plot "${unknown.join(", ")}": expected some of ${PLOT_NAMES.join(", ")}`);
  return [...(previous ?? []), ...names];
}

/** Accumulate run ids of a variadic `--run` (plot and report). */
export function runIdList(value: string, previous: number[] | undefined): number[] {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new InvalidArgumentError(`expected a positive run id, got "${value}"`);
  return [...(previous ?? []), id];
}

/**
 * `blkrx plot (INPUT... | --run ID...) --out DIR`: draw every applicable
 * plot of the kept events (offset over time, coverage, throughput/IOPS/seeks,
 * gaps, request sizes, latency) as SVG and/or PNG files named after the plot;
 * `--only access --out FILE.svg` is the density access map of earlier versions.
 *
 * @example registerPlot(program)
 */
export function registerPlot(program: Command): void {
  const cmd = program
    .command("plot")
    .description(
      "draw the plots of a trace or stored run (offset, coverage, throughput, gaps, sizes, latency, access) as SVG/PNG",
    )
    .argument("[inputs...]", `${MERGED_INPUTS_HELP} (or --run ID)`);
  for (const option of [...fileRangeOptions(), ...analysisOptions(), ...inputOptions()]) {
    if (option.long !== "--format") cmd.addOption(option);
  }
  cmd.addOption(deviceOption());
  cmd.addOption(ggufOption());
  cmd
    .addOption(
      new Option(
        "--format <format>",
        "image format svg|png|both (default svg) and/or input format binary|blkparse|ftrace|ndjson (default: detected); give it twice for both",
      ).argParser(collectFormat),
    )
    .option("--out <dir>", "directory for the plots (or FILE.svg/FILE.png/- with one --only plot)", "blkrx-plots")
    .addOption(
      new Option("--only <names>", `plots to draw, comma-separated: ${PLOT_NAMES.join(", ")}`).argParser(plotList),
    )
    .addOption(new Option("--run <ids...>", "plot stored runs instead of trace files").argParser(runIdList))
    .option("--db <path>", "DuckDB run store for --run", "./blkrx.duckdb")
    .addOption(
      new Option("--phase-at <seconds...>", "shade phases starting at these trace times (s)").argParser(
        (v: string, prev: number[] | undefined) => {
          const s = Number(v);
          if (!Number.isFinite(s) || s < 0) throw new InvalidArgumentError(`expected seconds ≥ 0, got "${v}"`);
          return [...(prev ?? []), s];
        },
      ),
    )
    .option("--title <title>", "title of the plots (default: the inputs or the run label)")
    .addOption(new Option("--columns <n>", "time buckets of the access map").argParser(gridSide).default(600))
    .addOption(new Option("--rows <n>", "offset buckets of the access map").argParser(gridSide).default(300))
    .action(async (inputs: string[], options: PlotCliOptions) => {
      const { runPlot } = await import("../runPlot.js");
      await runPlot(inputs, options);
    });
}
