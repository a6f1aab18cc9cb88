import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InputError } from "../../model/errors.js";

/** Options of `blkrx sql`. */
export interface SqlCliOptions {
  db: string;
  json?: boolean;
  /** A file holding the SQL (`-` for stdin), instead of the query argument. */
  file?: string;
}

/**
 * `blkrx sql "SELECT ..."` or `blkrx sql --file FILE.sql`: run SQL against
 * the run store and print the result as a table, or with --json as an array of row objects (BIGINTs as
 * numbers when exact). Queries open the store read-only; statements that
 * write run in a transaction that is rolled back if it would leave a run's
 * rows without their `runs` row.
 *
 * @example registerSql(program)
 */
export function registerSql(program: Command): void {
  program
    .command("sql")
    .description(
      "run SQL against the run store (tables runs, events, raw_events, requests, extents, run_warnings; views gap_distribution, coverage_timeline)",
    )
    .argument(
      "[query]",
      "SQL text; the last statement's result is printed (read-only unless it writes; deleting from runs alone is refused: use blkrx runs --delete)",
    )
    .option("--file <path>", "read the SQL from this file (- for stdin), e.g. --file sql/summary.sql")
    .option("--db <path>", "DuckDB run store", "./blkrx.duckdb")
    .option("--json", "print the rows as a JSON array of objects")
    .action(async (text: string | undefined, options: SqlCliOptions) => {
      const sql = sqlText(text, options.file);
      const { query, queryKeepingRunsWhole, READ_ONLY_REFUSAL, rowObjects, withStore } = await import(
        "../../sinks/duckdb/index.js"
      );
      // Read-only first, so SELECTs work on a store this user cannot write (and beside other readers);
      // a statement DuckDB refuses there runs again with write access, checked to keep runs whole.
      const result = await withStore(options.db, (store) => query(store, sql), { readOnly: true }).catch(
        (error: unknown) => {
          if (!(error instanceof Error && READ_ONLY_REFUSAL.test(error.message))) throw error;
          return withStore(options.db, (store) => queryKeepingRunsWhole(store, sql));
        },
      );
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

const READ_FAILURES: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a folder",
  EACCES: "permission denied",
};

/**
 * The SQL to run: the query argument, or the text of `--file` (a file that
 * starts with a `--` comment cannot be passed as an argument: it reads as an option).
 *
 * @example sqlText(undefined, "sql/summary.sql") // the file's text
 */
export function sqlText(query: string | undefined, file: string | undefined): string {
  if (query !== undefined && file !== undefined) {
    throw new InputError(`Cannot run sql: give the SQL as the query argument or with --file ${file}, not both`);
  }
  if (file === undefined) {
    if (query === undefined || query.trim() === "") {
      throw new InputError('Cannot run sql: no SQL given (blkrx sql "SELECT ..." or blkrx sql --file FILE.sql)');
    }
    return query;
  }
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = READ_FAILURES[code ?? ""] ?? (error instanceof Error ? error.message : String(error));
    throw new InputError(`Cannot read --file ${file}: ${why}`, { cause: error });
  }
  if (text.trim() === "") throw new InputError(`Cannot run sql: --file ${file} is empty`);
  return text;
}

/** A JSON-safe query value as a table cell ("NULL" for null, JSON for lists and structs). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
