// Child process for the store tests: ingest synthetic analyzed events into a run store.
// usage: node ingest.mjs DB EVENTS [BATCH] ; prints "batch N" after each batch and "committed ID" at the end.
import { allocColumns, NO_GAP, sealBatch } from "../../dist/model/batch.js";
import { openRunWriter } from "../../dist/sinks/duckdb/index.js";

const [db, total = "100000", size = "8192"] = process.argv.slice(2);
const events = Number(total);
const batchSize = Number(size);
const writer = await openRunWriter(db, {
  label: `pid ${process.pid}`,
  commandLine: process.argv.join(" "),
  source: "file",
  action: "D",
  rw: "read",
  small: 256,
  medium: 2048,
});
process.stdout.write(`opened ${writer.runId}\n`);
let written = 0;
let batches = 0;
while (written < events) {
  const n = Math.min(batchSize, events - written);
  const cols = allocColumns(n);
  const physical = new Float64Array(n);
  const physicalClass = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = written + i;
    cols.time[i] = k * 1000;
    cols.sector[i] = k * 8;
    cols.bytes[i] = 4096;
    cols.action[i] = 7 | (1 << 16);
    cols.pid[i] = 1;
    physical[i] = k === 0 ? Number.NaN : 0;
    physicalClass[i] = k === 0 ? NO_GAP : 0;
  }
  writer.append(
    sealBatch(cols, n, { gaps: { physical, physicalClass, logical: physical, logicalClass: physicalClass } }),
  );
  written += n;
  batches++;
  process.stdout.write(`batch ${batches}\n`);
}
const gaps = { sequential: events - 1, small: 0, medium: 0, large: 0, backward: 0 };
const id = await writer.commit({
  events,
  readBytes: events * 4096,
  uniqueBytes: events * 4096,
  uniqueSectors: events * 8,
  fileBytes: null,
  fileSectors: null,
  coverage: null,
  extents: null,
  gaps: { physical: gaps, logical: gaps },
});
process.stdout.write(`committed ${id}\n`);
