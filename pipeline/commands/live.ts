import { type Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_BUFFER_KB } from "../../sources/liveDefaults.js";
import { analysisOptions, fileRangeOptions, inputOptions, kibibytes } from "./options.js";

/**
 * `blkrx live [INPUT]`: trace the disk holding --file (or --device) live, or
 * read a trace piped in (`-`), with a live-updating console view and a final
 * summary on exit or Ctrl-C; the run is stored.
 *
 * @example registerLive(program)
 */
export function registerLive(program: Command): void {
  const cmd = program
    .command("live")
    .description("trace live (or read a piped trace) with a live view; final summary on exit or Ctrl-C")
    .argument(
      "[input]",
      "a trace to read as it arrives instead of tracing: - for stdin (blktrace -o - or blkparse output)",
    )
    .option(
      "--device <dev>",
      "device to trace (default: the disk holding --file); with an input, only that device's events (7:0, 7,0 or a device name)",
    )
    .addOption(new Option("--duration <seconds>", "stop after this many seconds (default: Ctrl-C)").argParser(seconds))
    .addOption(
      new Option("--tracer <tracer>", "tracing interface").choices(["auto", "blktrace", "tracefs"]).default("auto"),
    )
    .option("--kernel-filter", "filter to the file's sectors in the kernel (trace/start_lba, end_lba)")
    .option("--view", "draw the status line even when stderr is not a terminal (one line per second)")
    .option("--no-view", "no live status line (it is drawn only on a terminal anyway)")
    .addOption(
      new Option("--buffer-size <KiB>", `kernel trace buffer per CPU in KiB (default ${DEFAULT_BUFFER_KB})`).argParser(
        kibibytes,
      ),
    )
    .option("--ready-file <path>", "write this file once the tracer is armed (start your workload when it appears)")
    .option("--save-trace <file>", "also write the raw trace as binary blk_io_trace (blkparse, btt read it)")
    .option(
      "--verbose",
      "say notes that are otherwise said once per boot (the tracer fallback), and the tracer's and store writer's peak RSS",
    )
    .option("--json", "print exactly the summary JSON object on stdout (with runId when the run is stored)")
    .option("--db <path>", "DuckDB file to store the run in", "./blkrx.duckdb")
    .option("--no-db", "do not store the run")
    .option("--label <label>", "label of the run in the store");
  for (const option of [...fileRangeOptions(), ...analysisOptions(), ...inputOptions()]) cmd.addOption(option);
  cmd.action(async (input: string | undefined, options: import("../experiment/runLive.js").LiveCliOptions) => {
    const { runLive } = await import("../experiment/runLive.js");
    const viewGiven = cmd.getOptionValueSource("view") === "cli";
    await runLive(input, { ...options, viewGiven }, cmd.getOptionValueSource("db") === "default");
  });
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number of seconds > 0, got "${value}"`);
  return n;
}
