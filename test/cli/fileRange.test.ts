import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CASES, contractOf } from "../helpers/cases.js";
import { blkrx, FIXTURES } from "../helpers/cli.js";
import { splitFilefragRows } from "../helpers/filefrag.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-range-"));
const FRAG = readFileSync(join(FIXTURES, "frag.filefrag.txt"), "utf8");
const expected = CASES.find((c) => c.name === "pressure-frag.bin in frag.bin")?.expected ?? {};

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0] as string;
}

describe("the file range from a filefrag listing", () => {
  it("a listing with split rows gives the same summary, 13 extents as filefrag counts them, not 26 rows", async () => {
    const split = write("split.filefrag.txt", splitFilefragRows(FRAG));
    const r = await blkrx([
      "analyze",
      "pressure-frag.bin",
      "--extents",
      split,
      "--partition-start",
      "2048",
      "--json",
      "--no-db",
    ]);
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.extents).toBe(13);
    expect(contractOf(summary)).toEqual(contractOf(expected));
  });

  it("--extents without --partition-start is refused in one sentence naming the option", async () => {
    const listing = ["--extents", "frag.filefrag.txt"];
    const commands = [
      ["analyze", "pressure-frag.bin", ...listing, "--no-db"],
      ["analyze-many", "pressure-frag.bin", ...listing],
      ["plot", "pressure-frag.bin", ...listing, "--out", join(dir, "x.svg")],
      ["latency", "pressure-frag.bin", ...listing],
    ];
    for (const args of commands) {
      const r = await blkrx(args);
      expect(r.exitCode, args[0]).toBe(1);
      const line = oneLine(r.stderr);
      expect(line).toMatch(/--partition-start/);
      expect(line).toMatch(/frag\.filefrag\.txt/);
    }
  });

  it("--partition-start 0 is a valid explicit value (a filesystem on a whole disk)", async () => {
    const r = await blkrx([
      "analyze",
      "pressure-frag.bin",
      "--extents",
      "frag.filefrag.txt",
      "--partition-start",
      "0",
      "--json",
      "--no-db",
    ]);
    expect(r.exitCode).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.extents).toBe(13);
    expect(s.events).not.toBe(expected.events); // shifted by 2048 sectors: other events fall inside
  });

  it("a listing with two rows repeated is refused, naming the file and both line numbers", async () => {
    const lines = FRAG.split("\n");
    const twice = write(
      "twice.filefrag.txt",
      [...lines.slice(0, 16), lines[4], lines[5], ...lines.slice(16)].join("\n"),
    );
    const r = await blkrx([
      "analyze",
      "pressure-frag.bin",
      "--extents",
      twice,
      "--partition-start",
      "2048",
      "--json",
      "--no-db",
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toBe(
      `blkrx: Cannot map ${twice}: the extent rows on lines 5 and 17 overlap in file blocks (got 2048..4095 and 2048..4095)`,
    );
  });
});
