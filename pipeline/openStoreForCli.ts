import type { EventBatch } from "../model/batch.js";
import type { RequestBatch } from "../model/requests.js";
import type { Summary } from "../model/summary.js";
import type { RunExtras, RunMeta, RunWriterOptions } from "../sinks/duckdb/runWriter.js";

/**
 * Rows queued for the writer thread above which a live reader pauses, and
 * below which it reads on: ~3 MB of columns in flight at most, so a store
 * slower than the trace makes the kernel buffer (counted losses) absorb the
 * difference instead of the tracer's memory.
 */
const BACKLOG_HIGH_ROWS = 65_536;
const BACKLOG_LOW_ROWS = 16_384;

/** DuckDB memory when a traced run is stored: see RunWriterOptions.memoryLimit. */
export const LIVE_STORE_MEMORY = "16MB";

/** The run store as CLI commands use it: `commit` resolves to the run id, or undefined when nothing was stored. */
export interface CliStore {
  /** True while the writer thread has more rows queued than it should (pause the reader). */
  busy(): boolean;
  /** Resolves once the writer thread has caught up enough to read on. */
  whenFree(): Promise<void>;
  /** Settles once the store is open (rejects when it cannot be; `commit` reports that). */
  readonly opened: Promise<unknown>;
  append(batch: EventBatch): void;
  appendRaw(batch: EventBatch): void;
  appendRequests(batch: RequestBatch): void;
  commit(summary: Summary, extras?: RunExtras): Promise<number | undefined>;
  abort(): Promise<void>;
  /** Peak RSS (bytes) of the store writer process after `commit`, when the run was stored by one (the spill). */
  writerPeakRssBytes?(): number | undefined;
}

/**
 * Open the run store for a CLI command. `db === false` (--no-db) stores
 * nothing. The store opens in a worker thread while the command starts
 * analyzing (DuckDB's load and open then cost no wall time). When the path is
 * the default (./blkrx.duckdb) and cannot be written (a read-only folder),
 * the run is analyzed anyway and a note on stderr says why it was not stored;
 * an explicit --db that fails is an error, raised by `commit`.
 *
 * @example const store = await openStoreForCli("./blkrx.duckdb", true, meta); ...; const id = await store?.commit(summary);
 */
export async function openStoreForCli(
  db: string | false,
  isDefault: boolean,
  meta: RunMeta,
  options: RunWriterOptions & { spill?: boolean } = {},
): Promise<CliStore | undefined> {
  if (db === false) return undefined;
  if (options.spill) {
    const { openSpilledStore } = await import("./spilledStore.js");
    return openSpilledStore(db, isDefault, meta, options);
  }
  const { startRunWriterInWorker } = await import("../sinks/duckdb/workerRunWriter.js");
  const writer = startRunWriterInWorker(db, meta, options);
  return {
    busy: () => writer.backlogRows > BACKLOG_HIGH_ROWS,
    whenFree: () => writer.whenBacklogBelow(BACKLOG_LOW_ROWS),
    opened: writer.opened,
    append: (batch) => writer.append(batch),
    appendRaw: (batch) => writer.appendRaw?.(batch),
    appendRequests: (batch) => writer.appendRequests?.(batch),
    abort: () => writer.abort(),
    async commit(summary, extras) {
      try {
        await writer.opened;
      } catch (error: unknown) {
        if (!isDefault) throw error;
        const why = error instanceof Error ? error.message : String(error);
        process.stderr.write(`blkrx: not storing the run in ${db} (${why}); use --db PATH or --no-db\n`);
        return undefined;
      }
      return writer.commit(summary, extras);
    },
  };
}
