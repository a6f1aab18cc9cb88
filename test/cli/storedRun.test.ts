import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";
import { withProcessNotes } from "../helpers/traces.js";

const RANGE = ["--extents", "frag.filefrag.txt", "--partition-start", "2048"];

/** blkparse's own text of a trace file (the independent reference). */
function blkparseOf(file: string): string {
  return execFileSync("blkparse", ["-q", "-i", "-"], { input: readFileSync(file), encoding: "utf8" });
}

/** The lines of a text, without the blank line blkparse ends with. */
function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/**
 * `--run ID` of analyze, latency and cat: a stored run gives the numbers and
 * lines its trace gives. Run 1 is pressure-frag.bin stored with --raw (every
 * record), run 2 the same trace without it (kept events only), run 3 a trace
 * with process notes stored with --raw.
 */
describe("analyze, latency and cat --run read a stored run as they read its trace", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-stored-run-"));
  const db = join(dir, "runs.duckdb");
  const named = join(dir, "named.bin");
  beforeAll(async () => {
    writeFileSync(named, withProcessNotes("mmap-frag", 0n));
    for (const args of [
      ["analyze", "pressure-frag.bin", ...RANGE, "--raw"],
      ["analyze", "pressure-frag.bin", ...RANGE],
      ["analyze", named, "--raw"],
    ]) {
      const r = await blkrx([...args, "--db", db, "--json"]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("analyze --run of a raw run and of a kept-events run: the summary JSON of analyze of the trace", async () => {
    const direct = await blkrx(["analyze", "pressure-frag.bin", ...RANGE, "--no-db", "--json"]);
    const expected = JSON.parse(direct.stdout);
    expect(expected.events).toBe(243);
    for (const id of ["1", "2"]) {
      const r = await blkrx(["analyze", "--run", id, "--db", db, "--json"]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected);
    }
  });

  it("analyze --run --latency of a raw run: the summary and latency JSON of analyze --latency of the trace", async () => {
    const direct = await blkrx(["analyze", "pressure-frag.bin", ...RANGE, "--no-db", "--json", "--latency"]);
    const r = await blkrx(["analyze", "--run", "1", "--db", db, "--json", "--latency"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const expected = JSON.parse(direct.stdout);
    expect(expected.latency.requests).toBeGreaterThan(0);
    expect(JSON.parse(r.stdout)).toEqual(expected);
  });

  it("latency --run: the latency report JSON of latency of the trace, grouped either way", async () => {
    for (const by of ["device", "process"]) {
      const direct = await blkrx(["latency", "pressure-frag.bin", "--json", "--by", by]);
      const r = await blkrx(["latency", "--run", "1", "--db", db, "--json", "--by", by]);
      expect(r.exitCode, r.stderr).toBe(0);
      const expected = JSON.parse(direct.stdout);
      expect(expected.requests).toBe(631);
      expect(JSON.parse(r.stdout)).toEqual(expected);
    }
  });

  it("cat --run of a raw run prints exactly what blkparse prints of the trace, payloads and process names included", async () => {
    for (const [id, file] of [
      ["1", join(FIXTURES, "pressure-frag.bin")],
      ["3", named],
    ] as const) {
      const r = await blkrx(["cat", "--run", id, "--db", db]);
      expect(r.exitCode, r.stderr).toBe(0);
      const reference = blkparseOf(file);
      expect(reference).toMatch(/ U +N \[[^\]]+\] \d+\n/); // unplug depth: a payload
      expect(lines(r.stdout)).toEqual(lines(reference));
    }
    expect(blkparseOf(named)).toContain("[comm-");
  });

  it("cat --run of a run without raw events prints its kept events and says so", async () => {
    const r = await blkrx(["cat", "--run", "2", "--db", db]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("run 2 was stored without raw events: printing its kept events only");
    expect(r.stdout.trim().split("\n")).toHaveLength(243);
  });

  it("refuses what a stored run cannot answer, in one sentence", async () => {
    const cases: [string[], string][] = [
      [["analyze", "--run", "1", "--db", db, "--small", "8"], "Cannot use --small with --run"],
      [["latency", "--run", "2", "--db", db], "Cannot follow the requests of run 2: it was stored without raw events"],
      [["analyze", "--run", "2", "--db", db, "--latency"], "Cannot follow request latency in run 2"],
      [["cat", "--run", "9", "--db", db], "Cannot read run 9: the store"],
      [["cat", "pressure-frag.bin", "--run", "1", "--db", db], "Cannot print trace files and --run 1 together"],
      [["analyze", "--db", db], "Nothing to analyze: give trace files or --run ID"],
      [["latency", "--run", "0", "--db", db], 'expected a positive run id, got "0"'],
    ];
    for (const [args, message] of cases) {
      const r = await blkrx(args);
      expect(r.exitCode, args.join(" ")).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
    // Nothing was stored by these commands (nor by the --run reads above).
    const runs = await blkrx(["sql", "select count(*) as n from runs", "--db", db, "--json"]);
    expect(runs.stdout).toContain("3");
  });
});
