import { accessSync, constants, existsSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./schema.js";

/** The run store every command uses unless `--db` says otherwise. */
export const DEFAULT_DB_PATH = "blkrx.duckdb";

/** Options for {@link openStore}. */
export interface OpenStoreOptions {
  /** How long to wait for another process to release the file, ms. @default 60000 (env BLKRX_DB_TIMEOUT_MS) */
  timeoutMs?: number;
  /** Refuse to create a missing file (query commands). @default false */
  mustExist?: boolean;
  /**
   * Open without write access (`runs`, `compare`, `sql` SELECTs, `export`):
   * works on a store this user cannot write (made by `sudo blkrx run`), and
   * several readers may open it at once. Implies `mustExist`. @default false
   */
  readOnly?: boolean;
  /** DuckDB settings for this instance (e.g. the run writer's write buffering). */
  config?: Readonly<Record<string, string>>;
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
  if ((options.mustExist || options.readOnly) && path !== ":memory:" && !existsSync(path)) {
    throw new StoreError(`No run store at ${path}: run "blkrx analyze ... --db ${path}" first, or pass --db PATH`);
  }
  const timeoutMs = options.timeoutMs ?? Number(process.env.BLKRX_DB_TIMEOUT_MS ?? 60_000);
  const deadline = Date.now() + timeoutMs;
  let pause = 25;
  for (;;) {
    try {
      const instance = await DuckDBInstance.create(path, {
        ...options.config,
        ...(options.readOnly ? { access_mode: "READ_ONLY" } : {}),
      });
      const connection = await instance.connect();
      try {
        if (!options.readOnly) await migrate(connection);
        else if ((await schemaVersion(connection)) < SCHEMA_VERSION && canWrite(path)) {
          // An older store we may write: upgrade it once (a short write open), then read it.
          connection.closeSync();
          instance.closeSync();
          (await openStore(path, { ...options, readOnly: false })).close();
          return await openStore(path, options);
        }
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
 * Open the store at `path` (which must exist), run `work`, and close it;
 * `{ readOnly: true }` for commands that only read.
 *
 * @example const n = await withStore("blkrx.duckdb", async (s) => (await query(s, "select 1")).rows.length, { readOnly: true });
 */
export async function withStore<T>(
  path: string,
  work: (store: Store) => Promise<T>,
  options: Pick<OpenStoreOptions, "readOnly"> = {},
): Promise<T> {
  const store = await openStore(path, { mustExist: true, ...options });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

/** Whether this process may write the store file and its folder (where DuckDB puts the WAL). */
function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
