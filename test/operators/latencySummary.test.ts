import fc from "fast-check";
import { from, lastValueFrom, map, of } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { Act, Cat } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { intervalStats, latencySummary, log2Bucket, percentile } from "../../operators/latencySummary.js";
import { requestLifecycle } from "../../operators/requestLifecycle.js";
import { batch, actionEvent as ev } from "../helpers/events.js";
import { decodeFixture } from "../latency/helpers.js";

describe("percentile / intervalStats", () => {
  it("nearest rank: pX is the value at rank ceil(X/100 × N) of a plain sort", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2e9 }), { minLength: 1, maxLength: 3000 }), (raw) => {
        const sorted = [...raw].sort((x, y) => x - y);
        const rank = (pm: number) => sorted[Math.ceil((pm * sorted.length) / 1000) - 1];
        const s = intervalStats(Float64Array.from(raw));
        expect([s.p50, s.p90, s.p99, s.p999]).toEqual([rank(500), rank(900), rank(990), rank(999)]);
        expect([s.n, s.min, s.max]).toEqual([raw.length, sorted[0], sorted.at(-1)]);
        expect(s.mean).toBeCloseTo(raw.reduce((t, v) => t + v, 0) / raw.length, 6);
        expect(s.histogram.reduce((t, b) => t + b.count, 0)).toBe(raw.length);
      }),
    );
  });

  it("p99.9 of 1000 values is the 999th, p50 of [1,2,3,4] is 2", () => {
    const thousand = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(thousand, 999)).toBe(999);
    expect(percentile(Float64Array.of(1, 2, 3, 4), 500)).toBe(2);
    expect(percentile(new Float64Array(0), 500)).toBeNaN();
  });

  it("log2 buckets follow biolatency: 0–1, 2–3, 4–7 µs", () => {
    expect([0, 1999, 2000, 3999, 4000, 7999, 8000].map(log2Bucket)).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(intervalStats(Float64Array.of(500, 2500, 5000, 6000)).histogram).toEqual([
      { lowUs: 0, highUs: 1, count: 1 },
      { lowUs: 2, highUs: 3, count: 1 },
      { lowUs: 4, highUs: 7, count: 2 },
    ]);
  });
});

describe("latencySummary", () => {
  it("direct-contig: exact D2C/Q2C numbers and btt's device overhead", async () => {
    const report = await lastValueFrom(from(decodeFixture("direct-contig")).pipe(requestLifecycle(), latencySummary()));
    expect(report.requests).toBe(26);
    expect(report.groups.map((g) => g.key)).toEqual(["7,0"]);
    const d2c = report.overall.intervals.d2c;
    expect(d2c && { n: d2c.n, min: d2c.min, max: d2c.max }).toEqual({ n: 26, min: 21840, max: 1983808 });
    const q2c = report.overall.intervals.q2c;
    expect(q2c && { n: q2c.n, min: q2c.min, max: q2c.max }).toEqual({ n: 26, min: 61249, max: 1987275 });
    // btt -i prints: Q2G 0.8159% G2I 7.7059% Q2M 0.0142% I2D 0.0336% D2C 90.3526%
    const o = report.overall.overhead;
    expect(o && [o.q2g, o.g2i, o.q2m, o.i2d, o.d2c].map((p) => p.toFixed(4))).toEqual([
      "0.8159",
      "7.7059",
      "0.0142",
      "0.0336",
      "90.3526",
    ]);
    expect(report.overall.intervals.q2c?.histogram.reduce((t, b) => t + b.count, 0)).toBe(26);
  });

  it("groups by direction, process and phase", async () => {
    const events = [
      ev("Q", 0, 8, 0),
      ev("D", 0, 8, 10),
      ev("C", 0, 8, 20),
      ev("Q", 8, 8, 30, { pid: 7, code: (Act.QUEUE | Cat.WRITE) >>> 0 }),
    ];
    const b = { ...batch(...events, ev("D", 8, 8, 40), ev("C", 8, 8, 90)), names: new Map([[42, "dd"]]) };
    const byDir = await lastValueFrom(of(b).pipe(requestLifecycle(), latencySummary({ by: "direction" })));
    expect(byDir.groups.map((g) => [g.key, g.requests])).toEqual([
      ["read", 1],
      ["write", 1],
    ]);
    const byProc = await lastValueFrom(of(b).pipe(requestLifecycle(), latencySummary({ by: "process" })));
    expect(byProc.groups.map((g) => [g.key, g.intervals.d2c?.max])).toEqual([
      ["dd", 10],
      ["pid 7", 50],
    ]);
    const byPhase = await lastValueFrom(of(b).pipe(requestLifecycle(), latencySummary({ by: "phase" })));
    expect(byPhase.groups.map((g) => g.key)).toEqual(["phase 0"]);
  });

  it("rejects an unknown grouping with a TypeError naming it", () => {
    expect(() => latencySummary({ by: "cpu" as "device" })).toThrow(/Cannot group latency by "cpu"/);
  });
});

describe("latencySummary (marbles)", () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const a = batch(ev("Q", 100, 8, 0), ev("D", 100, 8, 10));
  const b = batch(ev("C", 100, 8, 60));
  const pick = map((r: { requests: number; overall: { intervals: { d2c: { max: number } | null } } }) => ({
    requests: r.requests,
    d2cMax: r.overall.intervals.d2c?.max ?? null,
  }));

  it("emits one report when the source completes", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("-a-b-|", { a, b }).pipe(requestLifecycle(), latencySummary(), pick)).toBe("-----(r|)", {
        r: { requests: 1, d2cMax: 50 },
      });
    });
  });

  it("passes an error through", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("-a-#", { a }).pipe(requestLifecycle(), latencySummary())).toBe("---#");
    });
  });

  it("reports zero requests for an empty source", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<EventBatch>("|").pipe(requestLifecycle(), latencySummary(), pick)).toBe("(r|)", {
        r: { requests: 0, d2cMax: null },
      });
    });
  });

  it("unsubscribes from the source when unsubscribed early", () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot("-a-b-|", { a, b });
      expectObservable(source.pipe(requestLifecycle(), latencySummary()), "^-!").toBe("---");
      expectSubscriptions(source.subscriptions).toBe("^-!");
    });
  });
});
