import type { Command } from "commander";

/** Options of `blkrx sql`. */
export interface SqlCliOptions {
  db: string;
  json?: boolean;
}

/**
 * `blkrx sql "SELECT ..."`: run SQL against the run store and print the
 * result as a table, or with --json as an array of row objects (BIGINTs as
 * numbers when exact).
 *
 * @example registerSql(program)
 */
export function registerSql(program: Command): void {
  program
    .command("sql")
    .description(
      "run SQL against the run store (tables runs, events, raw_events, requests, extents, run_warnings; views gap_distribution, coverage_timeline)",
    )
    .argument("<query>", "SQL text; the last statement's result is printed")
    .option("--db <path>", "DuckDB run store", "./blkrx.duckdb")
    .option("--json", "print the rows as a JSON array of objects")
    .action(async (sql: string, options: SqlCliOptions) => {
      const { query, rowObjects, withStore } = await import("../../sinks/duckdb/index.js");
      const result = await withStore(options.db, (store) => query(store, sql));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rowObjects(result))}\n`);
        return;
      }
      const { renderConsole } = await import("../../sinks/compareTables.js");
      process.stdout.write(
        `${renderConsole({ head: result.columns, rows: result.rows.map((r) => r.map(cellText)) })}\n`,
      );
    });
}

/** A JSON-safe query value as a table cell ("NULL" for null, JSON for lists and structs). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
