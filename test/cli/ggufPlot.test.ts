import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-ggufplot-"));
const model = join(dir, "m.gguf");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  // 6 layers, ~95 MiB: the fixtures' 96 MiB file read under pressure reads each tensor 3 times
  const shape = ["--layers", "6", "--embd", "1024", "--ff", "2816", "--heads", "16", "--vocab", "8000"];
  const r = await blkrx(["gguf", "synth", "--out", model, ...shape, "--type", "q8_0"]);
  expect(r.exitCode, r.stderr).toBe(0);
});

/** Items drawn in the SVG group vega writes for the mark `name`. */
function svgMarkCount(svg: string, name: string): number {
  const start = svg.indexOf(`role-mark ${name}_marks"`);
  if (start < 0) return 0;
  const end = svg.indexOf("</g>", start);
  return (svg.slice(start, end).match(/<path /g) ?? []).length;
}

describe("blkrx plot --gguf", () => {
  const args = ["pressure-frag.bin", "--extents", "frag.filefrag.txt", "--partition-start", "2048"];

  it("draws the per-group 'read N×' bars, the layer × time heatmap and layer bands on the file offsets", async () => {
    const out = join(dir, "plots");
    const r = await blkrx(["plot", ...args, "--gguf", model, "--out", out, "--only", "offset,gguf-layers,gguf-groups"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote 3 file\(s\) to .*: offset\.svg, gguf-layers\.svg, gguf-groups\.svg/);
    const groups = readFileSync(join(out, "gguf-groups.svg"), "utf8");
    // 9 layer groups, output, output_norm, token_embd, (header), (end); (padding) has no bytes
    expect(svgMarkCount(groups, "group_bars")).toBe(14);
    expect(groups.match(/>3\.0×</g)?.length).toBe(12); // every group but output (0.0×, 1 % of it read) and (header)
    const layers = readFileSync(join(out, "gguf-layers.svg"), "utf8");
    expect(svgMarkCount(layers, "layer_time_cells")).toBeGreaterThan(6);
    expect(layers).toMatch(/>other</);
    expect(svgMarkCount(readFileSync(join(out, "offset.svg"), "utf8"), "layer_bands")).toBe(6);
  });

  it("without --gguf the default set leaves the GGUF plots out, and asking for one says what it needs", async () => {
    const r = await blkrx(["plot", ...args, "--out", join(dir, "none"), "--only", "gguf-groups"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no gguf-groups plot: it needs --gguf MODEL\.gguf/);
    const all = await blkrx(["plot", ...args, "--out", join(dir, "all")]);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/offset\.svg/);
    expect(all.stderr).not.toMatch(/gguf-(layers|groups)/);
  });
});
