import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

const tmp = () => mkdtempSync(join(tmpdir(), "blkrx-plot-"));

/** Width and height of a PNG from its IHDR chunk, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Items drawn in the SVG group vega writes for the mark `name` (class "... role-mark NAME_marks"). */
function svgMarkCount(svg: string, name: string): number {
  const start = svg.indexOf(`role-mark ${name}_marks"`);
  if (start < 0) return 0;
  const end = svg.indexOf("</g>", start);
  return (svg.slice(start, end).match(/<path /g) ?? []).length;
}

const CASES = [
  { trace: "pressure-frag.bin", listing: "frag.filefrag.txt", events: 243 },
  { trace: "pressure-contig.bin", listing: "contig.filefrag.txt", events: 218 },
] as const;

describe.each(CASES)("blkrx plot $trace --out DIR", ({ trace, listing, events }) => {
  const args = [trace, "--extents", listing, "--partition-start", "2048"];

  it("--format png writes at least 4 valid PNGs, --format svg their SVG equivalents, one point per kept event", async () => {
    const dir = tmp();
    const png = await blkrx(["plot", ...args, "--out", dir, "--format", "png"]);
    expect(png.exitCode, png.stderr).toBe(0);
    const svg = await blkrx(["plot", ...args, "--out", dir, "--format", "svg"]);
    expect(svg.exitCode, svg.stderr).toBe(0);
    const files = readdirSync(dir).sort();
    const pngs = files.filter((f) => f.endsWith(".png"));
    expect(pngs.length).toBeGreaterThanOrEqual(4);
    expect(pngs).toEqual(
      ["access", "coverage", "gaps", "latency-time", "latency", "offset", "sizes", "throughput"]
        .map((n) => `${n}.png`)
        .sort(),
    );
    for (const name of pngs) {
      const base = name.slice(0, -4);
      const svgText = readFileSync(join(dir, `${base}.svg`), "utf8");
      const [, w, h] = /<svg[^>]* width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svgText) ?? [];
      // The PNG is that SVG drawn at twice its size.
      expect(pngSize(readFileSync(join(dir, name))), name).toEqual({
        width: Math.round(2 * Number(w)),
        height: Math.round(2 * Number(h)),
      });
    }
    const offset = readFileSync(join(dir, "offset.svg"), "utf8");
    expect(svgMarkCount(offset, "file_events")).toBe(events);
    expect(svgMarkCount(offset, "device_events")).toBe(events);
    expect(offset).toContain(`all ${events} events, one point each`);
    expect(svgMarkCount(readFileSync(join(dir, "gaps.svg"), "utf8"), "gap_bars")).toBe(10);
    expect(png.stderr).toMatch(/wrote 8 file\(s\)/);
  }, 120_000);
});

describe("blkrx plot (single file and errors)", () => {
  const args = ["pressure-frag.bin", "--extents", "frag.filefrag.txt", "--partition-start", "2048"];

  it("--only access --out FILE.svg (and the old --out FILE.svg) still draw the access map", async () => {
    const dir = tmp();
    for (const extra of [["--only", "access"], []]) {
      const out = join(dir, `a${extra.length}.svg`);
      const r = await blkrx(["plot", ...args, ...extra, "--out", out]);
      expect(r.exitCode, r.stderr).toBe(0);
      const svg = readFileSync(out, "utf8");
      expect(svg).toContain("time (243 events)");
      expect(svg).toContain("file offset (MiB)");
    }
  }, 60_000);

  it("--only gaps --out FILE.png writes that one PNG", async () => {
    const out = join(tmp(), "g.png");
    const r = await blkrx(["plot", ...args, "--only", "gaps", "--out", out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(pngSize(readFileSync(out)).width).toBeGreaterThan(400);
  }, 60_000);

  it("--format takes an input format and an image format together", async () => {
    const dir = tmp();
    const r = await blkrx([
      "plot",
      "pressure-frag.blkparse.txt",
      ...args.slice(1),
      "--format",
      "blkparse",
      "--format",
      "both",
      "--only",
      "offset",
      "--out",
      dir,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["offset.png", "offset.svg"]);
    expect(svgMarkCount(readFileSync(join(dir, "offset.svg"), "utf8"), "file_events")).toBe(243);
  }, 60_000);

  it("refuses an unknown plot name and several plots into one file, in one sentence", async () => {
    const bad = await blkrx(["plot", ...args, "--only", "pie", "--out", tmp()]);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown plot "pie": expected some of offset, coverage/);
    const many = await blkrx(["plot", ...args, "--only", "gaps,sizes", "--out", "x.svg"]);
    expect(many.exitCode).not.toBe(0);
    expect(many.stderr).toMatch(/Cannot write 2 plots to --out x.svg/);
  }, 60_000);

  it("--run ID plots a stored run; without --raw its latency plots are skipped with the reason", async () => {
    const dir = tmp();
    const db = join(dir, "s.duckdb");
    const stored = await blkrx(["analyze", ...args, "--db", db]);
    expect(stored.exitCode, stored.stderr).toBe(0);
    const out = join(dir, "plots");
    const r = await blkrx(["plot", "--run", "1", "--db", db, "--out", out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      ["access", "coverage", "gaps", "offset", "sizes", "throughput"].map((n) => `${n}.svg`),
    );
    expect(r.stderr).toMatch(/no latency plot: run 1 was stored without --raw/);
    expect(svgMarkCount(readFileSync(join(out, "offset.svg"), "utf8"), "file_events")).toBe(243);
  }, 60_000);
});
