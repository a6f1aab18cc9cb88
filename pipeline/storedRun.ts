import { Observable } from "rxjs";
import { actionCode, categoryOf } from "../model/actions.js";
import type { AnalysisSettings, Direction } from "../model/analysisSettings.js";
import { allocColumns, type EventBatch, sealBatch } from "../model/batch.js";
import type { FileMap } from "../model/fileMap.js";
import type { Store } from "../sinks/duckdb/openStore.js";
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
  const sql = run.hasRaw
    ? `SELECT time_ns, sector, bytes, action_raw, device, cpu, pid, sequence, error FROM raw_events`
    : `SELECT time_ns, sector, sectors * 512, action::VARCHAR, rwbs::VARCHAR, cpu, pid FROM events`;
  return new Observable<EventBatch>((subscriber) => {
    let stopped = false;
    (async () => {
      const table = run.hasRaw ? "raw_events" : "events";
      const last = await query(store, `SELECT max(ordinal) FROM ${table} WHERE run_id = ${run.runId}`);
      const maxOrdinal = Number(last.rows[0]?.[0] ?? -1);
      for (let from = 0; !stopped && from <= maxOrdinal; from += PAGE) {
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
        if (!stopped) subscriber.next(sealBatch(cols, rows.length));
      }
      subscriber.complete();
    })().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
}
