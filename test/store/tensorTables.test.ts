import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-tensortables-"));
const model = join(dir, "m.gguf");
const db = join(dir, "runs.duckdb");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sql = async (statement: string): Promise<Record<string, unknown>[]> => {
  const r = await blkrx(["sql", "--db", db, "--json", statement]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
};

interface Attributed {
  readBytes: number;
  tensors: { name: string; readBytes: number }[];
  backward: { from: string; to: string; count: number }[];
}

let d: Attributed;
beforeAll(async () => {
  const shape = ["--layers", "6", "--embd", "1024", "--ff", "2816", "--heads", "16", "--vocab", "8000"];
  expect((await blkrx(["gguf", "synth", "--out", model, ...shape, "--type", "q8_0"])).exitCode).toBe(0);
  const args = ["pressure-frag.bin", "--extents", "frag.filefrag.txt", "--partition-start", "2048", "--gguf", model];
  const first = await blkrx(["analyze", ...args, "--db", db, "--label", "D", "--json"]);
  expect(first.exitCode, first.stderr).toBe(0);
  d = JSON.parse(first.stdout) as Attributed;
  const second = await blkrx(["analyze", ...args, "--db", db, "--label", "QDC", "--action", "Q,D,C"]);
  expect(second.exitCode, second.stderr).toBe(0);
});

describe("analyze --gguf --db: the tensors and tensor_transitions tables", () => {
  it("stores one tensors row per region (read columns as in --json) and the transitions", async () => {
    const rows = await sql("SELECT name, read_bytes FROM tensors WHERE run_id = 1 ORDER BY ordinal");
    expect(rows.map((r) => [r.name, Number(r.read_bytes)])).toEqual(d.tensors.map((t) => [t.name, t.readBytes]));
    expect(rows).toHaveLength(60); // (header), 57 tensors, (padding), (end)
    const sums = await sql(
      "SELECT t.run_id, sum(t.read_bytes) AS s, any_value(r.read_bytes) AS r FROM tensors t JOIN runs r USING (run_id) GROUP BY 1 ORDER BY 1",
    );
    expect(sums.map((s) => [Number(s.s), Number(s.r)])).toEqual([
      [275730432, 275730432],
      [827191296, 827191296],
    ]);
    const moves = await sql("SELECT from_region, to_region, count FROM tensor_transitions WHERE run_id = 1");
    expect(moves.map((m) => ({ from: m.from_region, to: m.to_region, count: Number(m.count) }))).toEqual(d.backward);
    const qdc = await sql("SELECT sum(count) AS n FROM tensor_transitions WHERE run_id = 2");
    expect(Number(qdc[0]?.n)).toBe(233); // the Q,D,C run's logical backward gaps
  });

  it("compare shows per-group reads of both runs side by side", async () => {
    const r = await blkrx(["compare", "1", "2", "--db", db, "--markdown"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("### Reads per tensor group");
    expect(r.stdout).toContain("| group | D | QDC |");
    expect(r.stdout).toContain("| token_embd | 24.9 MiB (3.0×) | 74.7 MiB (9.0×) |");
    expect(r.stdout).toContain("| ffn_down | 52.6 MiB (3.0×) | 157.8 MiB (9.0×) |");
  });

  it("export --parquet writes tensors.parquet and tensor_transitions.parquet", async () => {
    const out = join(dir, "parquet");
    const r = await blkrx(["export", "--db", db, "--parquet", out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/120 tensor regions/);
    const back = await sql(
      `SELECT (SELECT count(*) FROM '${out}/tensors.parquet') AS t, (SELECT sum(count) FROM '${out}/tensor_transitions.parquet') AS b`,
    );
    expect([Number(back[0]?.t), Number(back[0]?.b)]).toEqual([120, 2 + 233]);
  });

  it("runs --delete removes a run's tensors and transitions (found in the catalog)", async () => {
    const r = await blkrx(["runs", "--db", db, "--delete", "2"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const left = await sql(
      "SELECT (SELECT count(*) FROM tensors WHERE run_id = 2) AS t, (SELECT count(*) FROM tensor_transitions WHERE run_id = 2) AS b, (SELECT count(*) FROM tensors) AS all_t",
    );
    expect([Number(left[0]?.t), Number(left[0]?.b), Number(left[0]?.all_t)]).toEqual([0, 0, 60]);
  });

  it("compare and export still work on a store written before these tables (opened read-only, not migrated)", async () => {
    const old = join(dir, "old.duckdb");
    const base = ["analyze", "pressure-frag.bin", "--db", old];
    expect((await blkrx(base)).exitCode).toBe(0);
    const drop = await blkrx(["sql", "--db", old, "DROP TABLE tensors; DROP TABLE tensor_transitions"]);
    expect(drop.exitCode, drop.stderr).toBe(0);
    const r = await blkrx(["compare", "1", "--db", old, "--markdown"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("tensor group");
    const e = await blkrx(["export", "--db", old, "--parquet", join(dir, "old-parquet")]);
    expect(e.exitCode, e.stderr).toBe(0);
  });
});
