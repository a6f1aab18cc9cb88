import { Observable } from "rxjs";
import { actionCode, categoryOf } from "../model/actions.js";
import type { AnalysisSettings, Direction } from "../model/analysisSettings.js";
import { allocColumns, type EventBatch, type PayloadColumns, sealBatch } from "../model/batch.js";
import type { FileMap } from "../model/fileMap.js";
import { type Store, withStore } from "../sinks/duckdb/openStore.js";
import { query, rowObjects } from "../sinks/duckdb/queries.js";

/** A stored run as plot and report read it back: its parameters, file map, phases and events. */
export interface StoredRun {
  readonly runId: number;
  /** Every column of the run's `runs` row (the run parameters). */
  readonly params: Record<string, unknown>;
  /** The analysis settings the run was made with (from `params`). */
  readonly settings: AnalysisSettings;
  readonly fileMap?: FileMap;
  /** Phase starts (ns), from the stored events' phase column; empty when the run was not split. */
  readonly phaseStarts: readonly number[];
  /** True when the run has raw events (stored with --raw): latency can be followed. */
  readonly hasRaw: boolean;
}

/** Rows read per query when streaming events back. */
const PAGE = 65_536;

/**
 * Load a run's parameters, extents and phases; a missing id is a RangeError naming it.
 *
 * @example const run = await loadStoredRun(store, 3);
 */
export async function loadStoredRun(store: Store, runId: number): Promise<StoredRun> {
  const runs = rowObjects(await query(store, `SELECT * FROM runs WHERE run_id = ${runId}`));
  const params = runs[0];
  if (!params)
    throw new RangeError(`Cannot read run ${runId}: the store ${store.path} has no run with that id (see blkrx runs)`);
  const extents = rowObjects(
    await query(
      store,
      `SELECT logical_start, physical_start, length, block_size FROM extents WHERE run_id = ${runId} ORDER BY ordinal`,
    ),
  );
  const blockSize = Number(extents[0]?.block_size ?? params.block_size ?? 4096);
  const fileMap: FileMap | undefined =
    extents.length > 0 && params.file_bytes !== null
      ? {
          extents: extents.map((e) => ({
            logical: Number(e.logical_start),
            physical: Number(e.physical_start),
            length: Number(e.length),
          })),
          blockSize,
          partitionStart: Number(params.partition_start ?? 0),
          fileSize: Number(params.file_bytes),
          ...(typeof params.file_path === "string" ? { path: params.file_path } : {}),
        }
      : undefined;
  const phases = (
    await query(
      store,
      `SELECT phase, min(time_ns) AS start FROM events WHERE run_id = ${runId} AND phase IS NOT NULL GROUP BY phase ORDER BY phase`,
    )
  ).rows.map((r) => Number(r[1]));
  const raw = await query(store, `SELECT count(*) FROM (SELECT 1 FROM raw_events WHERE run_id = ${runId} LIMIT 1)`);
  return {
    runId,
    params,
    settings: {
      action: String(params.action),
      rw: params.rw as Direction,
      small: Number(params.small),
      medium: Number(params.medium),
    },
    ...(fileMap ? { fileMap } : {}),
    phaseStarts: phases.length > 1 ? phases.slice(1) : [],
    hasRaw: Number(raw.rows[0]?.[0]) > 0,
  };
}

/**
 * The run's events as batches, read back page by page (bounded memory):
 * its raw events when stored (every action, so latency can be followed),
 * else its kept events (action and RWBS rebuilt into the raw action code).
 *
 * @example storedEvents(store, run).pipe(analyzeEvents({ fileMap: run.fileMap }), summarize())
 */
