import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { deviceRuns } from "../../model/fileMap.js";
import { gapSpec, sizeSpec } from "../../sinks/plots/distributionSpecs.js";
import { OFFSET_MARKS, offsetSpec } from "../../sinks/plots/offsetSpec.js";
import { PLOTS } from "../../sinks/plots/registry.js";
import { plotView } from "../../sinks/plots/render.js";
import { coverageSpec, TIME_MARKS, throughputSpec } from "../../sinks/plots/timeSpecs.js";
import { FIXTURES } from "../helpers/cli.js";
import { fixtureFileMap, fixturePlotInputs, markItems } from "../helpers/plotFixture.js";

const CASES = [
  { trace: "pressure-frag", listing: "frag.filefrag.txt", events: 243 },
  { trace: "pressure-contig", listing: "contig.filefrag.txt", events: 218 },
] as const;

/**
 * Independent reference from blkparse's own text output: start sector, time
 * and size of every read issue (D) that touches the file's device sectors.
 */
function blkparseReads(trace: string, listing: string): { t: number; sector: number; bytes: number }[] {
  const runs = deviceRuns(fixtureFileMap(listing));
  const out: { t: number; sector: number; bytes: number }[] = [];
  for (const line of readFileSync(`${FIXTURES}/${trace}.blkparse.txt`, "utf8").split("\n")) {
    const m = /^\s*\d+,\d+\s+\d+\s+\d+\s+(\d+)\.(\d{9})\s+\d+\s+D\s+(\w+)\s+(\d+) \+ (\d+)/.exec(line);
    if (!m || !(m[3] ?? "").includes("R")) continue;
    const sector = Number(m[4]);
    const sectors = Number(m[5]);
    if (!runs.some((r) => r.device < sector + sectors && r.device + r.sectors > sector)) continue;
    out.push({ t: Number(m[1]) + Number(m[2]) / 1e9, sector, bytes: sectors * 512 });
  }
  return out;
}

describe.each(CASES)("plots of $trace", ({ trace, listing, events }) => {
  it("offset: one point per kept event in both views; time axis 0..last read, file axis 0..file size", async () => {
    const reads = blkparseReads(trace, listing);
    expect(reads.length).toBe(events);
    const inputs = await fixturePlotInputs(`${trace}.bin`, listing);
    const view = await plotView(offsetSpec(inputs));
    expect(markItems(view, OFFSET_MARKS.file).length).toBe(events);
    expect(markItems(view, OFFSET_MARKS.device).length).toBe(events);
    const last = Math.max(...reads.map((r) => r.t));
    for (const x of ["concat_0_x", "concat_1_x"]) {
      const [lo, hi] = view.scale(x).domain() as number[];
      expect(lo).toBe(0);
      expect(hi).toBeCloseTo(last, 8);
    }
    expect(view.scale("concat_0_y").domain()).toEqual([0, 100663296 / 2 ** 20]);
    // Every device offset drawn lies inside the device axis.
    const [dlo, dhi] = view.scale("concat_1_y").domain() as number[];
    for (const r of reads) expect((r.sector * 512) / 2 ** 20).toBeGreaterThanOrEqual(dlo as number);
    for (const r of reads) expect((r.sector * 512) / 2 ** 20).toBeLessThanOrEqual(dhi as number);
    // Extent boundaries: start and end of each extent in the device view, each file-extent start in the file view.
    const extents = fixtureFileMap(listing).extents.length;
    expect(markItems(view, `${OFFSET_MARKS.device}_extents`).length).toBe(2 * extents);
    expect(markItems(view, `${OFFSET_MARKS.file}_extents`).length).toBe(extents);
  });

  it("coverage ends at the summary's total and unique bytes; throughput bars add up to the events", async () => {
    const inputs = await fixturePlotInputs(`${trace}.bin`, listing);
    const coverage = await plotView(coverageSpec(inputs));
    // A line mark's items are its vertices, one line per series: the last vertex of each is the end total.
    const vertices = markItems(coverage, TIME_MARKS.coverage) as { datum: { mib: number; kind: string } }[];
    const ends: Record<string, number> = {};
    for (const v of vertices) ends[v.datum.kind] = v.datum.mib;
    expect(vertices.length).toBe(2 * (inputs.series.buckets.used + 1));
    expect(ends["total read"]).toBe(275730432 / 2 ** 20);
    expect(ends.unique).toBe(91910144 / 2 ** 20);
    const throughput = await plotView(throughputSpec(inputs));
    const bars = markItems(throughput, TIME_MARKS.iops) as { datum: { iops: number; t0: number } }[];
    expect(bars.length).toBe(inputs.series.buckets.used);
    const width = inputs.series.buckets.bucketNs / 1e9;
    expect(Math.round(bars.reduce((sum, b) => sum + b.datum.iops * width, 0))).toBe(events);
  });

  it("gaps: ten bars, physical beside logical, equal to analyze's counts; sizes: power-of-two bars over every request", async () => {
    const inputs = await fixturePlotInputs(`${trace}.bin`, listing);
    const gaps = markItems(await plotView(gapSpec(inputs)), "gap_bars") as {
      datum: { space: "physical" | "logical"; class: string; count: number };
    }[];
    expect(gaps.length).toBe(10);
    for (const g of gaps) expect(g.datum.count).toBe(inputs.summary.gaps[g.datum.space][g.datum.class as "small"]);
    const sizes = markItems(await plotView(sizeSpec(inputs)), "size_bars") as { datum: { count: number } }[];
    expect(sizes.reduce((s, b) => s + b.datum.count, 0)).toBe(events);
    const reads = blkparseReads(trace, listing);
    const buckets = new Set(reads.map((r) => Math.floor(Math.log2(r.bytes))));
    expect(sizes.length).toBe(Math.max(...buckets) - Math.min(...buckets) + 1);
  });
});

