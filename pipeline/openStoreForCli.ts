import type { RunMeta, RunWriter } from "../sinks/duckdb/runWriter.js";

/**
 * Open the run store for a CLI command. `db === false` (--no-db) stores
 * nothing. When the path is the default (./blkrx.duckdb) and cannot be
 * written (a read-only folder), the run is analyzed anyway and a note on
 * stderr says why it was not stored; an explicit --db that fails is an error.
 *
 * @example const writer = await openStoreForCli("./blkrx.duckdb", true, meta);
 */
export async function openStoreForCli(
  db: string | false,
  isDefault: boolean,
  meta: RunMeta,
): Promise<RunWriter | undefined> {
  if (db === false) return undefined;
  const { openRunWriterInWorker } = await import("../sinks/duckdb/workerRunWriter.js");
  try {
    return await openRunWriterInWorker(db, meta);
  } catch (error: unknown) {
    if (!isDefault) throw error;
    const why = error instanceof Error ? error.message : String(error);
    process.stderr.write(`blkrx: not storing the run in ${db} (${why}); use --db PATH or --no-db\n`);
    return undefined;
  }
}
