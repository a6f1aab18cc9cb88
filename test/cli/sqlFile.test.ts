import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { blkrx, ROOT } from "../helpers/cli.js";

const SUMMARY_SQL = join(ROOT, "sql/summary.sql");
const dir = mkdtempSync(join(tmpdir(), "blkrx-sqlfile-"));
const db = join(dir, "runs.duckdb");
let analyzed: { events: number; readBytes: number; uniqueBytes: number; extents: number | null } | undefined;

beforeAll(async () => {
  const r = await blkrx([
    "analyze",
    "direct-frag.bin",
    "--extents",
    "frag.filefrag.txt",
    "--partition-start",
    "2048",
    "--raw",
    "--json",
    "--db",
    db,
  ]);
  expect(r.stderr).toContain("stored run 1");
  analyzed = JSON.parse(r.stdout);
}, 60_000);

describe("blkrx sql --file FILE runs the SQL in a file", () => {
  it("runs sql/summary.sql, which starts with a -- comment, and gives analyze's numbers", async () => {
    // As an argument the same text reads as an unknown option: the reason --file exists.
    const asArgument = await blkrx(["sql", "--db", db, readFileSync(SUMMARY_SQL, "utf8")]);
    expect(asArgument.exitCode).not.toBe(0);
    const r = await blkrx(["sql", "--file", SUMMARY_SQL, "--db", db, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const [row] = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({ run_id: 1, events: 22, read_bytes: 1703936, unique_bytes: 1638400, extents: 13 });
    expect(row).toMatchObject({
      events: analyzed?.events,
      read_bytes: analyzed?.readBytes,
      unique_bytes: analyzed?.uniqueBytes,
    });
  }, 60_000);

  it("reads the SQL from stdin with --file -", async () => {
    const r = await blkrx(["sql", "--file", "-", "--db", db, "--json"], { input: "select count(*) as n from runs" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([{ n: 1 }]);
  }, 60_000);

  it("says in one sentence what is wrong with the file or the arguments", async () => {
    const missing = await blkrx(["sql", "--file", "nope.sql", "--db", db]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe("blkrx: Cannot read --file nope.sql: no such file");
    const both = await blkrx(["sql", "--file", SUMMARY_SQL, "select 1", "--db", db]);
    expect(both.stderr).toBe(
      `blkrx: Cannot run sql: give the SQL as the query argument or with --file ${SUMMARY_SQL}, not both`,
    );
    const none = await blkrx(["sql", "--db", db]);
    expect(none.stderr).toBe(
      'blkrx: Cannot run sql: no SQL given (blkrx sql "SELECT ..." or blkrx sql --file FILE.sql)',
    );
    const folder = await blkrx(["sql", "--file", dir, "--db", db]);
    expect(folder.stderr).toBe(`blkrx: Cannot read --file ${dir}: it is a folder`);
  }, 60_000);
});
