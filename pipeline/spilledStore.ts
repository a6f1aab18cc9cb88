import { accessSync, constants, existsSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { EventBatch } from "../model/batch.js";
import { InputError } from "../model/errors.js";
import type { RequestBatch } from "../operators/requestLifecycle.js";
import type { Summary } from "../operators/summaryTypes.js";
import type { RunExtras, RunMeta, RunWriterOptions } from "../sinks/duckdb/runWriter.js";
import type { StoredEventColumns } from "../sinks/duckdb/storedColumns.js";
import { readSpill, SpillWriter } from "../sinks/spillFile.js";
import { collect } from "./experiment/leanMemory.js";
import type { CliStore } from "./openStoreForCli.js";

/** Rows stored between collections while the spill is read back (its batches are garbage once appended). */
const COLLECT_EVERY_ROWS = 200_000;

/**
 * The run store of `live` and `run`: while tracing, the run's events go to a
 * spill file beside the store (`STORE.spill-PID`, deleted afterwards), and
 * DuckDB is loaded only at `commit`, once the traced program is done, to
 * store them in one transaction. Why: DuckDB's library, its buffers and a
 * writer thread cost ~90 MB of RSS (measured: `live -` of a 10M-record
 * stream 159–165 MiB with the store in a thread, 70–77 MiB without), more
 * than the tracer itself, and loading it while the workload runs disturbs
 * what is measured. A store that cannot be written is found before tracing:
 * an error for an explicit --db, a note and no store for the default path.
 *
 * @example const store = openSpilledStore("blkrx.duckdb", false, meta, { memoryLimit: "16MB" }); store?.appendRaw(batch); await store?.commit(summary);
 */
export function openSpilledStore(
  db: string,
  isDefault: boolean,
  meta: RunMeta,
  options: RunWriterOptions,
): CliStore | undefined {
  const why = unwritable(db);
  if (why !== undefined) {
    if (!isDefault) throw new InputError(`Cannot store the run in ${db}: ${why}; pass another --db, or --no-db`);
    process.stderr.write(`blkrx: not storing the run in ${db} (${why}); use --db PATH or --no-db\n`);
    return undefined;
  }
  const spill = new SpillWriter(`${db}.spill-${process.pid}`);
  const discard = () => {
    spill.close();
    rmSync(spill.path, { force: true });
  };
  return {
    busy: () => false,
    whenFree: () => Promise.resolve(),
    opened: Promise.resolve(),
    append: (batch: EventBatch) => spill.write("events", storedColumnsOf(batch)),
    appendRaw: (batch: EventBatch) => spill.write("raw", batch),
    appendRequests: (batch: RequestBatch) => spill.write("requests", batch),
    abort: async () => discard(),
    async commit(summary, extras) {
      spill.close();
      try {
        try {
          return await storeSpill(spill.path, db, meta, options, summary, extras);
        } catch (error: unknown) {
          const message = error instanceof Error ? error.message : String(error);
          if (options.memoryLimit === undefined || !OUT_OF_MEMORY.test(message)) throw error;
          process.stderr.write(
            `blkrx: storing the run needed more than ${options.memoryLimit} of DuckDB memory; storing it again with ${FALLBACK_MEMORY}\n`,
          );
          return await storeSpill(spill.path, db, meta, { ...options, memoryLimit: FALLBACK_MEMORY }, summary, extras);
        }
      } finally {
        discard();
      }
    },
  };
}

/** DuckDB's words for a memory limit too small for an append or the commit. */
const OUT_OF_MEMORY = /could not allocate|out of memory/i;
/** The memory limit of the second attempt, when the first one's was too small (the spill is still there). */
const FALLBACK_MEMORY = "64MB";

/** Store the spilled events in one transaction: the run id, or an error (the transaction rolled back). */
async function storeSpill(
  path: string,
  db: string,
  meta: RunMeta,
  options: RunWriterOptions,
  summary: Summary,
  extras: RunExtras | undefined,
): Promise<number> {
  const { openRunWriter } = await import("../sinks/duckdb/runWriter.js");
  const writer = await openRunWriter(db, meta, options);
  try {
    let rows = 0;
    for (const { kind, batch } of readSpill(path)) {
      if (kind === "events") writer.append(batch as unknown as StoredEventColumns);
      else if (kind === "raw") writer.appendRaw?.(batch as unknown as EventBatch);
      else writer.appendRequests?.(batch as unknown as RequestBatch);
      rows += Number(batch.length);
      if (rows >= COLLECT_EVERY_ROWS) {
        rows = 0;
        collect?.();
      }
    }
  } catch (error: unknown) {
    await writer.abort();
    throw error;
  }
  return writer.commit(summary, extras);
}

/** The columns of an analyzed batch that the `events` table stores (what goes to the spill). */
function storedColumnsOf(batch: EventBatch): StoredEventColumns {
  const { length, time, cpu, pid, action, bytes, sector, pieces, gaps, phase } = batch;
  return {
    length,
    time,
    cpu,
    pid,
    action,
    bytes,
    sector,
    ...(pieces ? { pieces } : {}),
    ...(gaps ? { gaps } : {}),
    ...(phase ? { phase } : {}),
  };
}

/** Why this process cannot write the store at `db` (or its folder, where the spill and WAL go); undefined if it can. */
function unwritable(db: string): string | undefined {
  try {
    accessSync(dirname(db), constants.W_OK);
    if (existsSync(db)) accessSync(db, constants.W_OK);
    return undefined;
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `its folder ${dirname(db)} does not exist` : "this user may not write it";
  }
}
