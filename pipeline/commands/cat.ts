import { type Command, Option } from "commander";
import { deviceOption, inputOptions, MERGED_INPUTS_HELP, storedRunOptions } from "./options.js";

/** Options of `blkrx cat`. */
export interface CatCliOptions {
  ndjson?: boolean;
  binary?: boolean;
  format?: "binary" | "blkparse" | "ftrace" | "ndjson";
  lenient?: boolean;
  device?: string;
  run?: number;
  db: string;
}

/**
 * `blkrx cat (INPUT... | --run ID)`: print events in time order as blkparse's
 * default text, as NDJSON (--ndjson, read back by every blkrx command), or as
 * binary blk_io_trace v7 (--binary, readable by blkparse). A stored run
 * prints its raw events when it has them (run, live, analyze --raw), else
 * its kept events.
 *
 * @example registerCat(program)
 */
export function registerCat(program: Command): void {
  const cmd = program
    .command("cat")
    .description("print events as blkparse text (default), NDJSON (--ndjson) or binary blk_io_trace (--binary)")
    .argument("[inputs...]", `${MERGED_INPUTS_HELP} (or --run ID)`)
    .addOption(new Option("--ndjson", "one JSON event per line").conflicts("binary"))
    .addOption(new Option("--binary", "binary blk_io_trace v7 records (for blkparse, btt)").conflicts("ndjson"));
  for (const option of inputOptions()) cmd.addOption(option);
  cmd.addOption(deviceOption());
  for (const option of storedRunOptions("print")) cmd.addOption(option);
  cmd.action(async (inputs: string[], options: CatCliOptions) => {
    const { runCat } = await import("../runCat.js");
    await runCat(inputs, options);
  });
}
