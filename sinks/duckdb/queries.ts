import type { DuckDBType, DuckDBValue } from "@duckdb/node-api";
import type { Store } from "./openStore.js";

/** A query result as column names and JSON-safe rows. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/**
 * Run one SQL statement (or several; the last one's result is returned) and
 * return JSON-safe values: BIGINT/HUGEINT become numbers when exact (else
 * decimal strings), timestamps ISO strings, enums strings.
 *
 * @example const { columns, rows } = await query(store, "select events from runs");
 */
export async function query(
  store: Store,
  sql: string,
  values?: Record<string, DuckDBValue>,
  types?: Record<string, DuckDBType>,
): Promise<QueryResult> {
  const reader = await store.connection.runAndReadAll(sql, values, types);
  return { columns: reader.columnNames(), rows: reader.getRowsJS().map((row) => row.map(jsonSafe)) };
}

/** Rows of a {@link QueryResult} as objects keyed by column name. */
export function rowObjects(result: QueryResult): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
}

/** A value as JSON can hold it (bigint → number when exact, Date → ISO string). */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

/** The columns `blkrx runs` lists, newest first. */
export const LIST_RUNS_SQL = `SELECT run_id, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created, label, source,
  COALESCE(file_path, device) AS target, action, rw, extent_count AS extents, events,
  read_bytes, unique_bytes, round(100 * coverage, 1) AS coverage_pct
FROM runs ORDER BY run_id DESC`;

/** One run's numbers for the study's two tables (see sinks/compareTables.ts). */
export interface CompareRun {
  runId: number;
  label: string | null;
  /** The action selection counted (`D`, `Q,D,C`, `all`). */
  action: string;
  device: string | null;
  extents: number | null;
  memLimitBytes: number | null;
  lockedBytes: number | null;
  seconds: number | null;
  tokensPerSecond: number | null;
  readBytes: number;
  uniqueBytes: number;
  coverage: number | null;
  events: number;
  physical: readonly number[];
  logical: readonly number[];
  /** Per tensor group of an `analyze --gguf` run (file order of first tensor); empty otherwise. */
  groups: readonly { group: string; readBytes: number; bytes: number }[];
}

/**
 * Load the runs to compare, in the order asked; a missing id is an error naming it.
 *
 * @example const runs = await compareRuns(store, [1, 2]);
 */
export async function compareRuns(store: Store, runIds: readonly number[]): Promise<CompareRun[]> {
  const result = await query(
    store,
    `SELECT run_id, label, action, device, extent_count, mem_limit_bytes, locked_bytes,
       COALESCE(wall_seconds, duration_ns / 1e9) AS seconds, tokens_per_second, read_bytes, unique_bytes, coverage, events,
       [physical_sequential, physical_small, physical_medium, physical_large, physical_backward] AS physical,
       [logical_sequential, logical_small, logical_medium, logical_large, logical_backward] AS logical
     FROM runs WHERE run_id IN (${parseRunIds(runIds.map(String)).join(", ")})`,
  );
  const byId = new Map(rowObjects(result).map((r) => [r.run_id as number, r]));
  // a store opened read-only keeps its schema: one written before the tensors table has no GGUF rows
  const groupRows = (await hasTable(store, "tensors"))
    ? rowObjects(
        await query(
          store,
          `SELECT run_id, group_name, sum(read_bytes) AS read_bytes, sum(bytes) AS bytes FROM tensors
           WHERE run_id IN (${parseRunIds(runIds.map(String)).join(", ")}) GROUP BY run_id, group_name ORDER BY run_id, min(ordinal)`,
        ),
      )
    : [];
  return runIds.map((id) => {
    const r = byId.get(id);
    if (!r) throw new RangeError(`Cannot compare run ${id}: the store has no run with that id (see blkrx runs)`);
    return {
      runId: id,
      label: r.label as string | null,
      action: r.action as string,
      device: r.device as string | null,
      extents: r.extent_count as number | null,
      memLimitBytes: r.mem_limit_bytes as number | null,
      lockedBytes: r.locked_bytes as number | null,
      seconds: r.seconds as number | null,
      tokensPerSecond: r.tokens_per_second as number | null,
      readBytes: r.read_bytes as number,
      uniqueBytes: r.unique_bytes as number,
      coverage: r.coverage as number | null,
      events: r.events as number,
      physical: r.physical as number[],
      logical: r.logical as number[],
      groups: groupRows
        .filter((g) => g.run_id === id)
        .map((g) => ({ group: g.group_name as string, readBytes: Number(g.read_bytes), bytes: Number(g.bytes) })),
    };
  });
}

/** Parse run ids given on the command line; anything else is a TypeError naming it. */
export function parseRunIds(args: readonly string[]): number[] {
  return args.map((a) => {
    const id = Number(a);
    if (!Number.isInteger(id) || id <= 0)
      throw new TypeError(`Cannot use "${a}" as a run id: expected a positive integer`);
    return id;
  });
}

/**
 * True when the store has this base table (stores opened read-only are not
 * migrated, so a table added since they were written may be missing).
 *
 * @example if (await hasTable(store, "tensors")) ...
 */
export async function hasTable(store: Store, table: string): Promise<boolean> {
  const reader = await store.connection.runAndReadAll(
    "SELECT count(*) FROM duckdb_tables() WHERE table_name = $1 AND schema_name = 'main' AND database_name = current_database()",
    [table],
  );
  return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
}
