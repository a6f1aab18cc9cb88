import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";

/**
 * `blkrx live -` (no tracefs: a trace piped in) stores its run through a
 * spill file beside the store: the run is complete, the spill is gone, and
 * the stored raw events print back as blkparse prints the trace.
 */
describe("live - stores its run through a spill file", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-live-spill-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const trace = readFileSync(join(FIXTURES, "mmap-contig.bin"));

  it("stores every raw record and the kept events, leaves no spill file, and cat --run prints what blkparse prints", async () => {
    const db = join(dir, "live.duckdb");
    const r = await blkrx(["live", "-", "--json", "--db", db], { input: trace });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).events).toBe(72);
    expect(r.stderr).toContain(`blkrx: stored run 1 in ${db}`);
    expect(readdirSync(dir).filter((f) => f.includes(".spill-"))).toEqual([]);
    const counts = await blkrx(["sql", "select events, raw_events from runs where run_id = 1", "--db", db, "--json"]);
    expect(JSON.parse(counts.stdout)).toEqual([{ events: 72, raw_events: 497 }]);
    const cat = await blkrx(["cat", "--run", "1", "--db", db]);
    const blkparse = execFileSync("blkparse", ["-q", "-i", "-"], { input: trace, encoding: "utf8" });
    const lines = (text: string) => text.split("\n").filter((l) => l !== "");
    expect(lines(cat.stdout)).toEqual(lines(blkparse));
    const summary = await blkrx(["analyze", "--run", "1", "--db", db, "--json"]);
    // live --json names the run it stored (runId); analyze --run stores nothing, so prints no runId.
    const { runId, ...live } = JSON.parse(r.stdout);
    expect(runId).toBe(1);
    expect(JSON.parse(summary.stdout)).toEqual(live);
  });

  it("a store the store writer process cannot open is one sentence from blkrx, and no spill or job file is left", async () => {
    const db = join(dir, "not-a-store.duckdb");
    writeFileSync(db, "not a database\n");
    const r = await blkrx(["live", "-", "--json", "--db", db], { input: trace });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toEqual([
      `blkrx: Cannot open the run store ${db}: IO Error: The file "${db}" exists, but it is not a valid DuckDB database file!`,
    ]);
    expect(readdirSync(dir).filter((f) => f.includes(".spill-"))).toEqual([]);
  });

  it("an explicit --db that cannot be written is an error before anything is read", async () => {
    const db = join(dir, "missing", "x.duckdb");
    const r = await blkrx(["live", "-", "--json", "--db", db], { input: trace });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(
      `Cannot store the run in ${db}: its folder ${join(dir, "missing")} does not exist; pass another --db, or --no-db`,
    );
    expect(r.stdout).toBe("");
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });
});