export function storedEvents(store: Store, run: StoredRun): Observable<EventBatch> {
  return new Observable<EventBatch>((subscriber) => {
    let stopped = false;
    (async () => {
      for await (const batch of storedBatches(store, run)) {
        if (stopped) return;
        subscriber.next(batch);
      }
      subscriber.complete();
    })().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
}

/**
 * {@link storedEvents} as an async iterable: the next page is read only when
 * the consumer asks for it (`blkrx cat --run` waits for stdout to drain).
 * Raw events come with their payloads, and the first batch with the run's
 * process names, when the store has them.
 *
 * @example for await (const batch of storedBatches(store, run)) out.write(format(batch));
 */
export async function* storedBatches(store: Store, run: StoredRun): AsyncGenerator<EventBatch> {
  const sql = run.hasRaw
    ? `SELECT time_ns, sector, bytes, action_raw, device, cpu, pid, sequence, error, ordinal FROM raw_events`
    : `SELECT time_ns, sector, sectors * 512, action::VARCHAR, rwbs::VARCHAR, cpu, pid FROM events`;
  const table = run.hasRaw ? "raw_events" : "events";
  const last = await query(store, `SELECT max(ordinal) FROM ${table} WHERE run_id = ${run.runId}`);
  const maxOrdinal = Number(last.rows[0]?.[0] ?? -1);
  const side = run.hasRaw ? await rawSideTables(store) : false;
  let names: ReadonlyMap<number, string> | undefined = side ? await processNames(store, run.runId) : undefined;
  for (let from = 0; from <= maxOrdinal; from += PAGE) {
    const reader = await store.connection.runAndReadAll(
      `${sql} WHERE run_id = ${run.runId} AND ordinal >= ${from} AND ordinal < ${from + PAGE} ORDER BY ordinal`,
    );
    const rows = reader.getRows();
    if (rows.length === 0) continue;
    const cols = allocColumns(rows.length);
    rows.forEach((r, i) => {
      cols.time[i] = Number(r[0]);
      cols.sector[i] = Number(r[1]);
      cols.bytes[i] = Number(r[2]);
      if (run.hasRaw) {
        cols.action[i] = Number(r[3]);
        cols.device[i] = Number(r[4]);
        cols.cpu[i] = Number(r[5]);
        cols.pid[i] = Number(r[6]);
        cols.sequence[i] = Number(r[7]);
        cols.error[i] = Number(r[8]);
      } else {
        cols.action[i] = (actionCode(String(r[3])) | Math.max(categoryOf(String(r[4] ?? "N")), 0)) >>> 0;
        cols.cpu[i] = Number(r[5]);
        cols.pid[i] = Number(r[6]);
      }
    });
    const payload = side ? await payloadsOf(store, run.runId, from, rows) : undefined;
    yield sealBatch(cols, rows.length, { ...(payload ? { payload } : {}), ...(names ? { names } : {}) });
    names = undefined; // announced once, as a trace announces a process
  }
}

/**
 * Open the store at `db` read-only, load run `id` and run `work` on it; the
 * store is closed afterwards. A missing store or run is one sentence naming it.
 *
 * @example await withStoredRun("blkrx.duckdb", 3, async (store, run) => summarize(storedEvents(store, run)));
 */
export async function withStoredRun<T>(
  db: string,
  id: number,
  work: (store: Store, run: StoredRun) => Promise<T>,
): Promise<T> {
  return withStore(db, async (store) => work(store, await loadStoredRun(store, id)), { readOnly: true });
}

/** Whether the store has the raw side tables (a store last written by an older blkrx may not). */
async function rawSideTables(store: Store): Promise<boolean> {
  const r = await query(
    store,
    "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('raw_payloads', 'process_names') AND schema_name = 'main' AND database_name = current_database()",
  );
  return Number(r.rows[0]?.[0]) === 2;
}

async function processNames(store: Store, runId: number): Promise<ReadonlyMap<number, string> | undefined> {
  const r = await query(store, `SELECT pid, name FROM process_names WHERE run_id = ${runId}`);
  return r.rows.length > 0 ? new Map(r.rows.map((row) => [Number(row[0]), String(row[1])])) : undefined;
}

/** The payload columns of one page of raw events (rows with ordinals from `from`), or undefined when none has one. */
async function payloadsOf(
  store: Store,
  runId: number,
  from: number,
  rows: readonly unknown[][],
): Promise<PayloadColumns | undefined> {
  const reader = await store.connection.runAndReadAll(
    `SELECT ordinal, payload FROM raw_payloads WHERE run_id = ${runId} AND ordinal >= ${from} AND ordinal < ${from + PAGE}`,
  );
  const found = reader.getRows();
  if (found.length === 0) return undefined;
  const byOrdinal = new Map<number, Uint8Array>();
  for (const [ordinal, blob] of found) byOrdinal.set(Number(ordinal), (blob as { bytes: Uint8Array }).bytes);
  const start = new Uint32Array(rows.length);
  const length = new Uint16Array(rows.length);
  let total = 0;
  for (const bytes of byOrdinal.values()) total += bytes.length;
  const data = new Uint8Array(total);
  let at = 0;
  rows.forEach((r, i) => {
    const pdu = byOrdinal.get(Number(r[9]));
    start[i] = at;
    if (!pdu) return;
    length[i] = pdu.length;
    data.set(pdu, at);
    at += pdu.length;
  });
  return { data, start, length };
}
