import type { Command } from "commander";

/** Options of `blkrx runs`. */
export interface RunsCliOptions {
  db: string;
  json?: boolean;
  delete?: string[];
}

/**
 * `blkrx runs`: list the runs in the run store, newest first (a table, or
 * an array of objects with --json), opening it read-only; a note on stderr
 * names rows left without their run. `blkrx runs --delete ID...` removes
 * runs with all their rows, in one transaction.
 *
 * @example registerRuns(program)
 */
export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("list the runs stored in the DuckDB run store")
    .option("--db <path>", "DuckDB run store", "./blkrx.duckdb")
    .option("--json", "print the runs as a JSON array")
    .option("--delete <ids...>", "delete these runs and all their rows (events, raw events, requests, extents ...)")
    .action(async (options: RunsCliOptions) => {
      const duckdb = await import("../../sinks/duckdb/index.js");
      const { LIST_RUNS_SQL, query, rowObjects, withStore } = duckdb;
      if (options.delete) {
        const ids = duckdb.parseRunIds(options.delete);
        const done = await withStore(options.db, (store) => duckdb.deleteRuns(store.connection, ids));
        process.stderr.write(
          `blkrx: deleted run${ids.length > 1 ? "s" : ""} ${ids.join(", ")} (${done.runs} runs row(s), ${done.rows} other row(s)) from ${options.db}\n`,
        );
        return;
      }
      const [result, orphans] = await withStore(
        options.db,
        async (store) => [await query(store, LIST_RUNS_SQL), await duckdb.orphanRows(store.connection)] as const,
        { readOnly: true },
      );
      if (orphans.length > 0) {
        const ids = [...new Set(orphans.map((o) => o.runId))];
        process.stderr.write(
          `blkrx: ${orphans.reduce((n, o) => n + o.rows, 0)} row(s) belong to run id(s) ${ids.join(", ")} that have no runs row ` +
            `(deleted in SQL, or by an older blkrx); remove them with "blkrx runs --delete ${ids.join(" ")}"\n`,
        );
      }
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
