import type { DuckDBConnection } from "@duckdb/node-api";
import { ACTION_LETTERS } from "../../model/actions.js";
import { GAP_CLASSES } from "../../model/batch.js";
import { usedRunIds } from "./perRunRows.js";
import { RAW_SIDE_TABLES } from "./rawSideTables.js";
import { RUN_WARNINGS_TABLE } from "./runWarnings.js";
import { TENSOR_TABLES } from "./tensorTables.js";

/** The schema version this build writes; older stores are migrated on open. */
export const SCHEMA_VERSION = 3;

/** Action letters of the `blk_action` enum: index = action code, then "N" for notify records. */
export const ACTION_ENUM: readonly string[] = [...ACTION_LETTERS, "N"];
/** Enum index of notify records in `blk_action`. */
export const NOTIFY_ACTION_INDEX = ACTION_LETTERS.length;

/**
 * Every RWBS string blkparse can print, indexed so that the index is computed
 * from bits: 64 × preflush + 16 × kind (D, W, R, N) + 8 × FUA + 4 × ahead +
 * 2 × sync + meta. The `blk_rwbs` enum lists them in this order.
 */
export const RWBS_ENUM: readonly string[] = (() => {
  const out: string[] = [];
  for (let index = 0; index < 128; index++) {
    let s = index & 64 ? "F" : "";
    s += "DWRN"[(index >> 4) & 3];
    if (index & 8) s += "F";
    if (index & 4) s += "A";
    if (index & 2) s += "S";
    if (index & 1) s += "M";
    out.push(s);
  }
  return out;
})();

const enumList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(", ");