const byMinMax = (a: number[], b: number[]): number => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0);

describe("downsampled offset plot", () => {
  it("past maxPoints draws one min–max bar per (pixel column, gap class) and says so", async () => {
    const exact = await fixturePlotInputs("pressure-frag.bin", "frag.filefrag.txt");
    const small = await fixturePlotInputs("pressure-frag.bin", "frag.filefrag.txt", { maxPoints: 50, columns: 64 });
    const points = exact.series.fileOffsets;
    if (points?.mode !== "exact") throw new Error("expected exact points");
    // Reference: the bucket span is 1 ms doubled until it exceeds the last event.
    let span = 1e6;
    while (span <= Math.max(...points.t)) span *= 2;
    const cells = new Map<string, { min: number; max: number }>();
    for (let i = 0; i < points.length; i++) {
      const key = `${Math.floor(((points.t[i] as number) / span) * 64)}/${points.key[i]}`;
      const y = points.y[i] as number;
      const c = cells.get(key) ?? { min: y, max: y };
      cells.set(key, { min: Math.min(c.min, y), max: Math.max(c.max, y) });
    }
    const spec = offsetSpec(small);
    const view = await plotView(spec);
    const bars = markItems(view, OFFSET_MARKS.file) as { datum: { y: number; y2: number } }[];
    expect(bars.length).toBe(cells.size);
    const unit = 512 / 2 ** 20;
    expect(bars.map((b) => [b.datum.y / unit, b.datum.y2 / unit]).sort(byMinMax)).toEqual(
      [...cells.values()].map((c) => [c.min, c.max]).sort(byMinMax),
    );
    expect(JSON.stringify((spec.title as { subtitle: string[] }).subtitle)).toMatch(
      /243 events drawn as per-pixel min–max: 64 time columns/,
    );
  });
});

describe("PLOTS", () => {
  it("every plot has a unique name and draws the fixture (latency too: the trace has Q…C)", async () => {
    const inputs = await fixturePlotInputs("pressure-frag.bin", "frag.filefrag.txt");
    expect(new Set(PLOTS.map((p) => p.name)).size).toBe(PLOTS.length);
    for (const p of PLOTS) {
      if (p.needs) expect(p.spec(inputs), `${p.name} without --gguf`).toBeUndefined();
      else expect(p.spec(inputs), p.name).toBeDefined();
    }
  });
});
