import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../sinks/duckdb/openStore.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../sinks/duckdb/schema.js";
import { BIN, FIXTURES } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-requests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]): string =>
  execFileSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: FIXTURES });

describe("the requests table (analyze --latency --db)", () => {
  it("stores one row per completed bio, and SQL over it gives the report's D2C and Q2C statistics", () => {
    const db = join(dir, "lat.duckdb");
    const summary = JSON.parse(
      run(
        "analyze",
        "pressure-frag.bin",
        "--extents",
        "frag.filefrag.txt",
        "--partition-start",
        "2048",
        "--latency",
        "--db",
        db,
        "--json",
      ),
    );
    const rows = JSON.parse(
      run(
        "sql",
        "--db",
        db,
        "--json",
        "select count(*) as n, count(d2c_ns) as d2c_n, min(d2c_ns) as d2c_min, max(d2c_ns) as d2c_max, count(q2c_ns) as q2c_n, max(q2c_ns) as q2c_max from requests",
      ),
    );
    const overall = summary.latency.overall.intervals;
    expect(rows).toEqual([
      {
        n: summary.latency.requests,
        d2c_n: overall.d2c.n,
        d2c_min: overall.d2c.min,
        d2c_max: overall.d2c.max,
        q2c_n: overall.q2c.n,
        q2c_max: overall.q2c.max,
      },
    ]);
    expect(summary.latency.requests).toBeGreaterThan(200);
  });

  it("migrates a version-1 store to the current version on open", async () => {
    const path = join(dir, "v1.duckdb");
    const instance = await DuckDBInstance.create(path);
    const c = await instance.connect();
    await c.run("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ)");
    const v1 = MIGRATIONS[0] ?? [];
    for (const statement of typeof v1 === "function" ? await v1(c) : v1) await c.run(statement);
    await c.run("INSERT INTO schema_version VALUES (1, now())");
    c.closeSync();
    instance.closeSync();
    const store = await openStore(path);
    const version = await store.connection.runAndReadAll("select max(version) from schema_version");
    const tables = await store.connection.runAndReadAll(
      "select count(*) from information_schema.tables where table_name = 'requests'",
    );
    store.close();
    expect(Number(version.getRows()[0]?.[0])).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(3);
    expect(Number(tables.getRows()[0]?.[0])).toBe(1);
  });
});