/** Version 1: runs, events, raw_events, extents and the two views. */
const V1: readonly string[] = [
  `CREATE TYPE blk_action AS ENUM (${enumList(ACTION_ENUM)})`,
  `CREATE TYPE blk_rwbs AS ENUM (${enumList(RWBS_ENUM)})`,
  `CREATE TYPE gap_class AS ENUM (${enumList(GAP_CLASSES)})`,
  `CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY,
    label VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    command_line VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    device VARCHAR,
    file_path VARCHAR,
    file_bytes BIGINT,
    file_sectors BIGINT,
    extent_count INTEGER,
    partition_start BIGINT,
    block_size INTEGER,
    action VARCHAR NOT NULL,
    rw VARCHAR NOT NULL,
    small BIGINT NOT NULL,
    medium BIGINT NOT NULL,
    events BIGINT NOT NULL,
    read_bytes BIGINT NOT NULL,
    unique_bytes BIGINT NOT NULL,
    unique_sectors BIGINT NOT NULL,
    coverage DOUBLE,
    physical_sequential BIGINT NOT NULL,
    physical_small BIGINT NOT NULL,
    physical_medium BIGINT NOT NULL,
    physical_large BIGINT NOT NULL,
    physical_backward BIGINT NOT NULL,
    logical_sequential BIGINT NOT NULL,
    logical_small BIGINT NOT NULL,
    logical_medium BIGINT NOT NULL,
    logical_large BIGINT NOT NULL,
    logical_backward BIGINT NOT NULL,
    duration_ns BIGINT,
    dropped BIGINT,
    skipped BIGINT,
    raw_events BIGINT,
    wall_seconds DOUBLE,
    tokens BIGINT,
    tokens_per_second DOUBLE,
    mem_limit_bytes BIGINT,
    locked_bytes BIGINT,
    page_cache_delta_bytes BIGINT,
    peak_rss_bytes BIGINT
  )`,
  `CREATE TABLE events (
    run_id INTEGER NOT NULL,
    ordinal BIGINT NOT NULL,
    time_ns BIGINT NOT NULL,
    cpu UINTEGER NOT NULL,
    pid UINTEGER NOT NULL,
    action blk_action NOT NULL,
    rwbs blk_rwbs,
    sector BIGINT NOT NULL,
    sectors UINTEGER NOT NULL,
    file_sector BIGINT,
    physical_gap BIGINT,
    physical_class gap_class,
    logical_gap BIGINT,
    logical_class gap_class,
    phase USMALLINT
  )`,
  `CREATE TABLE raw_events (
    run_id INTEGER NOT NULL,
    ordinal BIGINT NOT NULL,
    time_ns BIGINT NOT NULL,
    device UINTEGER NOT NULL,
    cpu UINTEGER NOT NULL,
    pid UINTEGER NOT NULL,
    sequence UINTEGER NOT NULL,
    action blk_action NOT NULL,
    rwbs blk_rwbs,
    action_raw UINTEGER NOT NULL,
    sector BIGINT NOT NULL,
    sectors UINTEGER NOT NULL,
    bytes UINTEGER NOT NULL,
    error INTEGER NOT NULL
  )`,
  `CREATE TABLE extents (
    run_id INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    logical_start BIGINT NOT NULL,
    physical_start BIGINT NOT NULL,
    length BIGINT NOT NULL,
    block_size INTEGER NOT NULL,
    device_start_sector BIGINT NOT NULL,
    file_start_sector BIGINT NOT NULL,
    sectors BIGINT NOT NULL
  )`,
  // Pieces of kept events: the intersections with the run's extents (file sectors),
  // or the whole event (device sectors) for runs stored without extents.
  `CREATE VIEW event_pieces AS
    SELECT e.run_id, e.ordinal, e.time_ns,
      x.file_start_sector + GREATEST(e.sector, x.device_start_sector) - x.device_start_sector AS start_sector,
      LEAST(e.sector + e.sectors, x.device_start_sector + x.sectors) - GREATEST(e.sector, x.device_start_sector) AS sectors
    FROM events e JOIN extents x ON x.run_id = e.run_id
      AND x.device_start_sector < e.sector + e.sectors AND x.device_start_sector + x.sectors > e.sector
    UNION ALL
    SELECT e.run_id, e.ordinal, e.time_ns, e.sector, e.sectors
    FROM events e WHERE NOT EXISTS (SELECT 1 FROM extents x WHERE x.run_id = e.run_id)`,
  `CREATE VIEW gap_distribution AS
    WITH counted AS (
      SELECT run_id, 'physical' AS space, physical_class AS class, count(*) AS n
        FROM events WHERE physical_class IS NOT NULL GROUP BY ALL
      UNION ALL
      SELECT run_id, 'logical', logical_class, count(*)
        FROM events WHERE logical_class IS NOT NULL GROUP BY ALL
    ),
    grid AS (
      SELECT r.run_id, s.space, c.class, r.events
      FROM runs r,
        (VALUES ('physical'), ('logical')) s(space),
        (SELECT CAST(unnest(enum_range(NULL::gap_class)) AS gap_class) AS class) c
    )
    SELECT g.run_id, g.space, g.class, COALESCE(n, 0) AS count,
      CASE WHEN g.events > 1 THEN 100.0 * COALESCE(n, 0) / (g.events - 1) END AS percent
    FROM grid g LEFT JOIN counted c USING (run_id, space, class)
    ORDER BY g.run_id, g.space DESC, g.class`,
  // Cumulative unique bytes over 100 equal time buckets per run: cut the pieces into
  // elementary intervals, find when each was first read, and accumulate.
  `CREATE VIEW coverage_timeline AS
    WITH bounds AS (
      SELECT run_id, start_sector AS p FROM event_pieces
      UNION SELECT run_id, start_sector + sectors FROM event_pieces
    ),
    elementary AS (
      SELECT run_id, p AS lo, LEAD(p) OVER (PARTITION BY run_id ORDER BY p) AS hi FROM bounds
    ),
    first_read AS (
      SELECT el.run_id, el.lo, el.hi, min(ep.time_ns) AS t
      FROM elementary el JOIN event_pieces ep ON ep.run_id = el.run_id
        AND ep.start_sector <= el.lo AND ep.start_sector + ep.sectors >= el.hi
      WHERE el.hi IS NOT NULL
      GROUP BY ALL
    ),
    span AS (SELECT run_id, max(time_ns) + 1 AS width FROM events GROUP BY run_id),
    per_bucket AS (
      SELECT f.run_id, CAST(floor(100.0 * f.t / s.width) AS INTEGER) AS bucket, sum(f.hi - f.lo) AS sectors
      FROM first_read f JOIN span s USING (run_id) GROUP BY ALL
    ),
    grid AS (
      SELECT s.run_id, b.bucket, s.width FROM span s, range(100) b(bucket)
    )
    SELECT g.run_id, g.bucket, CAST(g.bucket * g.width / 100 AS BIGINT) AS start_ns,
      CAST((g.bucket + 1) * g.width / 100 AS BIGINT) AS end_ns,
      CAST(512 * sum(COALESCE(pb.sectors, 0)) OVER w AS BIGINT) AS unique_bytes,
      sum(COALESCE(pb.sectors, 0)) OVER w / r.file_sectors AS coverage
    FROM grid g LEFT JOIN per_bucket pb USING (run_id, bucket) JOIN runs r USING (run_id)
    WINDOW w AS (PARTITION BY g.run_id ORDER BY g.bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ORDER BY g.run_id, g.bucket`,
];

