import { type Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_BUFFER_KB } from "../../sources/liveDefaults.js";
import { analysisOptions, kibibytes, nonNegativeInt, parseBytes } from "./options.js";

/**
 * `blkrx run [options] -- CMD ARGS...`: trace a file's reads while a workload
 * runs (optionally after dropping caches, under a memory limit or beside
 * locked memory), then store and print the study's row.
 *
 * @example registerRun(program)
 */
export function registerRun(program: Command): void {
  const cmd = program
    .command("run")
    .description("run a workload while tracing a file's reads; store and print the study's row")
    .argument("<command...>", "the workload, after --")
    .option("--file <path>", "the file whose reads are measured (extents, device and partition are discovered)")
    .option("--device <dev>", "device to trace (default: the disk holding --file)")
    .option("--label <label>", "label of the run")
    .option("--drop-caches", "sync and drop the page cache before the run")
    .addOption(
      new Option("--mem-limit <bytes>", "run the workload in a cgroup with this memory limit (e.g. 40M)")
        .argParser(parseBytes)
        .conflicts("lock"),
    )
    .addOption(
      new Option("--lock <bytes>", "mlock this much RAM in a helper while the workload runs (e.g. 20G)").argParser(
        parseBytes,
      ),
    )
    .addOption(
      new Option("--tokens <n>", "tokens the workload generates (tokens/s = n / wall time)").argParser(nonNegativeInt),
    )
    .option("--json", "print exactly one JSON object (summary and run metrics) on stdout")
    .option("--phase-marker <regex>", "start a new phase at each workload output line matching this")
    .addOption(
      new Option(
        "--phase-at <seconds...>",
        "start a new phase at these seconds after the workload starts (phase starts are reported on that clock)",
      ).argParser(collectSeconds),
    )
    .addOption(
      new Option("--tracer <tracer>", "tracing interface").choices(["auto", "blktrace", "tracefs"]).default("auto"),
    )
    .option("--kernel-filter", "filter to the file's sectors in the kernel (trace/start_lba, end_lba)")
    .addOption(
      new Option("--buffer-size <KiB>", `kernel trace buffer per CPU in KiB (default ${DEFAULT_BUFFER_KB})`).argParser(
        kibibytes,
      ),
    )
    .option("--save-trace <file>", "also write the raw trace as binary blk_io_trace (blkparse, btt read it)")
    .option(
      "--verbose",
      "say notes that are otherwise said once per boot (the tracer fallback), and the tracer's and store writer's peak RSS",
    )
    .option("--db <path>", "DuckDB file to store the run in", "./blkrx.duckdb")
    .option("--no-db", "do not store the run");
  for (const option of analysisOptions()) cmd.addOption(option);
  cmd.action(async (command: string[], options: import("../experiment/runCommand.js").RunCliOptions) => {
    const { runCommand } = await import("../experiment/runCommand.js");
    await runCommand(command, options, cmd.getOptionValueSource("db") === "default");
  });
}

function collectSeconds(value: string, previous: number[] | undefined): number[] {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError(`expected seconds ≥ 0, got "${value}"`);
  return [...(previous ?? []), seconds];
}
