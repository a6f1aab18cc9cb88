import fc from "fast-check";
import { from, lastValueFrom, map, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../model/batch.js";
import { type BlockEvent, batchOf, eventsOf } from "../../model/event.js";
import { filterEvents, tapEvents, toEvents } from "../../operators/eventAdapters.js";
import { decodedFixture } from "../helpers/decode.js";
import { ev, reads } from "../helpers/events.js";

const sched = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const sectors = map((b: EventBatch) => Array.from(b.sector));
const boom = new Error("predicate failed");

/** One batch of events named `comm` (the batch carries the pid → name table). */
const named = (comm: string, ...events: BlockEvent[]) => batchOf(events.map((e) => ({ ...e, comm })));

describe("filterEvents", () => {
  it("keeps the events the predicate accepts, batches in and out, and drops batches left empty", () => {
    sched().run(({ cold, expectObservable }) => {
      const a = reads([0, 8], [8, 2048], [4096, 8]);
      const b = reads([9000, 8]);
      const c = reads([10_000, 4096]);
      const big = filterEvents((e) => e.sectors >= 2048);
      expectObservable(cold("a-b-c|", { a, b, c }).pipe(big, sectors)).toBe("a---c|", { a: [8], c: [10_000] });
    });
  });

  it("turns a throwing predicate into an error notification, at the batch that threw", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-b-a|", { a: reads([0, 8]), b: reads([666, 8]) });
      const picky = filterEvents((e) => {
        if (e.sector === 666) throw boom;
        return true;
      });
      expectObservable(src.pipe(picky, sectors)).toBe("a-#", { a: [0] }, boom);
      expectSubscriptions(src.subscriptions).toBe("^-!");
    });
  });

  it("passes errors, empty and never-ending sources; unsubscribes early", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      const all = filterEvents(() => true);
      expectObservable(cold<EventBatch>("-#").pipe(all)).toBe("-#");
      expectObservable(cold<EventBatch>("-|").pipe(all)).toBe("-|");
      expectObservable(cold<EventBatch>("-").pipe(all)).toBe("-");
      const src = cold("a-a-a|", { a: reads([0, 8]) });
      expectObservable(src.pipe(all, sectors), "^--!").toBe("a-a", { a: [0] });
      expectSubscriptions(src.subscriptions).toBe("^--!");
    });
  });

  it("shows each event with the process name its batch or an earlier one introduced", async () => {
    const first = named("llama-cli", { ...ev(0, 8), pid: 7 });
    const later = reads([8, 8]); // pid 42 has no name; pid 7's name was learned from the first batch
    const again = batchOf([{ ...ev(16, 8), pid: 7 }]);
    const seen: (string | undefined)[] = [];
    const keep = filterEvents((e) => {
      seen.push(e.comm);
      return e.comm === "llama-cli";
    });
    const kept = await lastValueFrom(from([first, later, again]).pipe(keep, sectors, toArray()));
    expect(seen).toEqual(["llama-cli", undefined, "llama-cli"]);
    expect(kept).toEqual([[0], [16]]);
  });

  it("keeps exactly what Array.filter keeps on the events, in order, with every column", () => {
    const event = fc.record({
      sector: fc.integer({ min: 0, max: 1e9 }),
      sectors: fc.integer({ min: 0, max: 4096 }),
      time: fc.integer({ min: 0, max: 1e12 }),
      write: fc.boolean(),
    });
    fc.assert(
      fc.asyncProperty(fc.array(fc.array(event, { maxLength: 30 }), { maxLength: 5 }), async (groups) => {
        const batches = groups.map((g) => batchOf(g.map((e) => ev(e.sector, e.sectors, e))));
        const keep = (e: BlockEvent) => e.rwbs === "R" && e.sector % 3 !== 0;
        const out = await lastValueFrom(from(batches).pipe(filterEvents(keep), toArray()));
        expect(out.flatMap((b) => eventsOf(b))).toEqual(batches.flatMap((b) => eventsOf(b)).filter(keep));
        expect(out.every((b) => b.length > 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("works on a real trace: D reads of pressure-frag.bin are 243 of its 2,773 records", async () => {
    const trace = decodedFixture("pressure-frag");
    const kept = await lastValueFrom(
      from([trace]).pipe(
        filterEvents((e) => e.action === "D" && e.rwbs.startsWith("R")),
        toEvents(),
        toArray(),
      ),
    );
    expect(trace.length).toBe(2773);
    // The file's 243 kept reads plus the D reads outside it (metadata): all D reads of the trace.
    expect(kept.length).toBe(eventsOf(trace).filter((e) => e.action === "D" && e.rwbs.startsWith("R")).length);
    expect(kept.length).toBeGreaterThanOrEqual(243);
  });
});

describe("tapEvents", () => {
  it("sees every event once and passes the batches through unchanged (the same objects)", async () => {
    const a = reads([0, 8], [8, 8]);
    const b = reads([100, 16]);
    const seen: number[] = [];
    const out = await lastValueFrom(
      from([a, b]).pipe(
        tapEvents((e) => seen.push(e.sector)),
        toArray(),
      ),
    );
    expect(seen).toEqual([0, 8, 100]);
    expect(out[0]).toBe(a);
    expect(out[1]).toBe(b);
  });

  it("turns a throwing effect into an error notification", () => {
    sched().run(({ cold, expectObservable }) => {
      const src = cold("a-b-a|", { a: reads([0, 8]), b: reads([666, 8]) });
      const effect = tapEvents((e) => {
        if (e.sector === 666) throw boom;
      });
      expectObservable(src.pipe(effect, sectors)).toBe("a-#", { a: [0] }, boom);
    });
  });

  it("passes errors and empty sources, and learns names per subscription", async () => {
    sched().run(({ cold, expectObservable }) => {
      expectObservable(cold<EventBatch>("-#").pipe(tapEvents(() => {}))).toBe("-#");
      expectObservable(cold<EventBatch>("-|").pipe(tapEvents(() => {}))).toBe("-|");
    });
    const comms: (string | undefined)[] = [];
    const op = tapEvents((e) => comms.push(e.comm));
    await lastValueFrom(from([named("cat", ev(0, 8))]).pipe(op));
    await lastValueFrom(from([reads([8, 8])]).pipe(op)); // a new subscription: pid 42's name is not known here
    expect(comms).toEqual(["cat", undefined]);
  });
});

describe("toEvents", () => {
  it("emits one event per row, in order, across batches", () => {
    sched().run(({ cold, expectObservable }) => {
      const a = reads([0, 8], [8, 8]);
      const b = reads([100, 16]);
      const sector = map((e: BlockEvent) => e.sector);
      expectObservable(cold("a-----b|", { a, b }).pipe(toEvents(), sector)).toBe("(xy)--z|", { x: 0, y: 8, z: 100 });
    });
  });

  it("passes errors and empty sources; a synchronous source under take stops early", async () => {
    sched().run(({ cold, expectObservable }) => {
      expectObservable(cold<EventBatch>("-#").pipe(toEvents())).toBe("-#");
      expectObservable(cold<EventBatch>("-|").pipe(toEvents())).toBe("-|");
    });
    const { take } = await import("rxjs");
    const events = await lastValueFrom(from([decodedFixture("pressure-frag")]).pipe(toEvents(), take(3), toArray()));
    expect(events.map((e) => [e.action, e.sector])).toEqual([
      ["A", 27496],
      ["Q", 27496],
      ["G", 27496],
    ]);
  });

  it("gives the events eventsOf gives, with the names the batches carry", async () => {
    const batches = [named("python3", { ...ev(0, 8), pid: 9 }), batchOf([{ ...ev(8, 8), pid: 9 }])];
    const events = await lastValueFrom(from(batches).pipe(toEvents(), toArray()));
    expect(events.map((e) => e.comm)).toEqual(["python3", "python3"]);
    expect(events.map(({ comm: _, ...rest }) => rest)).toEqual(
      batches.flatMap((b) => eventsOf(b)).map(({ comm: _, ...rest }) => rest),
    );
  });
});
