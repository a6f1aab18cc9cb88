/**
 * Library use on a bundled fixture: replay a binary trace, restrict it to
 * one file's sectors, and print the summary and the share of re-reads.
 *
 * Run: npm run build && node dist/examples/replay.js [TRACE] [FILEFRAG] [PARTITION_START]
 * (In your own project, import from "blkrx" instead of "../index.js".)
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { analyzeEvents, fromTrace, parseFilefrag, summarize } from "../index.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const trace = process.argv[2] ?? `${fixtures}pressure-frag.bin`;
const filefrag = process.argv[3] ?? `${fixtures}frag.filefrag.txt`;
const partitionStart = Number(process.argv[4] ?? 2048);

const fileMap = parseFilefrag(readFileSync(filefrag, "utf8"), { source: filefrag, partitionStart });

fromTrace(trace)
  .pipe(analyzeEvents({ fileMap, action: "D", rw: "read" }), summarize({ fileMap }))
  .subscribe((s) => {
    const reread = s.readBytes / Math.max(s.uniqueBytes, 1);
    console.log(`events ${s.events}, read ${s.readBytes} B, unique ${s.uniqueBytes} B`);
    console.log(`coverage ${((s.coverage ?? 0) * 100).toFixed(1)} %, each unique byte read ${reread.toFixed(2)}×`);
    console.log(`backward seeks: physical ${s.gaps.physical.backward}, logical ${s.gaps.logical.backward}`);
  });
