// Run shipped SQL files on chDB (ClickHouse's engine, embedded) over a blkrx Parquet export.
// Usage: node runSql.cjs CHDB_DIR PARQUET_DIR SQL_FILE...  → one JSON object per result row (JSONEachRow).
// A separate process: the 500 MB ClickHouse library is loaded here, never into the test runner.
const { mkdtempSync, readFileSync, rmSync } = require("node:fs");
const { createRequire } = require("node:module");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const [chdbDir, parquet, ...sqlFiles] = process.argv.slice(2);
const { Session } = createRequire(join(chdbDir, "package.json"))("chdb");
const dataDir = mkdtempSync(join(tmpdir(), "blkrx-chdb-session-"));
const session = new Session(dataDir);
try {
  // The three views docs/scale.md gives for ClickHouse: hive partitions (run_id=N/) become a column.
  session.query(`CREATE VIEW runs AS SELECT * FROM file('${parquet}/runs.parquet', Parquet)`);
  session.query(`CREATE VIEW extents AS SELECT * FROM file('${parquet}/extents.parquet', Parquet)`);
  session.query(
    `CREATE VIEW raw_events AS SELECT * FROM file('${parquet}/raw_events/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1`,
  );
  for (const file of sqlFiles) process.stdout.write(session.query(readFileSync(file, "utf8"), "JSONEachRow"));
} finally {
  session.close?.();
  rmSync(dataDir, { recursive: true, force: true });
}
