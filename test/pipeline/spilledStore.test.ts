import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { of } from "rxjs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { analyze } from "../../pipeline/analyze.js";
import { openSpilledStore } from "../../pipeline/spilledStore.js";
import { openStore } from "../../sinks/duckdb/openStore.js";
import type { RunMeta } from "../../sinks/duckdb/runWriter.js";
import { decodedFixture } from "../helpers/decode.js";

const META: RunMeta = {
  commandLine: "blkrx live -",
  source: "live",
  action: "D",
  rw: "read",
  small: 256,
  medium: 2048,
};

describe("openSpilledStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-spilled-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stores the run again with more DuckDB memory when the limit was too small, and says so", async () => {
    const db = join(dir, "small.duckdb");
    const batch = decodedFixture("pressure-frag");
    const store = openSpilledStore(db, false, META, { memoryLimit: "1MB" }); // too small for 110,920 raw rows
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      for (let k = 0; k < 40; k++) store?.appendRaw(batch);
      const runId = await store?.commit(await analyze(of(batch)));
      // Stored by a store writer process, which reports its own peak (Node + DuckDB: well above Node alone).
      expect(store?.writerPeakRssBytes?.()).toBeGreaterThan(40e6);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toContain(
        "blkrx: storing the run needed more than 1MB of DuckDB memory; storing it again with 64MB",
      );
      const s = await openStore(db, { readOnly: true });
      try {
        const r = await s.connection.runAndReadAll(`SELECT count(*) FROM raw_events WHERE run_id = ${runId}`);
        expect(Number(r.getRows()[0]?.[0])).toBe(40 * batch.length);
        const runs = await s.connection.runAndReadAll("SELECT count(*) FROM runs");
        expect(Number(runs.getRows()[0]?.[0])).toBe(1);
      } finally {
        s.close();
      }
    } finally {
      stderr.mockRestore();
    }
    expect(readdirSync(dir).filter((f) => f.includes(".spill-"))).toEqual([]);
  }, 60_000);
});
