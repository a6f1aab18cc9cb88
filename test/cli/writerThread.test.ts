import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";

/**
 * `blkrx analyze` without --no-db starts the DuckDB writer thread before the
 * CLI loads (sinks/duckdb/writerThread.ts). When the command never stores a
 * run, that thread must not keep the process alive or print anything.
 */
describe("the writer thread started early for analyze", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-early-"));

  it("analyze --help exits at once and prints only the help", async () => {
    const started = Date.now();
    const r = await blkrx(["analyze", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: blkrx analyze/);
    expect(r.stderr).toBe("");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a bad extents file fails before the store is used: one sentence, exit 1, no store file", async () => {
    const db = join(dir, "never.duckdb");
    const r = await blkrx(["analyze", "direct-frag.bin", "--extents", "no-such-extents.txt", "--db", db]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no-such-extents\.txt/);
    expect(existsSync(db)).toBe(false);
  });

  it("failing early, over and over, it always exits 1 with one line (never an abort while DuckDB loads)", async () => {
    // The process used to exit while the thread was inside DuckDB's native initialisation and abort (exit
    // 134, `terminate called after throwing an instance of 'Napi::Error'`) about once in 150 runs on a loaded
    // machine; releaseWriterThread now waits for the load. A stress check: it can catch a regression, not prove
    // its absence.
    const db = join(dir, "never.duckdb");
    for (let k = 0; k < 12; k++) {
      const runs = await Promise.all(
        [0, 1].map(() => blkrx(["analyze", "direct-frag.bin", "--extents", "no-such-extents.txt", "--db", db])),
      );
      for (const r of runs) {
        expect(r.exitCode).toBe(1);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
      }
    }
    expect(existsSync(db)).toBe(false);
  });

  it("with the early thread, the run is stored as before", async () => {
    const db = join(dir, "runs.duckdb");
    const trace = join(FIXTURES, "direct-frag.bin");
    const a = await blkrx(["analyze", trace, "--json", "--db", db]);
    expect(a.exitCode).toBe(0);
    expect(a.stderr).toBe(`blkrx: stored run 1 in ${db}`);
    const q = await blkrx(["sql", "--db", db, "--json", "select events, read_bytes from runs"]);
    expect(JSON.parse(q.stdout)).toEqual([{ events: 22, read_bytes: 1703936 }]);
  });
});
