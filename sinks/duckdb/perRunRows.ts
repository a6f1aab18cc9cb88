import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * The tables holding rows of a run (every base table with a `run_id` column
 * except `runs` itself), found in the catalog so that a table added by a
 * later schema version is covered without a list to keep in step.
 *
 * @example await perRunTables(store.connection) // ["events", "extents", "raw_events", "requests"]
 */
export async function perRunTables(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t
       ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
     WHERE c.column_name = 'run_id' AND c.table_name <> 'runs' AND NOT t.temporary
       AND c.database_name = current_database() AND c.schema_name = 'main'
     ORDER BY c.table_name`,
  );
  return reader.getRows().map((row) => String(row[0]));
}

/** Every run id that has a `runs` row or rows in a per-run table (ascending). */
export async function usedRunIds(connection: DuckDBConnection): Promise<number[]> {
  const tables = ["runs", ...(await perRunTables(connection))];
  const union = tables.map((t) => `SELECT DISTINCT run_id FROM "${t}"`).join(" UNION ");
  const reader = await connection.runAndReadAll(`${union} ORDER BY 1`);
  return reader.getRows().map((row) => Number(row[0]));
}

/** Rows of runs that have no `runs` row: run id, table, rows. */
export interface OrphanRows {
  readonly runId: number;
  readonly table: string;
  readonly rows: number;
}

/**
 * Rows in per-run tables whose run has no `runs` row (left by a `DELETE
 * FROM runs` in SQL, or by a blkrx older than schema version 3).
 *
 * @example (await orphanRows(store.connection)).length // 0 in a consistent store
 */
export async function orphanRows(connection: DuckDBConnection): Promise<OrphanRows[]> {
  const tables = await perRunTables(connection);
  if (tables.length === 0) return [];
  const union = tables
    .map(
      (t) =>
        `SELECT run_id, '${t}' AS tbl, count(*) AS n FROM "${t}" WHERE run_id NOT IN (SELECT run_id FROM runs) GROUP BY run_id`,
    )
    .join(" UNION ALL ");
  const reader = await connection.runAndReadAll(`${union} ORDER BY run_id, tbl`);
  return reader.getRows().map((row) => ({ runId: Number(row[0]), table: String(row[1]), rows: Number(row[2]) }));
}

/**
 * Delete runs and every row they own (all per-run tables) in one
 * transaction; ids with neither a `runs` row nor rows elsewhere are an
 * error naming them, and then nothing is deleted. Ids whose `runs` row is
 * already gone (orphaned rows) are accepted, so old stores can be cleaned.
 *
 * @example await deleteRuns(store.connection, [3, 4]) // { runs: 2, rows: 510 }
 */
export async function deleteRuns(
  connection: DuckDBConnection,
  runIds: readonly number[],
): Promise<{ runs: number; rows: number }> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) return { runs: 0, rows: 0 };
  const list = ids.join(", ");
  const tables = await perRunTables(connection);
  await connection.run("BEGIN TRANSACTION");
  try {
    const used = new Set<number>();
    for (const t of ["runs", ...tables]) {
      const reader = await connection.runAndReadAll(`SELECT DISTINCT run_id FROM "${t}" WHERE run_id IN (${list})`);
      for (const row of reader.getRows()) used.add(Number(row[0]));
    }
    const missing = ids.filter((id) => !used.has(id));
    if (missing.length > 0) {
      throw new RangeError(
        `Cannot delete run${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: the store has no run with ${missing.length > 1 ? "those ids" : "that id"} (see blkrx runs); nothing was deleted`,
      );
    }
    let rows = 0;
    for (const t of tables) {
      const reader = await connection.runAndReadAll(`DELETE FROM "${t}" WHERE run_id IN (${list})`);
      rows += Number(reader.getRows()[0]?.[0] ?? 0);
    }
    const deleted = await connection.runAndReadAll(`DELETE FROM runs WHERE run_id IN (${list})`);
    await connection.run("COMMIT");
    return { runs: Number(deleted.getRows()[0]?.[0] ?? 0), rows };
  } catch (error: unknown) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
