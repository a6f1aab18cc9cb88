import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CASES, caseFlags, contractOf } from "../helpers/cases.js";
import { blkrx, FIXTURES } from "../helpers/cli.js";

describe("blkrx analyze reproduces every fixture case of cases.json", () => {
  for (const c of CASES) {
    it(`${c.name}`, async () => {
      const r = await blkrx(["analyze", ...c.inputs, ...caseFlags(c), "--json", "--no-db"]);
      // A run that keeps nothing says why in one line (seq-contig has no writes); others say nothing.
      expect(r.stderr).toMatch(c.expected.events === 0 ? /^blkrx: kept 0 events: [^\n]+$/ : /^$/);
      expect(r.exitCode).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(contractOf(summary)).toEqual(contractOf(c.expected));
    });
  }
});

describe("blkrx analyze on gzipped inputs gives the same summaries", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-gz-"));
  for (const c of CASES) {
    it(`${c.name} (gzip)`, async () => {
      const inputs = c.inputs.map((input) => {
        const out = join(dir, `${input}.gz`);
        writeFileSync(out, gzipSync(readFileSync(join(FIXTURES, input))));
        return out;
      });
      const r = await blkrx(["analyze", ...inputs, ...caseFlags(c), "--json", "--no-db"]);
      expect(r.exitCode).toBe(0);
      expect(contractOf(JSON.parse(r.stdout))).toEqual(contractOf(c.expected));
    });
  }
});

describe("binary and blkparse text give identical JSON", () => {
  const bins = [...new Set(CASES.flatMap((c) => c.inputs).filter((i) => i.endsWith(".bin")))];
  for (const bin of bins) {
    it(bin, async () => {
      const extents = bin.includes("frag") ? "frag.filefrag.txt" : "contig.filefrag.txt";
      const flags = ["--extents", extents, "--partition-start", "2048", "--json", "--no-db"];
      const a = await blkrx(["analyze", bin, ...flags]);
      const b = await blkrx(["analyze", bin.replace(/\.bin$/, ".blkparse.txt"), ...flags]);
      expect(a.exitCode).toBe(0);
      expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    });
  }
});

describe("inputs from stdin and copies", () => {
  it("reads - from stdin", async () => {
    const c = CASES.find((x) => x.name.startsWith("pressure-frag.bin in"));
    if (!c) throw new Error("case missing");
    const r = await blkrx(["analyze", "-", ...caseFlags(c), "--json", "--no-db"], {
      input: readFileSync(join(FIXTURES, "pressure-frag.bin")),
    });
    expect(contractOf(JSON.parse(r.stdout))).toEqual(contractOf(c.expected));
  });
  it("names a file with spaces", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx sp "));
    const file = join(dir, "trace with spaces ü.bin");
    copyFileSync(join(FIXTURES, "direct-frag.bin"), file);
    const r = await blkrx(["analyze", file, "--json", "--no-db"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).events).toBeGreaterThan(0);
  });
});
