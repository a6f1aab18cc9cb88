import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { migrate } from "./schema.js";

/** The run store every command uses unless `--db` says otherwise. */
export const DEFAULT_DB_PATH = "blkrx.duckdb";

/** Options for {@link openStore}. */
export interface OpenStoreOptions {
  /** How long to wait for another process to release the file, ms. @default 60000 (env BLKRX_DB_TIMEOUT_MS) */
  timeoutMs?: number;
  /** Refuse to create a missing file (query commands). @default false */
  mustExist?: boolean;
}

/** An open run store: one DuckDB instance and one connection, schema migrated. */
export interface Store {
  readonly path: string;
  readonly connection: DuckDBConnection;
  /** Disconnect and close the database (checkpoints the WAL). */
  close(): void;
}

/** The store could not be opened: missing, locked for too long, or unreadable. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}

const LOCK_CONFLICT = /Could not set lock on file|Conflicting lock/i;

/**
 * Open (creating and migrating when needed) the DuckDB run store at `path`.
 * DuckDB lets one process write a file at a time; while another blkrx holds
 * it, this retries with growing pauses and gives up with one clear sentence
 * after `timeoutMs`. ":memory:" opens a private in-memory store.
 *
 * @example const store = await openStore("blkrx.duckdb"); ...; store.close();
 */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (options.mustExist && path !== ":memory:" && !existsSync(path)) {
    throw new StoreError(`No run store at ${path}: run "blkrx analyze ... --db ${path}" first, or pass --db PATH`);
  }
  const timeoutMs = options.timeoutMs ?? Number(process.env.BLKRX_DB_TIMEOUT_MS ?? 60_000);
  const deadline = Date.now() + timeoutMs;
  let pause = 25;
  for (;;) {
    try {
      const instance = await DuckDBInstance.create(path);
      const connection = await instance.connect();
      try {
        await migrate(connection);
      } catch (error: unknown) {
        connection.closeSync();
        instance.closeSync();
        throw error;
      }
      return {
        path,
        connection,
        close: () => {
          connection.closeSync();
          instance.closeSync();
        },
      };
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      if (!LOCK_CONFLICT.test(message)) {
        throw new StoreError(`Cannot open the run store ${path}: ${message}`, { cause: error });
      }
      if (Date.now() + pause > deadline) {
        const holder = /PID (\d+)/.exec(message)?.[1];
        throw new StoreError(
          `Cannot open the run store ${path}: another process${holder ? ` (pid ${holder})` : ""} has been writing it for ${Math.round(timeoutMs / 1000)} s; try again when it finishes, or pass another --db`,
          { cause: error },
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 500);
    }
  }
}

/**
 * Open the store at `path` (which must exist), run `work`, and close it.
 *
 * @example const n = await withStore("blkrx.duckdb", async (s) => (await query(s, "select 1")).rows.length);
 */
export async function withStore<T>(path: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(path, { mustExist: true });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
