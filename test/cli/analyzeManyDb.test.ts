import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx, ROOT } from "../helpers/cli.js";

const FLAGS = ["--extents", "frag.filefrag.txt", "--partition-start", "2048"];
const TRACES = ["direct-frag.bin", "mmap-frag.bin", "pressure-frag.bin"];

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function storedRuns(db: string): Promise<Record<string, unknown>[]> {
  const sql =
    "select run_id, label, source, device, action, rw, events, read_bytes, unique_bytes, extent_count, coverage from runs order by run_id";
  const r = await blkrx(["sql", "--db", db, "--json", sql]);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

describe("blkrx analyze-many --db PATH stores each input as a run", () => {
  it("stores one runs row per input with analyze's numbers, and prints each run's id", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "blkrx-many-db-")), "runs.duckdb");
    const r = await blkrx(["analyze-many", ...TRACES, ...FLAGS, "--jobs", "2", "--db", db, "--json"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(`blkrx: stored 3 runs in ${db}: 1-3`);
    expect(lines(r.stdout).map((l) => [l.input, l.runId])).toEqual(TRACES.map((t, i) => [t, i + 1]));
    const expected = [];
    for (const [i, trace] of TRACES.entries()) {
      const alone = JSON.parse((await blkrx(["analyze", trace, ...FLAGS, "--json", "--no-db"])).stdout);
      expected.push({
        run_id: i + 1,
        label: trace,
        source: "file",
        device: null,
        action: "D",
        rw: "read",
        events: alone.events,
        read_bytes: alone.readBytes,
        unique_bytes: alone.uniqueBytes,
        extent_count: 13,
        coverage: alone.coverage,
      });
    }
    expect(await storedRuns(db)).toEqual(expected);
    expect((await storedRuns(db)).map((row) => row.events)).toEqual([22, 80, 243]);
    // Summaries only: the events stay in the workers (analyze stores them).
    const events = await blkrx(["sql", "--db", db, "--json", "select count(*) as n from events"]);
    expect(JSON.parse(events.stdout)).toEqual([{ n: 0 }]);
  }, 120_000);

  it("with --split-by device, one run per volume naming its device; a failed input is not stored", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "blkrx-many-db-")), "runs.duckdb");
    const alibaba = join(ROOT, "examples/datasets/alibaba.csv");
    const r = await blkrx(["analyze-many", alibaba, "missing.csv", "--split-by", "device", "--db", db, "--json"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("missing.csv: no such file");
    expect(r.stderr).toContain(`stored 2 runs in ${db}: 1-2`);
    const printed = lines(r.stdout).filter((l) => l.runId !== undefined);
    const rows = await storedRuns(db);
    expect(rows.map((row) => [row.run_id, row.label, row.device, row.events])).toEqual(
      printed.map((l) => [l.runId, `${alibaba} ${l.device}`, l.device, l.events]),
    );
    expect(rows.map((row) => row.device)).toEqual(["alibaba:419", "alibaba:420"]);
  }, 120_000);

  it("without --db nothing is stored and no runId is printed", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "blkrx-many-nodb-"));
    const r = await blkrx(["analyze-many", join(ROOT, "test/fixtures/direct-frag.bin"), "--json"], { cwd });
    expect(r.stderr).toBe("");
    expect(lines(r.stdout)[0]).not.toHaveProperty("runId");
    expect(existsSync(join(cwd, "blkrx.duckdb"))).toBe(false);
  }, 60_000);
});
