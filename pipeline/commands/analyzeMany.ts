import { type Command, InvalidArgumentError, Option } from "commander";
import { type AnalysisCliOptions, analysisOptions, deviceOption, fileRangeOptions, inputOptions } from "./options.js";

/** Options of `blkrx analyze-many` as commander parses them. */
export interface AnalyzeManyCliOptions extends AnalysisCliOptions {
  json?: boolean;
  jobs?: number;
  /** Store each run in this DuckDB file (nothing is stored without it). */
  db?: string;
  splitBy?: "device";
}

/**
 * `blkrx analyze-many INPUT...`: analyze each trace file (or each trace in
 * a given directory) as its own run, in parallel on worker threads, and
 * print one summary per input in input order — NDJSON lines
 * `{"input": ..., ...summary}` with --json, else a table. With `--db PATH`
 * each run is stored too (summary, settings, extents; not its events).
 *
 * @example registerAnalyzeMany(program)
 */
export function registerAnalyzeMany(program: Command): void {
  const cmd = program
    .command("analyze-many")
    .description("analyze many traces, each as its own run, on all cores; one summary per input")
    .argument("<inputs...>", "trace files, blktrace base names, or directories of traces");
  for (const option of [...fileRangeOptions(), ...analysisOptions(), ...inputOptions()]) cmd.addOption(option);
  cmd.addOption(deviceOption());
  cmd
    .addOption(new Option("--jobs <n>", "worker threads (default: available cores)").argParser(positiveInt))
    .option("--json", "print one JSON object per input (NDJSON), in input order (with runId when stored)")
    .option(
      "--db <path>",
      "store each run (its summary, settings and extents, not its events) in this DuckDB file; nothing is stored without it",
    )
    .addOption(
      new Option(
        "--split-by <key>",
        "one run per device of each input (a dataset file with many volumes); rows name the device, e.g. alibaba:419",
      ).choices(["device"]),
    )
    .action(async (inputs: string[], options: AnalyzeManyCliOptions) => {
      const { runAnalyzeMany } = await import("../runAnalyzeMany.js");
      await runAnalyzeMany(inputs, options);
    });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}
