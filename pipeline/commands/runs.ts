import type { Command } from "commander";

/** Options of `blkrx runs`. */
export interface RunsCliOptions {
  db: string;
  json?: boolean;
}

/**
 * `blkrx runs`: list the runs in the run store, newest first (a table, or
 * an array of objects with --json).
 *
 * @example registerRuns(program)
 */
export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("list the runs stored in the DuckDB run store")
    .option("--db <path>", "DuckDB run store", "./blkrx.duckdb")
    .option("--json", "print the runs as a JSON array")
    .action(async (options: RunsCliOptions) => {
      const { LIST_RUNS_SQL, query, rowObjects, withStore } = await import("../../sinks/duckdb/index.js");
      const result = await withStore(options.db, (store) => query(store, LIST_RUNS_SQL));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rowObjects(result))}\n`);
        return;
      }
      const { renderConsole } = await import("../../sinks/compareTables.js");
      const { cellText } = await import("./sql.js");
      process.stdout.write(
        `${renderConsole({ head: result.columns, rows: result.rows.map((r) => r.map(cellText)) })}\n`,
      );
    });
}
