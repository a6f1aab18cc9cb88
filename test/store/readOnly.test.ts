import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, blkrx } from "../helpers/cli.js";

/**
 * `sudo blkrx run` then `blkrx compare` as yourself: the query commands open
 * the store read-only, so they work on a root-owned 0644 store in a folder
 * the user cannot write (DuckDB would otherwise need write access to open it).
 */
const has = (tool: string) => execaSync("sh", ["-c", `command -v ${tool}`], { reject: false }).exitCode === 0;
const skip =
  process.getuid?.() !== 0
    ? "this test needs root, to make a root-owned store and become nobody"
    : !has("setpriv")
      ? "this test needs setpriv (util-linux) to become nobody"
      : undefined;
if (skip) console.warn(`skipping: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), "blkrx-ro-"));
const db = join(dir, "root", "runs.duckdb");
const out = join(dir, "nobody");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI as nobody (uid/gid 65534, no groups), in a folder nobody may write (for export). */
function asNobody(args: string[]) {
  return execa("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "node", BIN, ...args], {
    cwd: out,
    reject: false,
    encoding: "utf8",
  });
}

describe.skipIf(skip !== undefined)("a store the user cannot write", () => {
  beforeAll(async () => {
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, "root"), { mode: 0o755 });
    mkdirSync(out, { mode: 0o777 });
    chmodSync(out, 0o777);
    for (const [trace, extents, label] of [
      ["pressure-frag.bin", "frag.filefrag.txt", "fragmented"],
      ["pressure-contig.bin", "contig.filefrag.txt", "contiguous"],
    ] as const) {
      const r = await blkrx([
        "analyze",
        trace,
        "--extents",
        extents,
        "--partition-start",
        "2048",
        "--label",
        label,
        "--db",
        db,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    chmodSync(db, 0o644);
    expect(statSync(db).uid).toBe(0);
  }, 60_000);

  it("runs, compare, sql SELECT and export work as nobody on a root-owned 0644 store", async () => {
    const runs = await asNobody(["runs", "--db", db, "--json"]);
    expect(runs.exitCode, runs.stderr).toBe(0);
    expect((JSON.parse(runs.stdout) as { run_id: number; events: number }[]).map((r) => [r.run_id, r.events])).toEqual([
      [2, 218],
      [1, 243],
    ]);
    const compare = await asNobody(["compare", "1", "2", "--db", db, "--markdown"]);
    expect(compare.exitCode, compare.stderr).toBe(0);
    expect(compare.stdout).toContain("| fragmented | D | – | 13 | – |");
    const sql = await asNobody(["sql", "--db", db, "--json", "select count(*) as n from runs"]);
    expect(sql.exitCode, sql.stderr).toBe(0);
    expect(JSON.parse(sql.stdout)).toEqual([{ n: 2 }]);
    const exported = await asNobody(["export", "--parquet", join(out, "dataset"), "--db", db]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/exported 2 runs, 461 events/);
  }, 60_000);

  it("a write as nobody fails in one sentence and leaves the store as it was", async () => {
    const r = await asNobody(["sql", "--db", db, "update runs set label = 'x'"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^blkrx: Cannot open the run store .*runs\.duckdb/);
    const labels = await blkrx(["sql", "--db", db, "--json", "select label from runs order by run_id"]);
    expect(JSON.parse(labels.stdout)).toEqual([{ label: "fragmented" }, { label: "contiguous" }]);
  }, 60_000);
});
