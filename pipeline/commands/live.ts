import { type Command, InvalidArgumentError, Option } from "commander";
import { analysisOptions, inputOptions } from "./options.js";

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
    .option("--no-view", "no live status line")
    .option("--json", "print exactly the summary JSON object on stdout")
    .option("--db <path>", "DuckDB file to store the run in", "./blkrx.duckdb")
    .option("--no-db", "do not store the run")
    .option("--label <label>", "label of the run in the store");
  for (const option of [...analysisOptions(), ...inputOptions()]) cmd.addOption(option);
  cmd.action(async (input: string | undefined, options: import("../experiment/runLive.js").LiveCliOptions) => {
    const { runLive } = await import("../experiment/runLive.js");
    await runLive(input, options, cmd.getOptionValueSource("db") === "default");
  });
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number of seconds > 0, got "${value}"`);
  return n;
}
