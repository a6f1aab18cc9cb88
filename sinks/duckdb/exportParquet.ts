import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../../model/errors.js";
import type { Store } from "./openStore.js";
import { hasTable, parseRunIds } from "./queries.js";

/** What an export wrote: run, event and raw-event row counts. */
export interface ExportCounts {
  runs: number;
  events: number;
  rawEvents: number;
  extents: number;
  /** Rows of `tensors` (GGUF regions of `analyze --gguf` runs). */
  tensors: number;
}

const quote = (path: string): string => `'${path.replaceAll("'", "''")}'`;

/**
 * Export runs (all, or the ids given) as a Parquet dataset under `dir`:
 * `runs.parquet`, `extents.parquet`, `tensors.parquet`,
 * `tensor_transitions.parquet` (GGUF attribution), and hive-partitioned
 * `events/run_id=N/*.parquet` and `raw_events/run_id=N/*.parquet`, written
 * by DuckDB's `COPY ... (FORMAT parquet, PARTITION_BY (run_id))`. Each
 * export replaces the dataset in `dir`, so runs.parquet and the partitions
 * always describe the same runs.
 *
 * @example await exportParquet(store, "out/host=$(hostname)", [1, 2]);
 */
export async function exportParquet(store: Store, dir: string, runIds: readonly number[] = []): Promise<ExportCounts> {
  const root = resolve(dir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "EEXIST" || code === "ENOTDIR" ? "a file is in the way of that directory" : `${code ?? error}`;
    throw new InputError(`Cannot export to ${dir}: ${why}`, { cause: error });
  }
  const where = runIds.length > 0 ? `WHERE run_id IN (${parseRunIds(runIds.map(String)).join(", ")})` : "";
  const con = store.connection;
  const count = async (table: string): Promise<number> =>
    Number((await con.runAndReadAll(`SELECT count(*) FROM ${table} ${where}`)).getRows()[0]?.[0] ?? 0);
  const counts: ExportCounts = {
    runs: await count("runs"),
    events: await count("events"),
    rawEvents: await count("raw_events"),
    extents: await count("extents"),
    tensors: (await hasTable(store, "tensors")) ? await count("tensors") : 0,
  };
  await con.run(
    `COPY (SELECT * FROM runs ${where} ORDER BY run_id) TO ${quote(join(root, "runs.parquet"))} (FORMAT parquet)`,
  );
  await con.run(
    `COPY (SELECT * FROM extents ${where} ORDER BY run_id, ordinal) TO ${quote(join(root, "extents.parquet"))} (FORMAT parquet)`,
  );
  // the GGUF attribution tables are small: one file each, like extents (none from a store older than them)
  if (await hasTable(store, "tensors")) {
    await con.run(
      `COPY (SELECT * FROM tensors ${where} ORDER BY run_id, ordinal) TO ${quote(join(root, "tensors.parquet"))} (FORMAT parquet)`,
    );
    await con.run(
      `COPY (SELECT * FROM tensor_transitions ${where} ORDER BY run_id, count DESC, from_region, to_region) TO ${quote(join(root, "tensor_transitions.parquet"))} (FORMAT parquet)`,
    );
  } else
    for (const file of ["tensors.parquet", "tensor_transitions.parquet"]) rmSync(join(root, file), { force: true });
  for (const table of ["events", "raw_events"] as const) {
    if ((table === "events" ? counts.events : counts.rawEvents) === 0) {
      rmSync(join(root, table), { recursive: true, force: true });
      continue;
    }
    await con.run(
      `COPY (SELECT * FROM ${table} ${where} ORDER BY run_id, ordinal) TO ${quote(join(root, table))} (FORMAT parquet, PARTITION_BY (run_id), OVERWRITE)`,
    );
  }
  return counts;
}
