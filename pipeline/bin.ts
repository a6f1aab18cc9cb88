#!/usr/bin/env node
import { prestartWriterThread, releaseWriterThread } from "../sinks/duckdb/writerThread.js";

// Before the CLI loads: DuckDB then boots on the second core meanwhile (see prestartWriterThread).
prestartWriterThread(process.argv.slice(2));
const { main } = await import("./cli.js");

// `blkrx cat big.bin | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

let code: number;
try {
  code = await main(process.argv);
} catch (error: unknown) {
  process.stderr.write(`blkrx: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
}
await releaseWriterThread(); // an unclaimed early thread is stopped only once DuckDB has loaded
process.exitCode = code;
