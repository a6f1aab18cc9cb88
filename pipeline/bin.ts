#!/usr/bin/env node
import { prestartWriterThread, releaseWriterThread } from "../sinks/duckdb/writerThread.js";

// Before the CLI loads, DuckDB boots on the second core meanwhile (see prestartWriterThread), for `analyze`
// storing its run only: not `analyze --run` (it stores nothing), nor `run` or `live`, where loading DuckDB as a
// traced workload starts disturbs the measure.
const args = process.argv.slice(2);
if (args[0] === "analyze" && !args.includes("--no-db") && !args.includes("--run")) prestartWriterThread();
const { main } = await import("./cli.js");

// `blkrx cat big.bin | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// A promise a bug leaves unsettled ends Node with exit code 13 and not a word (how corrupt gzip input once
// ended): say so. Pipes and files take stderr writes synchronously, so the line is out before the exit.
let finished = false;
process.on("exit", (exitCode) => {
  // Node 20 passes 0 here and sets process.exitCode to 13; later versions pass 13.
  if (!finished && (exitCode === 13 || process.exitCode === 13)) {
    process.stderr.write(
      "blkrx: stopped without finishing: an internal wait never completed (a bug in blkrx; please report the command)\n",
    );
  }
});

let code: number;
try {
  code = await main(process.argv);
} catch (error: unknown) {
  process.stderr.write(`blkrx: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
}
await releaseWriterThread(); // an unclaimed early thread is stopped only once DuckDB has loaded
finished = true;
process.exitCode = code;
