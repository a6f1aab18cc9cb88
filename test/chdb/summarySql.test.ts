import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CASES, caseFlags, contractOf } from "../helpers/cases.js";
import { blkrx, FIXTURES, ROOT } from "../helpers/cli.js";
import { DATASET_WRITERS, issuedRequests } from "../helpers/datasetFiles.js";
import { summaryOfRow } from "../helpers/summaryRow.js";

/**
 * The shipped SQL (sql/*.sql) runs unmodified on ClickHouse's engine: chDB,
 * pinned in test/chdb/package.json, is installed by this test into its own
 * directory (outside blkrx's dependencies; the prebuilt library comes from
 * npm), creates the views runs, raw_events and extents over a `blkrx
 * export --parquet` dataset, runs each SQL file and must give every run's
 * analyze JSON exactly. Runs: every fixture case, and the four dataset
 * formats (with and without extents). When chDB cannot be installed (no
 * network, unsupported platform) the test is skipped with the reason printed.
 */
const CHDB_PACKAGE = join(ROOT, "test/chdb/package.json");
const PINNED = JSON.parse(readFileSync(CHDB_PACKAGE, "utf8")).dependencies.chdb as string;
const CHDB_DIR = process.env.BLKRX_CHDB_DIR ?? join(tmpdir(), `blkrx-chdb-${PINNED}`);
const SQL_FILES = readdirSync(join(ROOT, "sql"))
  .filter((f) => f.endsWith(".sql"))
  .map((f) => join(ROOT, "sql", f));

/** Install the pinned chdb into CHDB_DIR (kept for later runs); the reason it failed, or undefined. */
async function installChdb(): Promise<string | undefined> {
  const installed = join(CHDB_DIR, "node_modules/chdb/package.json");
  if (existsSync(installed) && JSON.parse(readFileSync(installed, "utf8")).version === PINNED) return undefined;
  mkdirSync(CHDB_DIR, { recursive: true });
  writeFileSync(join(CHDB_DIR, "package.json"), readFileSync(CHDB_PACKAGE));
  const r = await execa("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock"], {
    cwd: CHDB_DIR,
    reject: false,
    timeout: 600_000,
  });
  if (r.exitCode !== 0)
    return `npm install chdb@${PINNED} failed: ${(r.stderr || r.stdout).split("\n").slice(-3).join(" ")}`;
  const probe = await execa("node", ["-e", `require(${JSON.stringify(join(CHDB_DIR, "node_modules/chdb"))})`], {
    reject: false,
  });
  return probe.exitCode === 0 ? undefined : `chdb@${PINNED} does not load here: ${probe.stderr.split("\n")[0]}`;
}

const dir = mkdtempSync(join(tmpdir(), "blkrx-chdb-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let skipReason: string | undefined;
/** analyze's JSON of each stored run, by run id. */
const analyzed = new Map<number, { name: string; summary: Record<string, unknown> }>();
const fromSql = new Map<string, Map<number, Record<string, unknown>>>();

beforeAll(async () => {
  skipReason = await installChdb();
  if (skipReason) {
    console.warn(`test/chdb skipped: ${skipReason}`);
    return;
  }
  const db = join(dir, "runs.duckdb");
  const runs: { name: string; args: string[] }[] = CASES.map((c) => ({
    name: c.name,
    args: [...c.inputs, ...caseFlags(c)],
  }));
  const ds = await issuedRequests(join(FIXTURES, "pressure-frag.bin"));
  for (const [format, write] of Object.entries(DATASET_WRITERS)) {
    const path = join(dir, `pressure-frag.${format}.txt`);
    writeFileSync(path, `${write(ds)}\n`);
    runs.push({ name: `${format} whole device, any direction`, args: [path, "--rw", "any"] });
    runs.push({
      name: `${format} in frag`,
      args: [path, "--extents", "frag.filefrag.txt", "--partition-start", "2048"],
    });
  }
  for (const run of runs) {
    const r = await blkrx(["analyze", ...run.args, "--raw", "--db", db, "--json"]);
    expect(r.exitCode, `${run.name}: ${r.stderr}`).toBe(0);
    const id = Number(/stored run (\d+)/.exec(r.stderr)?.[1]);
    analyzed.set(id, { name: run.name, summary: JSON.parse(r.stdout) });
  }
  const parquet = join(dir, "parquet");
  const exported = await blkrx(["export", "--parquet", parquet, "--db", db]);
  expect(exported.exitCode, exported.stderr).toBe(0);
  for (const sql of SQL_FILES) {
    const r = await execa("node", [join(ROOT, "test/chdb/runSql.cjs"), CHDB_DIR, parquet, sql], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const rows = new Map<number, Record<string, unknown>>();
    for (const line of r.stdout.trim().split("\n")) {
      const row = JSON.parse(line) as Record<string, unknown>;
      rows.set(Number(row.run_id), row);
    }
    fromSql.set(sql, rows);
  }
}, 900_000);

describe("shipped SQL on ClickHouse's engine (chDB) over the Parquet export equals analyze", () => {
  it("sql/summary.sql: every run, unmodified", (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    const rows = fromSql.get(join(ROOT, "sql/summary.sql"));
    expect(rows?.size).toBe(analyzed.size);
    expect(analyzed.size).toBe(CASES.length + 8);
    for (const [id, run] of analyzed) {
      const row = rows?.get(id);
      expect(row, run.name).toBeDefined();
      expect(contractOf(summaryOfRow(row ?? {})), run.name).toEqual(contractOf(run.summary));
    }
  });
});
