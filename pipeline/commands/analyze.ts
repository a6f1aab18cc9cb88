import { type Command, Option } from "commander";
import { InputError } from "../../model/errors.js";
import {
  type AnalysisCliOptions,
  analysisOptions,
  deviceOption,
  fileRangeOptions,
  ggufOption,
  ggufTopOption,
  inputOptions,
  MERGED_INPUTS_HELP,
  runId,
} from "./options.js";

/** Options of `blkrx analyze` as commander parses them. */
export interface AnalyzeCliOptions extends AnalysisCliOptions {
  json?: boolean;
  db: string | false;
  label?: string;
  latency?: boolean | "device" | "direction" | "process" | "phase";
  raw?: boolean;
  /** Rows of the backward-transition table with --gguf. */
  top?: number;
  /** Analyze this stored run (in --db) instead of trace files. */
  run?: number;
}

/** Options that choose what a trace's analysis is; a stored run (--run) has its own. */
const TRACE_ONLY = [
  "action",
  "rw",
  "small",
  "medium",
  "extents",
  "file",
  "partitionStart",
  "fileSize",
  "format",
  "lenient",
  "device",
  "gguf",
  "raw",
  "label",
];

/**
 * `blkrx analyze INPUT...`: replay traces, restrict to a file's sectors,
 * print total/unique bytes, coverage and the gap distribution, and store the
 * run in the DuckDB file (./blkrx.duckdb unless --db/--no-db).
 *
 * @example registerAnalyze(program)
 */
export function registerAnalyze(program: Command): void {
  const cmd = program
    .command("analyze")
    .description("summarize traces: events, total and unique bytes, coverage, gap classes (physical and logical)")
    .argument("[inputs...]", `${MERGED_INPUTS_HELP} (or --run ID)`);
  for (const option of [...fileRangeOptions(), ...analysisOptions(), ...inputOptions()]) cmd.addOption(option);
  cmd.addOption(deviceOption());
  cmd.addOption(ggufOption());
  cmd.addOption(ggufTopOption());
  cmd
    .option("--json", "print exactly the summary JSON object on stdout (with runId when the run is stored)")
    .option("--db <path>", "DuckDB file to store the run in", "./blkrx.duckdb")
    .option("--no-db", "do not store the run")
    .addOption(
      new Option(
        "--run <id>",
        "analyze a stored run of --db again (see blkrx runs), with the selection, file range and thresholds it was stored with; stores nothing",
      ).argParser(runId),
    )
    .option("--label <label>", "label of the run in the store")
    .option("--raw", "also store every raw event (table raw_events) for the SQL metrics over Parquet")
    .addOption(
      new Option("--latency [group]", "add the request latency report (like blkrx latency) under `latency`").choices([
        "device",
        "direction",
        "process",
        "phase",
      ]),
    )
    .action(async (inputs: string[], options: AnalyzeCliOptions) => {
      const given =
        options.run !== undefined ? TRACE_ONLY.find((o) => cmd.getOptionValueSource(o) === "cli") : undefined;
      if (given)
        throw new InputError(
          `Cannot use ${cmd.options.find((o) => o.attributeName() === given)?.long ?? given} with --run: a stored run is analyzed with the selection, file range and thresholds it was stored with (see blkrx runs)`,
        );
      const { runAnalyze } = await import("../runAnalyze.js");
      await runAnalyze(inputs, options, cmd.getOptionValueSource("db") === "default");
    });
}
