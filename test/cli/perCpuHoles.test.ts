import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";

describe("a per-CPU set with a hole is analysed with a warning, printed and stored with the run", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-holes-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, "runs.duckdb");
  const cpu = (name: string, n: number, fixture: string) =>
    copyFileSync(join(FIXTURES, fixture), join(dir, `${name}.blktrace.${n}`));
  cpu("holes", 0, "direct-contig.bin");
  cpu("holes", 2, "direct-frag.bin");
  cpu("whole", 0, "direct-contig.bin");
  cpu("whole", 1, "direct-frag.bin");
  const holes = join(dir, "holes");
  const warning = `blkrx: ${holes}: per-CPU set without ${holes}.blktrace.1 (CPU 1): its events are not in this analysis (nothing is lost if that CPU was offline while tracing)`;

  it("NAME.blktrace.0 and .2 without .1: the analysis of both files, a warning naming CPU 1, stored in run_warnings", async () => {
    const r = await blkrx(["analyze", holes, "--json", "--db", db]);
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toContain(warning);
    // Same events as the two files merged without the hole question.
    const whole = await blkrx(["analyze", join(dir, "whole"), "--json", "--no-db"]);
    expect(whole.stderr).toBe("");
    expect(JSON.parse(r.stdout).events).toBe(JSON.parse(whole.stdout).events);
    const runId = Number(/stored run (\d+)/.exec(r.stderr)?.[1]);
    const stored = await blkrx([
      "sql",
      `select ordinal, message from run_warnings where run_id = ${runId}`,
      "--json",
      "--db",
      db,
    ]);
    expect(JSON.parse(stored.stdout)).toEqual([{ ordinal: 0, message: warning.slice("blkrx: ".length) }]);
  });

  it("a complete set warns about nothing and stores no warning", async () => {
    const r = await blkrx(["analyze", join(dir, "whole"), "--json", "--db", db]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain("per-CPU set without");
    const runId = Number(/stored run (\d+)/.exec(r.stderr)?.[1]);
    const stored = await blkrx([
      "sql",
      `select count(*) as n from run_warnings where run_id = ${runId}`,
      "--json",
      "--db",
      db,
    ]);
    expect(JSON.parse(stored.stdout)).toEqual([{ n: 0 }]);
  });

  it("every command that reads traces warns (cat, without a store)", async () => {
    const r = await blkrx(["cat", holes]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.trim().split("\n")).toContain(warning);
  });
});
