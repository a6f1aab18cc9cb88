import type { Command } from "commander";

/** Options of `blkrx export`. */
export interface ExportCliOptions {
  db: string;
  parquet: string;
}

/**
 * `blkrx export --parquet DIR [RUN...]`: write the runs (all by default) as
 * a Parquet dataset — runs.parquet, extents.parquet and hive-partitioned
 * events/ and raw_events/ (run_id=N/) — for DuckDB, Spark or Trino.
 *
 * @example registerExport(program)
 */
export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "export runs as a Parquet dataset (runs.parquet, extents.parquet, events/run_id=N/, raw_events/run_id=N/)",
    )
    .argument("[runs...]", "run ids to export (default: all)")
    .requiredOption("--parquet <dir>", "directory to write the dataset into (its previous export is replaced)")
    .option("--db <path>", "DuckDB run store", "./blkrx.duckdb")
    .action(async (ids: string[], options: ExportCliOptions) => {
      const { exportParquet, parseRunIds, withStore } = await import("../../sinks/duckdb/index.js");
      const runIds = parseRunIds(ids);
      const counts = await withStore(options.db, (store) => exportParquet(store, options.parquet, runIds), {
        readOnly: true,
      });
      process.stderr.write(
        `blkrx: exported ${counts.runs} runs, ${counts.events} events, ${counts.rawEvents} raw events${counts.tensors > 0 ? `, ${counts.tensors} tensor regions` : ""} to ${options.parquet}\n`,
      );
    });
}
