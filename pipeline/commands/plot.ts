import { type Command, Option } from "commander";
import {
  type AnalysisCliOptions,
  analysisOptions,
  deviceOption,
  inputOptions,
  MERGED_INPUTS_HELP,
  nonNegativeInt,
} from "./options.js";

/** Options of `blkrx plot`. */
export interface PlotCliOptions extends AnalysisCliOptions {
  out: string;
  title?: string;
  columns: number;
  rows: number;
}

/**
 * `blkrx plot INPUT...`: draw the kept events as an SVG access map (time ×
 * file offset, shaded by sectors read), the picture that shows mmap re-reads
 * under memory pressure at a glance.
 *
 * @example registerPlot(program)
 */
export function registerPlot(program: Command): void {
  const cmd = program
    .command("plot")
    .description("draw an SVG access map of the kept events: time × file offset, shaded by sectors read")
    .argument("<inputs...>", MERGED_INPUTS_HELP);
  for (const option of [...analysisOptions(), ...inputOptions()]) cmd.addOption(option);
  cmd.addOption(deviceOption());
  cmd
    .option("--out <file.svg>", "where to write the SVG (- for stdout)", "access.svg")
    .option("--title <title>", "title above the plot (default: the inputs)")
    .addOption(new Option("--columns <n>", "time buckets").argParser(nonNegativeInt).default(600))
    .addOption(new Option("--rows <n>", "offset buckets").argParser(nonNegativeInt).default(300))
    .action(async (inputs: string[], options: PlotCliOptions) => {
      const { runPlot } = await import("../runPlot.js");
      await runPlot(inputs, options);
    });
}
