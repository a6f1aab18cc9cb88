import type { Store } from "./openStore.js";
import { type OrphanRows, orphanRows } from "./perRunRows.js";
import { type QueryResult, query } from "./queries.js";

/** DuckDB's error for a write statement on a store opened read-only. */
export const READ_ONLY_REFUSAL = /attached in read-only mode|read-only mode/i;

/**
 * Run SQL that may write (DELETE, UPDATE, CREATE ...) in one transaction,
 * and roll it back when it leaves rows of a run without their `runs` row
 * (the check that stands in for foreign keys, see schema.ts version 3):
 * deleting a run from `runs` alone would orphan its events. Rows orphaned
 * before the statement (old stores) do not count against it.
 *
 * @example await queryKeepingRunsWhole(store, "UPDATE runs SET label = 'cold' WHERE run_id = 3");
 */
export async function queryKeepingRunsWhole(store: Store, sql: string): Promise<QueryResult> {
  const key = (o: OrphanRows) => `${o.runId}\t${o.table}`;
  const before = new Set((await orphanRows(store.connection)).map(key));
  await store.connection.run("BEGIN TRANSACTION");
  try {
    const result = await query(store, sql);
    const left = (await orphanRows(store.connection)).filter((o) => !before.has(key(o)));
    if (left.length > 0) {
      const ids = [...new Set(left.map((o) => o.runId))];
      const rows = left.reduce((n, o) => n + o.rows, 0);
      throw new RangeError(
        `Cannot run this SQL: it would leave ${rows} row(s) of run${ids.length > 1 ? "s" : ""} ${ids.join(", ")} ` +
          `(in ${[...new Set(left.map((o) => o.table))].join(", ")}) without their runs row; ` +
          `delete runs with "blkrx runs --delete ${ids.join(" ")}", which removes all their rows; nothing was changed`,
      );
    }
    await store.connection.run("COMMIT");
    return result;
  } catch (error: unknown) {
    await store.connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
