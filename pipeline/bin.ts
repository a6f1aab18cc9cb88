#!/usr/bin/env node
import { main } from "./cli.js";

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`blkrx: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
