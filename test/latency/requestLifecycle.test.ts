import { lastValueFrom, map, of, take, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../model/batch.js";
import type { RequestBatch } from "../../model/requests.js";
import { requestLifecycle } from "../../operators/requestLifecycle.js";
import { batch, ev, split } from "./events.js";

/** The interesting part of a RequestBatch as plain data. */
function rows(r: RequestBatch) {
  return {
    n: r.length,
    sector: [...r.sector],
    q2g: [...r.q2g],
    q2m: [...r.q2m],
    i2d: [...r.i2d],
    d2c: [...r.d2c],
    q2c: [...r.q2c],
    final: r.final,
    agedOut: r.agedOut,
    pending: r.pending,
  };
}

async function run(...batches: ReturnType<typeof batch>[]) {
  return lastValueFrom(of(...batches).pipe(requestLifecycle(), map(rows), toArray()));
}

describe("requestLifecycle", () => {
  it("takes G2I, I2D and M2D only when the later stage comes after the earlier one, as btt does; counts skew", async () => {
    // Stages in processing order, stamped by CPUs whose clocks disagree.
    const [r] = await lastValueFrom(
      of(
        batch(
          ...[ev("Q", 100, 8, 0), ev("I", 100, 8, 10), ev("G", 100, 8, 20), ev("D", 100, 8, 30), ev("C", 100, 8, 40)],
          ...[ev("Q", 200, 8, 50), ev("G", 200, 8, 60), ev("D", 200, 8, 70), ev("I", 200, 8, 80), ev("C", 200, 8, 90)],
          ...[
            ev("Q", 300, 8, 100),
            ev("G", 300, 8, 99),
            ev("I", 300, 8, 120),
            ev("D", 300, 8, 130),
            ev("C", 300, 8, 140),
          ],
        ),
      ).pipe(requestLifecycle(), toArray()),
    );
    expect({
      g2i: [...(r?.g2i ?? [])],
      i2d: [...(r?.i2d ?? [])],
      m2d: [...(r?.m2d ?? [])],
      q2g: [...(r?.q2g ?? [])],
      skewed: r?.skewed,
    }).toEqual({
      g2i: [Number.NaN, 20, 21],
      i2d: [20, Number.NaN, 10],
      m2d: [Number.NaN, Number.NaN, Number.NaN],
      q2g: [20, 10, 1],
      skewed: 1,
    });
  });

  it("follows Q → G → I → D → C and reports every stage in ns", async () => {
    const out = await run(
      batch(ev("Q", 100, 8, 1000), ev("G", 100, 8, 1500), ev("I", 100, 8, 1700), ev("D", 100, 8, 2000)),
      batch(ev("C", 100, 8, 9000)),
    );
    expect(out[0]).toMatchObject({
      n: 1,
      sector: [100],
      q2g: [500],
      i2d: [300],
      d2c: [7000],
      q2c: [8000],
      final: false,
    });
    expect(out[1]).toMatchObject({ n: 0, final: true, pending: 0, agedOut: 0 });
  });

  it("completes a merged bio with its request and reports Q2M for it", async () => {
    const [r] = await run(
      batch(
        ev("Q", 100, 8, 0),
        ev("G", 100, 8, 10),
        ev("Q", 108, 8, 20),
        ev("M", 108, 8, 25),
        ev("D", 100, 16, 100),
        ev("C", 100, 16, 1100),
      ),
    );
    expect(r).toMatchObject({
      n: 2,
      sector: [100, 108],
      q2g: [10, Number.NaN],
      q2m: [Number.NaN, 5],
      d2c: [1000, 1000],
      q2c: [1100, 1080],
    });
  });

  it("splits a bio at an X and follows both halves to their own D and C", async () => {
    const [r] = await run(
      batch(
        ev("Q", 0, 16, 0),
        split(0, 16, 8, 5),
        ev("G", 0, 8, 10),
        ev("G", 8, 8, 12),
        ev("D", 0, 8, 20),
        ev("D", 8, 8, 22),
      ),
      batch(ev("C", 8, 8, 300), ev("C", 0, 8, 500)),
    );
    expect(r).toMatchObject({ n: 2, sector: [8, 0], q2g: [12, 10], d2c: [278, 480], q2c: [300, 500] });
  });

  it("pairs two reads of the same sector in order, without sequence numbers", async () => {
    const [r] = await run(
      batch(
        ev("Q", 7, 8, 0),
        ev("D", 7, 8, 10),
        ev("C", 7, 8, 110),
        ev("Q", 7, 8, 200),
        ev("D", 7, 8, 205),
        ev("C", 7, 8, 405),
      ),
    );
    expect(r).toMatchObject({ n: 2, d2c: [100, 200], q2c: [110, 205] });
  });

  it("reports D2C only for a trace without queue events", async () => {
    const [r] = await run(batch(ev("D", 7, 8, 10), ev("C", 7, 8, 60)));
    expect(r).toMatchObject({ n: 1, d2c: [50], q2c: [Number.NaN] });
  });

  it("ages out bios that never complete and counts them", async () => {
    const out = await lastValueFrom(
      of(batch(ev("Q", 1, 8, 0)), batch(ev("Q", 2, 8, 2e9), ev("D", 2, 8, 3e9), ev("C", 2, 8, 4e9))).pipe(
        requestLifecycle({ maxAgeNs: 1e9 }),
        toArray(),
      ),
    );
    expect(out.at(-1)).toMatchObject({ final: true, agedOut: 1, pending: 0 });
  });

  it("keeps at most maxPending bios, dropping the oldest quarter", async () => {
    const qs = Array.from({ length: 9 }, (_, i) => ev("Q", i * 8, 8, i));
    const out = await lastValueFrom(of(batch(...qs)).pipe(requestLifecycle({ maxPending: 8 }), toArray()));
    expect(out.at(-1)).toMatchObject({ agedOut: 2, pending: 7 });
  });

  it("rejects unusable options with a RangeError naming them", () => {
    expect(() => requestLifecycle({ maxAgeNs: 0 })).toThrow(/maxAgeNs 0/);
    expect(() => requestLifecycle({ maxPending: 1.5 })).toThrow(/maxPending 1.5/);
  });
});

describe("requestLifecycle (marbles)", () => {
  const a = batch(ev("Q", 100, 8, 0), ev("D", 100, 8, 10));
  const b = batch(ev("C", 100, 8, 60));
  const done = { n: 1, d2c: [50], final: false };
  const last = { n: 0, d2c: [], final: true };
  const pick = (r: RequestBatch) => ({ n: r.length, d2c: [...r.d2c], final: r.final });
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it("emits completed bios when they complete, then the final batch", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("-a-b-|", { a, b }).pipe(requestLifecycle(), map(pick))).toBe("---x-(y|)", {
        x: done,
        y: last,
      });
    });
  });

  it("passes an error through without a final batch", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("-a-#", { a }).pipe(requestLifecycle(), map(pick))).toBe("---#");
    });
  });

  it("emits only the final batch for an empty source", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<EventBatch>("|").pipe(requestLifecycle(), map(pick))).toBe("(y|)", { y: last });
    });
  });

  it("emits nothing for a source that never ends", () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("-a-", { a }).pipe(requestLifecycle())).toBe("---");
    });
  });

  it("unsubscribes from the source when unsubscribed early", () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot("-a-b-|", { a, b });
      expectObservable(source.pipe(requestLifecycle(), map(pick)), "^-!").toBe("---");
      expectSubscriptions(source.subscriptions).toBe("^-!");
    });
  });

  it("works with a synchronous source under take", async () => {
    const out = await lastValueFrom(of(a, b).pipe(requestLifecycle(), take(1), map(pick)));
    expect(out).toEqual(done);
  });

  it("keeps separate state per subscription", async () => {
    const op = of(a, b).pipe(requestLifecycle(), map(pick), toArray());
    expect(await lastValueFrom(op)).toEqual(await lastValueFrom(op));
  });
});
