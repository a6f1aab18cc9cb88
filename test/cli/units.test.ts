import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

/** pressure-frag.bin in frag.filefrag.txt: 275,730,432 bytes read (0.257 GiB = 0.276 GB), 91,910,144 unique. */
const EXTENTS = ["--extents", "frag.filefrag.txt", "--partition-start", "2048"];
const READ = "263.0 MiB";
const UNIQUE = "87.7 MiB";

/** The table cells of the first body row whose first cell starts with `label`. */
function rowCells(table: string, label: string): string[] {
  const line = table.split("\n").find((l) => l.replace(/^│\s*/, "").startsWith(label)) ?? "";
  return line
    .split("│")
    .map((c) => c.trim())
    .filter((c) => c !== "");
}

describe("sizes in tables: one unit system (GiB/MiB), the same in analyze and analyze-many", () => {
  it("analyze and analyze-many print the same labelled sizes for the same run", async () => {
    const one = await blkrx(["analyze", "pressure-frag.bin", ...EXTENTS, "--no-db"]);
    expect(one.exitCode, one.stderr).toBe(0);
    const many = await blkrx(["analyze-many", "pressure-frag.bin", ...EXTENTS]);
    expect(many.exitCode, many.stderr).toBe(0);
    expect(rowCells(one.stdout, "pressure-frag.bin").slice(2, 4)).toEqual([READ, UNIQUE]);
    expect(rowCells(many.stdout, "pressure-frag.bin").slice(2, 4)).toEqual([READ, UNIQUE]);
    for (const text of [one.stdout, many.stdout]) expect(text).not.toMatch(/\bGB\b|0\.2[57]6/);
  });

  it("runs and compare print the stored run's sizes the same way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx-units-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "u.duckdb");
    const stored = await blkrx(["analyze", "pressure-frag.bin", ...EXTENTS, "--db", db, "--label", "frag"]);
    expect(stored.exitCode, stored.stderr).toBe(0);
    const runs = await blkrx(["runs", "--db", db]);
    expect(rowCells(runs.stdout, "1").slice(8, 10)).toEqual(["243", READ]);
    expect(rowCells(runs.stdout, "1")[10]).toBe(UNIQUE);
    const compare = await blkrx(["compare", "1", "--db", db]);
    expect(rowCells(compare.stdout, "frag").slice(7, 9)).toEqual([READ, UNIQUE]);
  });
});
