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
      const { formatBytes } = await import("../../sinks/units.js");
      const { cellText } = await import("./sql.js");
      // Byte columns in the table as every table prints sizes (GiB/MiB); --json keeps the byte counts.
      const sizes = new Map([
        ["read_bytes", "read"],
        ["unique_bytes", "unique"],
      ]);
      const head = result.columns.map((c) => sizes.get(c) ?? c);
      const cell = (value: unknown, k: number): string =>
        sizes.has(result.columns[k] ?? "") && typeof value === "number" ? formatBytes(value) : cellText(value);
      process.stdout.write(`${renderConsole({ head, rows: result.rows.map((r) => r.map(cell)) })}\n`);
    });
}
