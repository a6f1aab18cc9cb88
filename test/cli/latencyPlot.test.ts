import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

describe("blkrx latency --plot", () => {
  it("draws one panel per interval in the report, one bar per non-empty histogram bucket", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "blkrx-latplot-")), "lat.svg");
    const r = await blkrx(["latency", "pressure-frag.bin", "--json", "--plot", out]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    const svg = readFileSync(out, "utf8");
    const intervals = Object.entries(report.overall.intervals).filter(([, s]) => s !== null) as [
      string,
      { n: number; histogram: { count: number }[] },
    ][];
    for (const [name, stats] of intervals) expect(svg).toContain(`${name.toUpperCase()}  N ${stats.n} `);
    const bars = intervals.reduce((k, [, s]) => k + s.histogram.filter((b) => b.count > 0).length, 0);
    expect((svg.match(/fill="hsl\(215,70%,45%\)"/g) ?? []).length).toBe(bars);
    expect(report.overall.intervals.d2c.n).toBe(631);
  });
});
