import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../helpers/fixtures.js";

const BIN = new URL("../../dist/cli/bin.js", import.meta.url).pathname;
const DOC = readFileSync(new URL("../../docs/store.md", import.meta.url), "utf8");
const dir = mkdtempSync(join(tmpdir(), "blkrx-cli-"));
const db = join(dir, "t.duckdb");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blkrx = (...args: string[]): string => execFileSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
const sqlJson = (sql: string): Record<string, unknown>[] => JSON.parse(blkrx("sql", "--db", db, "--json", sql));
const docSql = (tag: string): string => {
  const match = new RegExp(`\`\`\`sql ${tag}\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!match?.[1]) throw new Error(`docs/store.md has no sql ${tag} block`);
  return match[1];
};

const summaries: Record<string, unknown>[] = [];

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error("These tests run the built CLI: run `npm run build` first");
  for (const [trace, extents, label] of [
    ["pressure-frag.bin", "frag.filefrag.txt", "fragmented"],
    ["pressure-contig.bin", "contig.filefrag.txt", "contiguous"],
  ] as const) {
    summaries.push(
      JSON.parse(
        blkrx(
          "analyze",
          join(FIXTURES, trace),
          "--extents",
          join(FIXTURES, extents),
          "--partition-start",
          "2048",
          "--label",
          label,
          "--db",
          db,
          "--json",
        ),
      ),
    );
  }
}, 120_000);

describe("blkrx analyze --db, sql, compare, export", () => {
  it("stores the analyze JSON's numbers in runs", () => {
    expect(sqlJson("select events, read_bytes, unique_bytes from runs order by run_id")).toEqual(
      summaries.map((s) => ({ events: s.events, read_bytes: s.readBytes, unique_bytes: s.uniqueBytes })),
    );
    expect(sqlJson("select events, read_bytes, unique_bytes from runs order by run_id")).toEqual([
      { events: 243, read_bytes: 275730432, unique_bytes: 91910144 },
      { events: 218, read_bytes: 275730432, unique_bytes: 91910144 },
    ]);
  });

  it("stores one events row per kept event, whose classes give the gap counts", () => {
    expect(sqlJson("select run_id, count(*) as n from events group by run_id order by run_id")).toEqual([
      { run_id: 1, n: 243 },
      { run_id: 2, n: 218 },
    ]);
    const counts = (space: string) =>
      sqlJson(`select run_id, ${space}_class::varchar as c, count(*) as n from events
               where ${space}_class is not null group by all order by all`);
    const fromEvents = (run: number, space: string) =>
      Object.fromEntries(
        counts(space)
          .filter((r) => r.run_id === run)
          .map((r) => [r.c, r.n]),
      );
    const nonZero = (g: Record<string, number>) => Object.fromEntries(Object.entries(g).filter(([, n]) => n > 0));
    summaries.forEach((s, k) => {
      const gaps = s.gaps as Record<string, Record<string, number>>;
      expect(fromEvents(k + 1, "physical")).toEqual(nonZero(gaps.physical ?? {}));
      expect(fromEvents(k + 1, "logical")).toEqual(nonZero(gaps.logical ?? {}));
      const view = sqlJson(`select space, class, count from gap_distribution where run_id = ${k + 1}`);
      for (const row of view) expect(row.count).toBe(gaps[row.space as string]?.[row.class as string]);
    });
    expect(fromEvents(1, "physical")).toEqual({ sequential: 207, large: 29, backward: 6 });
  });

  it("prints both study tables with compare, and valid markdown with --markdown", () => {
    const text = blkrx("compare", "1", "2", "--db", db);
    expect(text).toContain("Results");
    expect(text).toContain("Gap distribution");
    const md = blkrx("compare", "1", "2", "--db", db, "--markdown");
    expect(md).toBe(
      [
        "### Results",
        "",
        "| configuration | actions | device | extents | memory limit | time s | tok/s | read | unique | coverage % | backward % |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        "| fragmented | D | – | 13 | – | 0.20 | – | 263.0 MiB | 87.7 MiB | 91.3 | 2.5 |",
        "| contiguous | D | – | 1 | – | 0.30 | – | 263.0 MiB | 87.7 MiB | 91.3 | 0.9 |",
        "",
        "### Gap distribution",
        "",
        "| configuration | space | sequential % | small % | medium % | large % | backward % |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| fragmented | physical | 85.5 | 0.0 | 0.0 | 12.0 | 2.5 |",
        "| fragmented | logical | 99.2 | 0.0 | 0.0 | 0.0 | 0.8 |",
        "| contiguous | physical | 99.1 | 0.0 | 0.0 | 0.0 | 0.9 |",
        "| contiguous | logical | 99.1 | 0.0 | 0.0 | 0.0 | 0.9 |",
        "",
      ].join("\n"),
    );
  });

  it("exports Parquet that DuckDB reads back with the same numbers, and the documented study SQL runs on it", async () => {
    const out = join(dir, "host=a");
    blkrx("export", "--parquet", out, "--db", db);
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    try {
      const rows = async (sql: string) => (await con.runAndReadAll(sql)).getRowsJS();
      expect(
        await rows(`select run_id, events, read_bytes, unique_bytes from read_parquet('${out}/runs.parquet')`),
      ).toEqual([
        [1, 243n, 275730432n, 91910144n],
        [2, 218n, 275730432n, 91910144n],
      ]);
      expect(
        await rows(
          `select host, run_id, count(*) from read_parquet('${dir}/*/events/*/*.parquet', hive_partitioning = true) group by all order by all`,
        ),
      ).toEqual([
        ["a", 1n, 243n],
        ["a", 2n, 218n],
      ]);
      await con.run(
        `create view runs as select * from read_parquet('${dir}/*/runs.parquet', hive_partitioning = true)`,
      );
      expect(await rows(docSql("study-results"))).toEqual([
        ["fragmented", null, 13, null, 0.2, null, 0.26, 0.09, 91.3, 2.5],
        ["contiguous", null, 1, null, 0.3, null, 0.26, 0.09, 91.3, 0.9],
      ]);
      expect(await rows(docSql("study-gaps"))).toEqual([
        ["fragmented", "physical", 85.5, 0, 0, 12, 2.5],
        ["fragmented", "logical", 99.2, 0, 0, 0, 0.8],
        ["contiguous", "physical", 99.1, 0, 0, 0, 0.9],
        ["contiguous", "logical", 99.1, 0, 0, 0, 0.9],
      ]);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });

  it("says in one sentence when the store does not exist", () => {
    expect(() =>
      execFileSync(process.execPath, [BIN, "runs", "--db", join(dir, "none.duckdb")], {
        encoding: "utf8",
        stdio: "pipe",
      }),
    ).toThrow(/No run store at .*none\.duckdb: run "blkrx analyze/);
  });
});
