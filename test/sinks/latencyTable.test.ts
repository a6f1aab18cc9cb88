import { firstValueFrom, from } from "rxjs";
import { describe, expect, it } from "vitest";
import type { LatencyReport } from "../../model/latency.js";
import { latencySummary } from "../../operators/latencySummary.js";
import { requestLifecycle } from "../../operators/requestLifecycle.js";
import { latencyJson, renderHistogram, renderLatency } from "../../sinks/latencyTable.js";
import { decodedFixture } from "../helpers/decode.js";

/** The latency report of a fixture trace (every record, as `blkrx latency` reads it). */
const reportOf = (name: string, by: "device" | "direction" = "device"): Promise<LatencyReport> =>
  firstValueFrom(from([decodedFixture(name)]).pipe(requestLifecycle(), latencySummary({ by })));

describe("renderLatency", () => {
  it("prints btt's seconds with 9 decimals: pressure-frag's 631 bios, D2C 61.8 µs to 15.8 ms", async () => {
    const text = renderLatency(await reportOf("pressure-frag"));
    expect(text.startsWith("all (device 7,0) (631 bios)\n")).toBe(true);
    expect(text).toMatch(/│ D2C +│ 631 │ 0\.000061821 │ 0\.001425083 │ 0\.015771699 │ 0\.000248353 │/);
    expect(text).toMatch(/│ Q2C +│ 631 │ 0\.000107562 │ 0\.001515254 │ 0\.015783842 │/);
    expect(text).toMatch(/│ Q2M +│ 384 │ 0\.000000310 │/);
    expect(text).toContain("device overhead (share of total Q2C time)");
    expect(text).toContain("Q2C histogram");
    expect(text).toContain("D2C histogram");
    expect(
      text.endsWith(
        "completed 631, aged out 0, unmatched 0, pending at end 0, skewed intervals (end stamped before start, counted as 1 ns) 0\n",
      ),
    ).toBe(true);
  });

  it("prints the overall table and one per group when grouped by direction", async () => {
    const text = renderLatency(await reportOf("pressure-frag", "direction"));
    expect(text.startsWith("all (631 bios)\n")).toBe(true);
    expect(text).toMatch(/\nread \(\d+ bios\)\n/);
  });

  it("leaves out the intervals a trace does not have", async () => {
    const report = await reportOf("pressure-frag");
    const noG2i = { ...report, overall: { ...report.overall, intervals: { ...report.overall.intervals, g2i: null } } };
    expect(renderLatency(report)).toMatch(/│ G2I +│/);
    expect(renderLatency(noG2i).split("device overhead")[0]).not.toMatch(/│ G2I +│/);
  });
});

describe("renderHistogram", () => {
  it("draws one line per log2 µs bucket, the fullest bucket 40 stars wide", async () => {
    const d2c = (await reportOf("pressure-frag")).overall.intervals.d2c;
    if (!d2c) throw new Error("pressure-frag has D2C intervals");
    const lines = renderHistogram("d2c", d2c).trimEnd().split("\n");
    expect(lines[0]).toBe("D2C histogram");
    expect(lines.slice(2)).toHaveLength(d2c.histogram.length);
    expect(d2c.histogram.reduce((n, b) => n + b.count, 0)).toBe(631);
    const widest = Math.max(...lines.slice(2).map((l) => (l.match(/\*/g) ?? []).length));
    expect(widest).toBe(40);
  });
});

describe("latencyJson", () => {
  it("is the report itself as JSON, times in ns", async () => {
    const report = await reportOf("pressure-frag");
    const back = JSON.parse(latencyJson(report));
    expect(back.requests).toBe(631);
    expect(back.overall.intervals.d2c.min).toBe(61_821);
    expect(back).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
