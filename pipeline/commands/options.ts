import { InvalidArgumentError, Option } from "commander";
import { ALL_ACTIONS, normalizeActions } from "../../model/actions.js";
import { type AnalysisSettings, DEFAULT_ANALYSIS_SETTINGS } from "../../model/analysisSettings.js";
import { InputError } from "../../model/errors.js";
import { TRACE_FORMATS, type TraceFormat } from "../../sources/detectFormat.js";

/**
 * Parse a non-negative integer option value (commander argParser).
 *
 * @example new Option("--small <sectors>").argParser(nonNegativeInt)
 */
export function nonNegativeInt(value: string): number {
  // Number("") and Number(" ") are 0: only digits count as a number here.
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

/** The largest access-map grid side: 10,000 cells a side already outdraws any screen. */
export const MAX_GRID_SIDE = 10_000;

/**
 * Parse an access-map grid size (columns or rows): an integer from 2 to {@link MAX_GRID_SIDE}.
 *
 * @example new Option("--columns <n>").argParser(gridSide)
 */
export function gridSide(value: string): number {
  const n = nonNegativeInt(value);
  if (n < 2 || n > MAX_GRID_SIDE)
    throw new InvalidArgumentError(
      `expected an integer from 2 to ${MAX_GRID_SIDE.toLocaleString("en-US")}, got "${value}"`,
    );
  return n;
}

/**
 * Check the gap limits of a parsed command: `--small` may not exceed `--medium`
 * (commander checks options one at a time, so this runs before the action).
 *
 * @example program.hook("preAction", (_, command) => checkGapLimits(command.opts()));
 */
export function checkGapLimits(options: { small?: unknown; medium?: unknown }): void {
  const { small, medium } = options;
  if (typeof small === "number" && typeof medium === "number" && small > medium)
    throw new InputError(
      `Cannot classify gaps: --small must be at most --medium (got --small ${small}, --medium ${medium})`,
    );
}

/**
 * Parse a kernel buffer size in KiB (`--buffer-size`): an integer from 4 to 4194304 (4 GiB).
 *
 * @example kibibytes("16384") // 16384
 */
export function kibibytes(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 4 || n > 4_194_304)
    throw new InvalidArgumentError(`expected KiB per CPU as an integer from 4 to 4194304, got "${value}"`);
  return n;
}

/**
 * Parse a byte size such as 40M, 2G, 1048576 (K/M/G/T are powers of 1024).
 *
 * @example parseBytes("40M") // 41943040
 */
