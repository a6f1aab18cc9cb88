// study_runs: one row per run of the sweep, in the same DuckDB file as blkrx run's own tables (joined on run_id),
// so every table of the report is a query. Opened per write: blkrx run needs the file while a run is stored.
import { copyFileSync, existsSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

export const STUDY_COLUMNS = {
  run_id: "INTEGER", // blkrx run's runs.run_id (null when blkrx run stored nothing)
  sweep_id: "VARCHAR",
  size: "VARCHAR",
  varied: "VARCHAR",
  layout: "VARCHAR",
  file_order: "VARCHAR",
  mechanism: "VARCHAR",
  memory_factor: "DOUBLE",
  target_bytes: "BIGINT",
  limit_bytes: "BIGINT",
  lock_bytes: "BIGINT", // --lock: what blkrx run's helper locked (inside the parent cgroup)
  parent_limit_bytes: "BIGINT", // --lock: the parent cgroup's limit (target + lock)
  available_before_run: "BIGINT", // MemAvailable when the run started (the floor is checked against it)
  parent_max_usage: "BIGINT", // --lock: the parent cgroup's peak usage (helper + workload)
  threads: "INTEGER",
  tokens: "INTEGER",
  context: "INTEGER",
  mmap: "BOOLEAN",
  repeat: "INTEGER",
  model_path: "VARCHAR",
  model_bytes: "BIGINT",
  extents: "INTEGER",
  extent_runs: "INTEGER",
  direct_io: "BOOLEAN",
  exit_code: "INTEGER",
  wall_seconds: "DOUBLE",
  load_seconds: "DOUBLE",
  generate_seconds: "DOUBLE",
  generate_tokens_per_second: "DOUBLE",
  n_layer: "INTEGER",
  n_embd: "INTEGER",
  n_head: "INTEGER",
  n_head_kv: "INTEGER",
  kv_bytes: "BIGINT",
  kv_formula_bytes: "BIGINT",
  mapped_buffer: "BIGINT",
  repack_buffer: "BIGINT",
  model_cpu_buffer: "BIGINT",
  compute_buffer: "BIGINT",
  output_buffer: "BIGINT",
  peak_rss: "BIGINT",
  peak_anon: "BIGINT",
  peak_file_mapped: "BIGINT",
  rss_at_peak: "BIGINT",
  anon_at_peak: "BIGINT",
  file_mapped_at_peak: "BIGINT",
  other_file_at_peak: "BIGINT", // file-backed RSS other than the model (node, shared libraries)
  runtime_rss: "BIGINT", // RSS once llama.cpp's libraries were loaded, before the model
  js_heap_growth: "BIGINT",
  kv_resident: "BIGINT",
  compute_resident: "BIGINT",
  breakdown_bytes: "BIGINT", // breakdown.mjs: the parts measured at the peak sample, summed
  breakdown_ratio: "DOUBLE", // breakdown_bytes / rss_at_peak
  breakdown_json: "VARCHAR",
  cg_rss_at_peak: "BIGINT",
  cg_cache_at_peak: "BIGINT",
  cg_mapped_file_at_peak: "BIGINT",
  cg_max_usage: "BIGINT",
  cg_rss_peak: "BIGINT",
  cg_cache_peak: "BIGINT",
  cg_mapped_file_peak: "BIGINT",
  cg_workingset_refault: "BIGINT",
  cg_pgmajfault: "BIGINT",
  page_cache_delta: "BIGINT",
  blkrx_peak_rss: "BIGINT",
  load_read_bytes: "BIGINT",
  load_unique_bytes: "BIGINT",
  load_coverage: "DOUBLE",
  infer_read_bytes: "BIGINT",
  infer_unique_bytes: "BIGINT",
  phases_json: "VARCHAR",
  runner_json: "VARCHAR",
  memory_series_json: "VARCHAR", // the runner's samples: seconds, model file RSS, anonymous RSS, RSS
  attribution_json: "VARCHAR", // blkrx gguf attribute of the inference phase and of the whole run (compact)
};

/**
 * Open the store, make sure study_runs exists, run `fn(connection)`, close.
 *
 * @example await withStudyStore("study.duckdb", (c) => c.run("SELECT 1"))
 */
export async function withStudyStore(path, fn) {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    const columns = Object.entries(STUDY_COLUMNS).map(([name, type]) => `${name} ${type}`);
    await connection.run(`CREATE TABLE IF NOT EXISTS study_runs (${columns.join(", ")})`);
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Insert one study row (keys of STUDY_COLUMNS; missing ones are null). */
export async function insertStudyRun(path, row) {
  const names = Object.keys(STUDY_COLUMNS);
  await withStudyStore(path, async (connection) => {
    const values = names.map((n) => (row[n] === undefined ? null : row[n]));
    const placeholders = names.map((_, i) => `$${i + 1}`).join(", ");
    const prepared = await connection.prepare(`INSERT INTO study_runs (${names.join(", ")}) VALUES (${placeholders})`);
    for (const [i, name] of names.entries()) bindValue(prepared, i + 1, STUDY_COLUMNS[name], values[i]);
    await prepared.run();
  });
}

function bindValue(prepared, index, type, value) {
  if (value === null || (typeof value === "number" && !Number.isFinite(value))) prepared.bindNull(index);
  else if (type === "INTEGER") prepared.bindInteger(index, Math.round(value));
  else if (type === "BIGINT") prepared.bindBigInt(index, BigInt(Math.round(value)));
  else if (type === "DOUBLE") prepared.bindDouble(index, value);
  else if (type === "BOOLEAN") prepared.bindBoolean(index, Boolean(value));
  else prepared.bindVarchar(index, String(value));
}

/**
 * Rows of a query as plain objects (BIGINT → Number).
 *
 * @example await query(connection, "SELECT count(*) AS n FROM study_runs") // [{ n: 11 }]
 */
export async function query(connection, sql) {
  const reader = await connection.runAndReadAll(sql);
  return reader
    .getRowObjectsJS()
    .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
}

/**
 * Move one run from `runDb` (a fresh store blkrx run wrote) into the study's store `db`, under a new run id taken
 * from `db`'s own run-id sequence; every table with a run_id column is copied by column name. The first run's store
 * simply becomes `db`. Resolves to the run's id in `db`.
 *
 * Why: blkrx run's live store sets DuckDB's memory_limit to 16MB, and DuckDB (1.x here) then fails every commit to
 * a store that already holds a run ("could not allocate block of size 256.0 KiB (15.0 MiB/15.2 MiB used)";
 * measured with 24MB: it commits). A fresh store per run commits; the study keeps one store by merging.
 *
 * @example const id = await mergeRunStore("study.duckdb", "/var/tmp/run.duckdb", 1)
 */
export async function mergeRunStore(db, runDb, runId) {
  if (!existsSync(db)) {
    copyFileSync(runDb, db);
    return runId;
  }
  const instance = await DuckDBInstance.create(db);
  const c = await instance.connect();
  try {
    await c.run(`ATTACH '${runDb.replaceAll("'", "''")}' AS fresh (READ_ONLY)`);
    const tables = await query(
      c,
      `SELECT c.table_name AS t FROM information_schema.columns c JOIN information_schema.tables b
         ON b.table_catalog = c.table_catalog AND b.table_schema = c.table_schema AND b.table_name = c.table_name
       WHERE c.table_catalog = 'fresh' AND c.column_name = 'run_id' AND b.table_type = 'BASE TABLE'
       ORDER BY c.table_name = 'runs' DESC`,
    );
    const [{ id }] = await query(c, "SELECT nextval('run_ids') AS id");
    await c.run("BEGIN TRANSACTION");
    for (const { t } of tables) {
      await c.run(
        `INSERT INTO main."${t}" BY NAME SELECT * REPLACE (${id} AS run_id) FROM fresh."${t}" WHERE run_id = ${Number(runId)}`,
      );
    }
    await c.run("COMMIT");
    await c.run("DETACH fresh");
    return id;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
