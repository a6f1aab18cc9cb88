/**
 * The least a DuckDB run store can cost `analyze`, run beside it as its own
 * process (`node dist/bench/storeFloor.js DIR`): load DuckDB, create a fresh
 * store with blkrx's schema, store a run with no events (its summary row
 * only), commit and close. The store-cost goal times `--no-db` with this
 * running at the same time: what the store's fixed part alone takes from the
 * analysis on this machine, before a single event row is written.
 */
import { join } from "node:path";
import { DEFAULT_ANALYSIS_SETTINGS } from "../model/analysisSettings.js";
import { SummaryAccumulator } from "../operators/summaryAccumulator.js";
import { openRunWriter } from "../sinks/duckdb/runWriter.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node storeFloor.js DIR (a folder for the fresh store)");
const meta = { ...DEFAULT_ANALYSIS_SETTINGS, commandLine: "storeFloor", source: "file" as const };
const writer = await openRunWriter(join(dir, "floor.duckdb"), meta);
await writer.commit(new SummaryAccumulator().summary());
