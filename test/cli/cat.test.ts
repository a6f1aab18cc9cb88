import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";
import { BIN_FIXTURES } from "../helpers/fixtures.js";
import { skewedCpuTrace, withProcessNotes } from "../helpers/traces.js";

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

const hasBlkparse = existsSync("/usr/bin/blkparse");
if (!hasBlkparse) console.warn("skipping the live blkparse comparison of cat: /usr/bin/blkparse not found");

/** blkparse's event lines as printed (its closing statistics left out). */
function blkparseLines(text: string): string[] {
  const lines = text.split("\n");
  const stats = lines.findIndex((l) => /^(CPU\d+ \(|Total \(|Throughput)/.test(l));
  return (stats < 0 ? lines : lines.slice(0, stats)).filter((l) => l !== "");
}

/** The records of a binary trace, as byte ranges in file order. */
function recordsOfBytes(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let pos = 0; pos + 48 <= bytes.length; pos += 48 + view.getUint16(pos + 46, true)) {
    out.push(bytes.subarray(pos, pos + 48 + view.getUint16(pos + 46, true)));
  }
  return out;
}

describe.skipIf(!hasBlkparse)("blkrx cat prints exactly the lines of `blkparse -q -i -`", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-cat-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const built: Record<string, Uint8Array> = {
    // A raw `blktrace -o -` stream: CPU chunks, per-CPU sequences; blkparse sorts each read of 512 records only.
    "a raw stream with CPU chunks (CPU 1 stamped before CPU 0's printed records)": skewedCpuTrace(),
    // Real blktrace captures: process-name notes stamped 3554.050072668 s after the trace records' clock.
    "mmap-frag, notes on a later clock": withProcessNotes("mmap-frag", 3_554_050_072_668n),
    // ... and before it (time zero must not move back to the notes either).
    "direct-contig, notes on an earlier clock": withProcessNotes("direct-contig", -3_554_050_072_668n),
    // The earliest of the first 512 records is the 11th in the file: blkparse's time zero is its time.
    "direct-contig, earliest record 11th": (() => {
      const recs = recordsOfBytes(readFileSync(join(FIXTURES, "direct-contig.bin")));
      const [first, ...rest] = recs;
      return Buffer.concat([...rest.slice(0, 10), first as Uint8Array, ...rest.slice(10)]);
    })(),
  };
  const cases: [string, string][] = [
    ...BINS.map((bin): [string, string] => [bin, join(FIXTURES, bin)]),
    ...Object.entries(built).map(([label, bytes], k): [string, string] => {
      const path = join(dir, `built-${k}.bin`);
      writeFileSync(path, bytes);
      return [label, path];
    }),
  ];
  for (const [label, path] of cases) {
    it(label, async () => {
      const expected = blkparseLines(
        execFileSync("blkparse", ["-q", "-i", "-"], { input: readFileSync(path) }).toString(),
      );
      const r = await blkrx(["cat", path]);
      expect(r.exitCode).toBe(0);
      expect(expected.length).toBeGreaterThanOrEqual(182);
      expect(expected[0]).toMatch(/ 0\.000000000 /);
      expect(r.stdout.split("\n").filter((l) => l !== "")).toEqual(expected);
    });
  }
});
