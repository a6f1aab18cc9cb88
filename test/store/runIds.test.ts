import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../sinks/duckdb/schema.js";
import { blkrx } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-ids-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FRAG = ["pressure-frag.bin", "--extents", "frag.filefrag.txt", "--partition-start", "2048"];
/** Every per-run table, with raw events and requests too (`--raw --latency`). */
const TABLES = ["events", "extents", "raw_events", "requests"] as const;

async function sqlJson(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const r = await blkrx(["sql", "--db", db, "--json", sql]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

/** Rows per table of one run. */
async function rowsOf(db: string, runId: number): Promise<Record<string, number>> {
  const counts = TABLES.map((t) => `(select count(*) from ${t} where run_id = ${runId}) as ${t}`).join(", ");
  return (await sqlJson(db, `select ${counts}`))[0] as Record<string, number>;
}

async function analyze(db: string, ...extra: string[]): Promise<number> {
  const r = await blkrx(["analyze", ...FRAG, "--db", db, "--json", ...extra]);
  expect(r.exitCode, r.stderr).toBe(0);
  return Number(/stored run (\d+)/.exec(r.stderr)?.[1]);
}

describe("run ids are never reused and a run's rows never outlive it", () => {
  it("runs --delete removes a run and all its rows at once; the next run gets a new id and only its own events", async () => {
    const db = join(dir, "delete.duckdb");
    expect(await analyze(db)).toBe(1);
    expect(await analyze(db, "--raw", "--latency")).toBe(2);
    const before = await rowsOf(db, 2);
    expect(before.events).toBe(243);
    for (const t of TABLES) expect(before[t], t).toBeGreaterThan(0);

    const deleted = await blkrx(["runs", "--db", db, "--delete", "2"]);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(deleted.stderr).toMatch(/deleted run 2/);
    expect(await rowsOf(db, 2)).toEqual({ events: 0, extents: 0, raw_events: 0, requests: 0 });
    expect(await sqlJson(db, "select run_id from runs")).toEqual([{ run_id: 1 }]);

    expect(await analyze(db)).toBe(3);
    expect((await rowsOf(db, 3)).events).toBe(243);
    expect((await rowsOf(db, 1)).events).toBe(243);

    const missing = await blkrx(["runs", "--db", db, "--delete", "1", "2"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/Cannot delete run 2: the store has no run with that id .*nothing was deleted/);
    expect((await rowsOf(db, 1)).events).toBe(243);
  }, 60_000);

  it("sql refuses a DELETE that would orphan a run's events, and changes nothing", async () => {
    const db = join(dir, "sql.duckdb");
    expect(await analyze(db)).toBe(1);
    const r = await blkrx(["sql", "--db", db, "delete from runs where run_id = 1"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /Cannot run this SQL: it would leave \d+ row\(s\) of run 1 \(in events, extents\) without their runs row; delete runs with "blkrx runs --delete 1"/,
    );
    expect(await sqlJson(db, "select run_id, events from runs")).toEqual([{ run_id: 1, events: 243 }]);
    // Writes that keep runs whole still work.
    await sqlJson(db, "update runs set label = 'cold' where run_id = 1");
    expect(await sqlJson(db, "select label from runs")).toEqual([{ label: "cold" }]);
  }, 60_000);

  it("a store made by the old schema, with rows a SQL delete orphaned, gives the next run a fresh id", async () => {
    // Schema version 2 as an older blkrx made it, after `delete from runs where run_id = 1` left 71 events behind.
    const db = join(dir, "old.duckdb");
    const instance = await DuckDBInstance.create(db);
    const c = await instance.connect();
    await c.run("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ)");
    for (const [k, migration] of MIGRATIONS.slice(0, 2).entries()) {
      for (const statement of typeof migration === "function" ? await migration(c) : migration) await c.run(statement);
      await c.run(`INSERT INTO schema_version VALUES (${k + 1}, now())`);
    }
    await c.run(
      "INSERT INTO events SELECT 1, i, 1000 * i, 0, 1, 'D', 'R', 8 * i, 8, NULL, NULL, NULL, NULL, NULL, NULL FROM range(71) t(i)",
    );
    c.closeSync();
    instance.closeSync();

    expect(await analyze(db)).toBe(2); // main gave 1, and run 1 then had 243 + 71 = 314 events
    expect((await rowsOf(db, 2)).events).toBe(243);
    const listed = await blkrx(["runs", "--db", db]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stderr).toMatch(/71 row\(s\) belong to run id\(s\) 1 that have no runs row.*blkrx runs --delete 1/);
    const cleaned = await blkrx(["runs", "--db", db, "--delete", "1"]);
    expect(cleaned.exitCode, cleaned.stderr).toBe(0);
    expect(await sqlJson(db, "select run_id, count(*) as n from events group by run_id")).toEqual([
      { run_id: 2, n: 243 },
    ]);
    expect((await blkrx(["runs", "--db", db])).stderr).toBe("");
  }, 60_000);
});
