import { describe, expect, it } from "vitest";
import { CASES, caseFlags } from "../helpers/cases.js";
import { blkrx } from "../helpers/cli.js";

/** Cases whose flags analyze-many can take (one input each; all share one option set per call). */
const SINGLE = CASES.filter((c) => c.inputs.length === 1);

describe("blkrx analyze-many", () => {
  it("gives each input the summary a single `blkrx analyze` run gives it, in input order", async () => {
    // Cases grouped by their flags: one analyze-many call per group, checked against single runs.
    const groups = new Map<string, string[]>();
    for (const c of SINGLE) {
      const key = JSON.stringify(caseFlags(c));
      groups.set(key, [...(groups.get(key) ?? []), c.inputs[0] as string]);
    }
    await Promise.all(
      [...groups].map(async ([key, inputs]) => {
        const flags = JSON.parse(key) as string[];
        const many = await blkrx(["analyze-many", ...inputs, ...flags, "--json", "--jobs", "2"]);
        expect(many.exitCode, key).toBe(0);
        const lines = many.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
        const singles = await Promise.all(inputs.map((i) => blkrx(["analyze", i, ...flags, "--json", "--no-db"])));
        expect(lines, key).toEqual(singles.map((r, k) => ({ input: inputs[k], ...JSON.parse(r.stdout) })));
      }),
    );
  }, 120_000);

  it("prints the same NDJSON with --jobs 1 and --jobs 2", async () => {
    const inputs = [
      "pressure-frag.bin",
      "mmap-frag.bin",
      "direct-frag.bin",
      "pressure-frag.blkparse.txt",
      "seq-contig.bin",
    ];
    const flags = ["--extents", "frag.filefrag.txt", "--partition-start", "2048", "--json"];
    const one = await blkrx(["analyze-many", ...inputs, ...flags, "--jobs", "1"]);
    const two = await blkrx(["analyze-many", ...inputs, ...flags, "--jobs", "2"]);
    expect(one.exitCode).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(
      one.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).input),
    ).toEqual(inputs);
  }, 60_000);

  it("expands a directory to its trace files and leaves other files out", async () => {
    const r = await blkrx(["analyze-many", ".", "--json", "--jobs", "2"]);
    expect(r.exitCode).toBe(0);
    const inputs = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).input as string);
    expect(inputs).toContain("pressure-frag.bin");
    expect(inputs).toContain("pressure-frag.blkparse.txt");
    expect(inputs.some((i) => i.endsWith(".json") || i.includes("filefrag"))).toBe(false);
    expect([...inputs].sort()).toEqual(inputs);
  }, 60_000);

  it("reports a failing input in its place and exits 1, the others still analyzed", async () => {
    const r = await blkrx(["analyze-many", "pressure-frag.bin", "no-such.bin", "direct-frag.bin", "--json"]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.input)).toEqual(["pressure-frag.bin", "no-such.bin", "direct-frag.bin"]);
    expect(lines[1].error).toMatch(/no-such\.bin/);
    expect(lines[2].events).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^blkrx: no-such\.bin/);
  }, 60_000);

  it("prints a table without --json", async () => {
    const r = await blkrx([
      "analyze-many",
      "pressure-frag.bin",
      "--extents",
      "frag.filefrag.txt",
      "--partition-start",
      "2048",
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/pressure-frag\.bin.*243/);
  });

  it("rejects --jobs 0", async () => {
    const r = await blkrx(["analyze-many", "pressure-frag.bin", "--jobs", "0"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/positive integer/);
  });
});