/** Version 2: `requests`, the completed bios of `analyze --latency` with their stage latencies (ns). */
const V2: readonly string[] = [
  `CREATE TYPE blk_direction AS ENUM ('read', 'write', 'discard', 'other')`,
  `CREATE TABLE requests (
    run_id INTEGER NOT NULL,
    ordinal BIGINT NOT NULL,
    complete_ns BIGINT,
    device UINTEGER,
    pid UINTEGER,
    direction blk_direction,
    sector BIGINT,
    sectors BIGINT,
    phase USMALLINT,
    q2g_ns BIGINT,
    g2i_ns BIGINT,
    q2m_ns BIGINT,
    i2d_ns BIGINT,
    m2d_ns BIGINT,
    d2c_ns BIGINT,
    q2c_ns BIGINT
  )`,
];

/** The sequence run ids come from: never reused, even after a run is deleted or a run aborted. */
export const RUN_ID_SEQUENCE = "run_ids";

/**
 * Version 3: run ids from a sequence. Before it, a new run took max(run_id) + 1
 * and so, after `DELETE FROM runs` of the newest run, inherited that run's
 * events. The sequence starts after every id in use, including ids only
 * left behind in per-run tables by such a delete.
 *
 * Why a sequence and checks rather than foreign keys: DuckDB builds an ART
 * index on every foreign-key column, so `events.run_id` would be indexed row
 * by row (millions per run) and the store would cost far more than it does;
 * DuckDB also cannot add a foreign key to an existing table. `blkrx runs
 * --delete` removes a run with all its rows, and `blkrx sql` refuses any
 * statement that leaves rows of a run without their `runs` row.
 */
async function v3(connection: DuckDBConnection): Promise<readonly string[]> {
  const ids = await usedRunIds(connection);
  const start = ids.reduce((max, id) => Math.max(max, id), 0) + 1;
  return [`CREATE SEQUENCE ${RUN_ID_SEQUENCE} START WITH ${start}`];
}

/** A migration: its statements, or a function computing them from the store as it is. */
type Migration = readonly string[] | ((connection: DuckDBConnection) => Promise<readonly string[]>);

/** Migrations: entry k upgrades a store from version k to k + 1. */
export const MIGRATIONS: readonly Migration[] = [V1, V2, v3];

/**
 * The schema version of the store behind `connection` (0 for a file without
 * blkrx tables); a store written by a newer blkrx is refused.
 *
 * @example await schemaVersion(store.connection) // 3
 */
export async function schemaVersion(connection: DuckDBConnection): Promise<number> {
  const table = await connection.runAndReadAll(
    "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main' AND database_name = current_database()",
  );
  if (Number(table.getRows()[0]?.[0] ?? 0) === 0) return 0;
  const reader = await connection.runAndReadAll("SELECT COALESCE(max(version), 0) FROM schema_version");
  const current = Number(reader.getRows()[0]?.[0] ?? 0);
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `Cannot use this run store: it has schema version ${current}, newer than the ${SCHEMA_VERSION} this blkrx understands`,
    );
  }
  return current;
}

/**
 * Bring the store behind `connection` to {@link SCHEMA_VERSION}: create the
 * `schema_version` table when missing, then run each missing migration in its
 * own transaction. A store written by a newer blkrx is refused.
 *
 * @example await migrate(connection); // a fresh file now has runs, events, ...
 */
export async function migrate(connection: DuckDBConnection): Promise<number> {
  await connection.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ)");
  const current = await schemaVersion(connection);
  for (let version = current; version < SCHEMA_VERSION; version++) {
    await connection.run("BEGIN TRANSACTION");
    try {
      const migration = MIGRATIONS[version] ?? [];
      const statements = typeof migration === "function" ? await migration(connection) : migration;
      for (const statement of statements) await connection.run(statement);
      await connection.run(`INSERT INTO schema_version VALUES (${version + 1}, now())`);
      await connection.run("COMMIT");
    } catch (error: unknown) {
      await connection.run("ROLLBACK");
      throw error;
    }
  }
  await connection.run(RUN_WARNINGS_TABLE); // additive, outside the numbered versions (see runWarnings.ts)
  for (const table of TENSOR_TABLES) await connection.run(table); // additive too (see tensorTables.ts)
  for (const table of RAW_SIDE_TABLES) await connection.run(table); // additive too (see rawSideTables.ts)
  return SCHEMA_VERSION;
}
