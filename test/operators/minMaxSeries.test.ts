import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MinMaxSeries } from "../../operators/minMaxSeries.js";
import { TimeBuckets } from "../../operators/timeBuckets.js";

/** The readable reference: the span is 1 ms doubled past the last time; cells by floor(t / span × columns). */
function reference(points: readonly [number, number, number][], columns: number) {
  let span = 1e6;
  for (const [t] of points) while (t >= span) span *= 2;
  const cells = new Map<string, { min: number; max: number; count: number }>();
  for (const [t, y, key] of points) {
    const id = `${Math.min(columns - 1, Math.floor((t / span) * columns))}/${key}`;
    const c = cells.get(id) ?? { min: y, max: y, count: 0 };
    cells.set(id, { min: Math.min(c.min, y), max: Math.max(c.max, y), count: c.count + 1 });
  }
  return { span, cells };
}

const points = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 5e9 }), fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 2 })),
  { maxLength: 300 },
);

describe("MinMaxSeries", () => {
  it("keeps every point exactly up to maxPoints", () => {
    fc.assert(
      fc.property(points, (ps) => {
        const s = new MinMaxSeries({ keys: 3, maxPoints: 1000 });
        for (const [t, y, k] of ps) s.add(t, y, k);
        const r = s.result();
        expect(r.mode).toBe("exact");
        if (r.mode === "exact") expect([...r.t]).toEqual(ps.map((p) => p[0]));
      }),
    );
  });

  it("past maxPoints holds per (column, key) the min, max and count of the points, in any time order", () => {
    fc.assert(
      fc.property(
        points,
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 2, max: 40 }),
        (ps, maxPoints, columns) => {
          const s = new MinMaxSeries({ keys: 3, maxPoints, columns });
          for (const [t, y, k] of ps) s.add(t, y, k);
          const r = s.result();
          if (ps.length <= maxPoints) {
            expect(r.mode).toBe("exact");
            return;
          }
          if (r.mode !== "buckets") throw new Error("expected buckets");
          const ref = reference(ps, columns);
          expect(r.spanNs).toBe(ref.span);
          expect(r.length).toBe(ps.length);
          for (let x = 0; x < columns; x++) {
            for (let k = 0; k < 3; k++) {
              const c = ref.cells.get(`${x}/${k}`);
              const i = x * 3 + k;
              expect(r.count[i]).toBe(c?.count ?? 0);
              if (c) expect([r.min[i], r.max[i]]).toEqual([c.min, c.max]);
            }
          }
        },
      ),
    );
  });

  it("refuses a keys count it cannot index, naming the value", () => {
    expect(() => new MinMaxSeries({ keys: 0 })).toThrow(/keys must be an integer in 1..256: current value is 0/);
  });
});

describe("TimeBuckets", () => {
  it("sums per bucket like the reference, trimmed after the last used bucket", () => {
    fc.assert(
      fc.property(points, fc.integer({ min: 2, max: 40 }), (ps, columns) => {
        const b = new TimeBuckets(1, columns);
        for (const [t, y] of ps) b.add(t, 0, y);
        const r = b.result();
        const ref = reference(
          ps.map(([t, y]) => [t, y, 0]),
          columns,
        );
        expect(r.bucketNs).toBe(ref.span / columns);
        const sums = new Float64Array(r.used);
        for (const [t, y] of ps) {
          const x = Math.min(columns - 1, Math.floor((t / ref.span) * columns));
          sums[x] = (sums[x] ?? 0) + y;
        }
        expect([...(r.sums[0] ?? [])]).toEqual([...sums]);
        if (ps.length > 0)
          expect(r.used).toBe(
            1 + Math.max(...ps.map(([t]) => Math.min(columns - 1, Math.floor((t / ref.span) * columns)))),
          );
      }),
    );
  });
});
