import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * `run_warnings`: what blkrx warned about on stderr while making a run (a
 * per-CPU set with missing CPUs, ...), one row per warning in the order
 * printed. Created when missing on every open rather than by a numbered
 * migration: an older blkrx opens such a store unchanged and ignores the
 * table, and a store it wrote gains the table on the next open here.
 */
export const RUN_WARNINGS_TABLE = `CREATE TABLE IF NOT EXISTS run_warnings (
    run_id INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    message VARCHAR NOT NULL
  )`;

/**
 * Store the warnings of run `runId` (inside the run's transaction).
 *
 * @example await insertRunWarnings(connection, 3, ["sda: per-CPU set without sda.blktrace.1 (CPU 1): ..."]);
 */
export async function insertRunWarnings(
  connection: DuckDBConnection,
  runId: number,
  warnings: readonly string[],
): Promise<void> {
  for (const [ordinal, message] of warnings.entries()) {
    await connection.run("INSERT INTO run_warnings VALUES ($1, $2, $3)", [runId, ordinal, message]);
  }
}
