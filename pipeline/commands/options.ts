import { InvalidArgumentError, Option } from "commander";
import { TRACE_FORMATS, type TraceFormat } from "../../sources/detectFormat.js";

/**
 * Parse a non-negative integer option value (commander argParser).
 *
 * @example new Option("--small <sectors>").argParser(nonNegativeInt)
 */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
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

/** What commander gives for {@link analysisOptions} and {@link inputOptions}. */
export interface AnalysisCliOptions {
  extents?: string;
  file?: string;
  partitionStart?: number;
  fileSize?: number;
  action: "Q" | "D" | "C";
  rw: "read" | "write" | "any";
  small: number;
  medium: number;
  format?: TraceFormat;
  lenient?: boolean;
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

/** The selection and gap options of analyze-like commands. */
export function analysisOptions(): Option[] {
  return [
    new Option("--extents <filefrag.txt>", "filefrag -v output of the file to restrict to"),
    new Option("--file <path>", "the file to restrict to (runs filefrag and reads the partition start itself)"),
    new Option("--partition-start <sectors>", "partition start in sectors, for --extents").argParser(nonNegativeInt),
    new Option("--file-size <bytes>", "file size (default: from the filefrag header)").argParser(nonNegativeInt),
    new Option("--action <letter>", "action to count").choices(["Q", "D", "C"]).default("D"),
    new Option("--rw <dir>", "direction to count").choices(["read", "write", "any"]).default("read"),
    new Option("--small <sectors>", "largest small gap").argParser(nonNegativeInt).default(256),
    new Option("--medium <sectors>", "largest medium gap").argParser(nonNegativeInt).default(2048),
  ];
}
