import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";
import { BIN_FIXTURES } from "../helpers/fixtures.js";

const BINS = BIN_FIXTURES.map((name) => `${name}.bin`);

/** Event lines only (statistics blocks aside), whitespace-normalised. */
function eventLines(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /^\s*\d+,\d+\s/.test(l))
    .map((l) => l.trim().replace(/\s+/g, " "));
}

describe("blkrx cat prints the same event lines as blkparse", () => {
  for (const bin of BINS) {
    it(bin, async () => {
      const r = await blkrx(["cat", bin]);
      expect(r.exitCode).toBe(0);
      const expected = eventLines(readFileSync(join(FIXTURES, bin.replace(/\.bin$/, ".blkparse.txt")), "utf8"));
      expect(expected.length).toBeGreaterThan(100);
      expect(eventLines(r.stdout)).toEqual(expected);
    });
  }
});

describe("blkrx cat --ndjson is read back by analyze", () => {
  it("pressure-frag: NDJSON round trip gives the same summary", async () => {
    const nd = await blkrx(["cat", "--ndjson", "pressure-frag.bin"]);
    expect(nd.exitCode).toBe(0);
    const flags = ["--extents", "frag.filefrag.txt", "--partition-start", "2048", "--json", "--no-db"];
    const a = await blkrx(["analyze", "-", ...flags], { input: nd.stdout });
    const b = await blkrx(["analyze", "pressure-frag.bin", ...flags]);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  });
});
