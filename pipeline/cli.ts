import { Command, CommanderError } from "commander";
import { registerAnalyze } from "./commands/analyze.js";
import { registerAnalyzeMany } from "./commands/analyzeMany.js";
import { registerCat } from "./commands/cat.js";
import { registerCompare } from "./commands/compare.js";
import { registerExport } from "./commands/export.js";
import { registerGguf } from "./commands/gguf.js";
import { registerLatency } from "./commands/latency.js";
import { registerLive } from "./commands/live.js";
import { checkGapLimits } from "./commands/options.js";
import { registerPlot } from "./commands/plot.js";
import { registerReport } from "./commands/report.js";
import { registerRun } from "./commands/run.js";
import { registerRuns } from "./commands/runs.js";
import { registerSql } from "./commands/sql.js";

/**
 * Every CLI command registers itself here. Command files import only
 * commander and load their implementation with a dynamic `import()` inside
 * the action, so `blkrx --help` starts fast (the DuckDB binding alone takes
 * longer to load than the whole start-up budget).
 */
const REGISTRARS: ((program: Command) => void)[] = [
  registerAnalyze,
  registerAnalyzeMany,
  registerCat,
  registerLatency,
  registerRuns,
  registerCompare,
  registerSql,
  registerExport,
  registerLive,
  registerRun,
  registerPlot,
  registerGguf,
  registerReport,
];

/**
 * Run the blkrx CLI with `argv` (as in `process.argv`) and resolve to the exit code.
 * Known failures (bad input, missing files, missing privileges) print one
 * sentence on stderr, never a stack trace; set BLKRX_DEBUG=1 for stacks.
 *
 * @example process.exitCode = await main(["node", "blkrx", "analyze", "trace.bin", "--json"]);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("blkrx")
    .description("Block-I/O traces to answers: replay or trace live, filter to a file, measure coverage and gaps")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run blkrx --help for usage)");
  for (const register of REGISTRARS) register(program);
  program.hook("preAction", (_program, command) => checkGapLimits(command.opts()));
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error: unknown) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`blkrx: ${messageOf(error)}\n`);
    if (process.env.BLKRX_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
