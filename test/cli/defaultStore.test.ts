import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";

describe("the default store is forgiving, an explicit --db is not", () => {
  // ./blkrx.duckdb exists as a directory, so DuckDB cannot open it (works even for root, unlike chmod).
  const cwd = mkdtempSync(join(tmpdir(), "blkrx-default-"));
  mkdirSync(join(cwd, "blkrx.duckdb"));
  const trace = join(FIXTURES, "direct-frag.bin");

  it("the default ./blkrx.duckdb unusable: the summary still prints, one note says why nothing was stored", async () => {
    const r = await blkrx(["analyze", trace, "--json"], { cwd });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ events: 22, readBytes: 1703936 });
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^blkrx: not storing the run in \.\/blkrx\.duckdb \(.*\); use --db PATH or --no-db/);
  });

  it("the same path given with --db is an error with one sentence", async () => {
    const r = await blkrx(["analyze", trace, "--json", "--db", join(cwd, "blkrx.duckdb")], { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^blkrx: Cannot open the run store .*blkrx\.duckdb/);
  });
});
