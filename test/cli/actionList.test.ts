import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-actions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  events: number;
  readBytes: number;
  uniqueBytes: number;
  gaps: { logical: { backward: number } };
}

const args = ["pressure-frag.bin", "--extents", "frag.filefrag.txt", "--partition-start", "2048", "--json", "--no-db"];
async function analyze(action: string): Promise<Summary> {
  const r = await blkrx(["analyze", ...args, "--action", action]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

describe("--action lists (spec v2 Selection)", () => {
  it("Q,D,C counts each listed event on its own: events and readBytes are the sums over Q, D and C; more backward gaps than D", async () => {
    const [q, d, c, qdc, spaced] = (await Promise.all(["Q", "D", "C", "Q,D,C", " q, d ,c"].map(analyze))) as [
      Summary,
      Summary,
      Summary,
      Summary,
      Summary,
    ];
    expect([q.events, d.events, c.events]).toEqual([515, 243, 243]);
    expect(qdc.events).toBe(1001);
    expect(qdc.readBytes).toBe(q.readBytes + d.readBytes + c.readBytes);
    expect(qdc.readBytes).toBe(827191296); // 3 × 275,730,432: the study's "read ~3× the file" effect
    expect(qdc.uniqueBytes).toBe(d.uniqueBytes);
    expect(d.gaps.logical.backward).toBe(2);
    expect(qdc.gaps.logical.backward).toBe(233);
    expect(spaced).toEqual(qdc);
  });

  it("all = Q,G,I,D,C,M,F,A,B", async () => {
    const [all, spelled] = (await Promise.all(["all", "Q,G,I,D,C,M,F,A,B"].map(analyze))) as [Summary, Summary];
    expect(all).toEqual(spelled);
    expect(all.events).toBe(2137);
    expect(all.readBytes).toBe(1378652160);
    expect(all.gaps.logical.backward).toBe(1273);
  });

  it("refuses an unknown letter in one sentence naming the value, exit 1", async () => {
    const r = await blkrx(["analyze", ...args, "--action", "Q,DD"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--action <letters>' argument 'Q,DD' is invalid\. expected blkparse action letters/);
  });

  it("the store keeps the list normalised (runs.action) and compare shows it beside a one-action run", async () => {
    const db = join(dir, "runs.duckdb");
    const base = ["analyze", "pressure-frag.bin", "--extents", "frag.filefrag.txt", "--partition-start", "2048"];
    expect((await blkrx([...base, "--db", db, "--action", "q, d,c", "--label", "qdc"])).exitCode).toBe(0);
    expect((await blkrx([...base, "--db", db, "--label", "d"])).exitCode).toBe(0);
    const sql = await blkrx(["sql", "--db", db, "--json", "SELECT action FROM runs ORDER BY run_id"]);
    expect(sql.stdout).toMatch(/"Q,D,C"[\s\S]*"D"/);
    const md = await blkrx(["compare", "1", "2", "--db", db, "--markdown"]);
    expect(md.stdout).toContain("| qdc | Q,D,C | – | 13 |");
    expect(md.stdout).toContain("| d | D | – | 13 |");
    expect(md.stdout).toMatch(/\| qdc \| Q,D,C \|.*\| 788\.9 MiB \|/);
  });
});