export function parseBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a size such as 40M or 1073741824, got "${value}"`);
  const power = { "": 0, k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? "").toLowerCase()] ?? 0;
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** What commander gives for {@link fileRangeOptions}. */
export interface FileRangeCliOptions {
  extents?: string;
  file?: string;
  partitionStart?: number;
  fileSize?: number;
}

/**
 * What commander gives for {@link analysisOptions}, {@link fileRangeOptions} and {@link inputOptions}.
 * The action is normalised: a letter, `Q,D,C` or `all` (see {@link parseActions}).
 */
export interface AnalysisCliOptions extends AnalysisSettings, FileRangeCliOptions {
  format?: TraceFormat;
  lenient?: boolean;
  device?: string;
  /** `--gguf MODEL.gguf` (see {@link ggufOption}). */
  gguf?: string;
}

/** The shared input options of replay commands (format, lenient). */
export function inputOptions(): Option[] {
  return [
    new Option(
      "--format <format>",
      "input format (default: detected from the content); msr, alibaba, tencent and biosnoop are public dataset formats",
    ).choices(TRACE_FORMATS),
    new Option("--lenient", "skip damaged records, count them and report the count as `skipped`"),
  ];
}

/** Help text of the inputs of commands that read traces as one run. */
export const MERGED_INPUTS_HELP =
  "trace files, - for stdin, or a blktrace base name (NAME → NAME.blktrace.*); several inputs are merged by time into one run, as the per-CPU files of one trace are (a warning says when they are not one trace; analyze-many gives one run per input)";

/** Help text of `--device` for commands that read traces. */
export const DEVICE_HELP =
  "only events of this device: MAJOR:MINOR or MAJOR,MINOR as the trace prints it (7:0, 7,0), or a device name on this machine (loop0, /dev/loop0); required with a file range when the input holds several devices";

/** `--device` of the commands that read traces (analyze, analyze-many, cat, plot, latency). */
export function deviceOption(): Option {
  return new Option("--device <dev>", DEVICE_HELP);
}

/** Help text of `--action`. */
export const ACTION_HELP =
  "actions to count: one blkparse letter (Q queued, D issued, C completed, ...), a comma list such as Q,D,C (each listed event counts on its own, as a grep over blkparse lines does), or all (= Q,G,I,D,C,M,F,A,B)";

/**
 * Parse `--action`: a letter, a comma list or `all`, normalised
 * (`q, d,c` → `Q,D,C`); unknown letters are refused in one sentence.
 *
 * @example parseActions("q,d,c") // "Q,D,C"
 */
export function parseActions(value: string): string {
  try {
    return normalizeActions(value);
  } catch {
    throw new InvalidArgumentError(
      `expected blkparse action letters (${ALL_ACTIONS.join(", ")}) separated by commas, or all; got "${value}"`,
    );
  }
}

/**
 * The {@link AnalysisSettings} as options, with their defaults from
 * {@link DEFAULT_ANALYSIS_SETTINGS}: `--action --rw --small --medium`, the
 * same on every command that selects events and classifies gaps (analyze,
 * analyze-many, plot, gguf attribute, live, run).
 *
 * @example for (const option of analysisOptions()) cmd.addOption(option);
 */
export function analysisOptions(): Option[] {
  const d = DEFAULT_ANALYSIS_SETTINGS;
  return [
    new Option("--action <letters>", ACTION_HELP).argParser(parseActions).default(d.action),
    new Option("--rw <dir>", "direction to count").choices(["read", "write", "any"]).default(d.rw),
    new Option("--small <sectors>", "largest small gap").argParser(nonNegativeInt).default(d.small),
    new Option("--medium <sectors>", "largest medium gap").argParser(nonNegativeInt).default(d.medium),
  ];
}

/**
 * The file range options: restrict to one file's sectors, from its
 * `filefrag -v` output or from the file itself (analyze, analyze-many, plot,
 * gguf attribute, latency, live).
 *
 * @example for (const option of fileRangeOptions()) cmd.addOption(option);
 */
export function fileRangeOptions(): Option[] {
  return [
    new Option("--extents <filefrag.txt>", "filefrag -v output of the file to restrict to"),
    new Option("--file <path>", "the file to restrict to (runs filefrag and reads the partition start itself)"),
    new Option(
      "--partition-start <sectors>",
      "partition start in sectors, required with --extents (0 for a filesystem on a whole disk)",
    ).argParser(nonNegativeInt),
    new Option("--file-size <bytes>", "file size (default: from the filefrag header)").argParser(nonNegativeInt),
  ];
}

/** Help text of `--gguf`. */
export const GGUF_HELP =
  "the GGUF model the trace read: attribute reads and backward seeks to its tensors (spec v2: `tensors` and `backward` in --json, per-layer tables)";

/**
 * `--gguf MODEL.gguf` of the commands that can attribute reads to tensors
 * (analyze, latency, plot; live and run add it with `cmd.addOption(ggufOption())`).
 *
 * @example cmd.addOption(ggufOption())
 */
export function ggufOption(): Option {
  return new Option("--gguf <model.gguf>", GGUF_HELP);
}

/** `--top N`: rows of the backward-transition table with `--gguf`. */
export function ggufTopOption(): Option {
  return new Option("--top <n>", "backward transitions shown in the table with --gguf")
    .argParser(positiveInt)
    .default(10);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/**
 * Parse one run id (`--run ID` of cat, analyze, latency): a positive integer.
 *
 * @example new Option("--run <id>").argParser(runId)
 */
export function runId(value: string): number {
  const id = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new InvalidArgumentError(`expected a positive run id, got "${value}"`);
  return id;
}

/** `--run ID` and its `--db PATH`: read a stored run instead of trace files (cat, analyze, latency). */
export function storedRunOptions(what: string): Option[] {
  return [
    new Option("--run <id>", `${what} a stored run (see blkrx runs) instead of trace files`).argParser(runId),
    new Option("--db <path>", "DuckDB run store of --run").default("./blkrx.duckdb"),
  ];
}

/**
 * Check that a command got trace files or `--run ID`, not both and not neither.
 *
 * @example requireInputsOrRun("cat", inputs, options.run);
 */
export function requireInputsOrRun(command: string, inputs: readonly string[], run: number | undefined): void {
  if (run !== undefined && inputs.length > 0)
    throw new InputError(`Cannot ${command} trace files and --run ${run} together: give either INPUT... or --run ID`);
  if (run === undefined && inputs.length === 0)
    throw new InputError(`Nothing to ${command}: give trace files or --run ID`);
}
