/**
 * blkrx/store: the DuckDB run store, kept out of the main entry because DuckDB
 * is native code (a ~50 MB shared library) that `import "blkrx"` should not load.
 * Open a store, write a run (its analyzed events and summary, in one
 * transaction), query it with SQL, export it to Parquet.
 *
 * @example
 * import { firstValueFrom, tap } from "rxjs";
 * import { analyzeEvents, fromTrace, summarize } from "blkrx";
 * import { openRunWriter, openStore, query } from "blkrx/store";
 *
 * const meta = { commandLine: "my-script", source: "file", action: "D", rw: "read", small: 256, medium: 2048 } as const;
 * const writer = await openRunWriter("runs.duckdb", meta);
 * const summary = await firstValueFrom(
 *   fromTrace("trace.bin").pipe(analyzeEvents(), tap((b) => writer.append(b)), summarize()),
 * );
 * const runId = await writer.commit(summary);
 * const store = await openStore("runs.duckdb", { readOnly: true });
 * console.log(await query(store, `SELECT events, read_bytes FROM runs WHERE run_id = ${runId}`));
 * store.close();
 */
export * from "./sinks/duckdb/index.js";
export type { RunWriterOptions } from "./sinks/duckdb/runWriter.js";
export type { StoredEventColumns } from "./sinks/duckdb/storedColumns.js";
