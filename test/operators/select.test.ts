import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { Act, Cat } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { batchOf } from "../../model/event.js";
import { onDevice, select, selectionFilter } from "../../operators/select.js";
import { SelectionTally, whyNothingKept } from "../../operators/selectionTally.js";
import { ev } from "../helpers/events.js";

const sched = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const sectors = map((b: { sector: Float64Array }) => Array.from(b.sector));

describe("select", () => {
  const mixed = batchOf([
    ev(100, 8),
    ev(200, 8, { action: Act.QUEUE }),
    ev(300, 8, { write: true }),
    ev(400, 0),
    { ...ev(500, 8), code: (Act.ISSUE | Cat.READ | Cat.DISCARD) >>> 0 },
    ev(600, 16),
  ]);

  it("keeps D reads only by default (no Q, no writes, no zero-length, no discards)", () => {
    sched().run(({ cold, expectObservable }) => {
      expectObservable(cold("-a-|", { a: mixed }).pipe(select(), sectors)).toBe("-x-|", { x: [100, 600] });
    });
  });

  it("selects writes and any direction", () => {
    sched().run(({ cold, expectObservable }) => {
      expectObservable(cold("a|", { a: mixed }).pipe(select({ rw: "write" }), sectors)).toBe("x|", { x: [300] });
      expectObservable(cold("a|", { a: mixed }).pipe(select({ rw: "any" }), sectors)).toBe("x|", {
        x: [100, 300, 600],
      });
      expectObservable(cold("a|", { a: mixed }).pipe(select({ action: "Q" }), sectors)).toBe("x|", { x: [200] });
    });
  });

  it("drops batches with nothing kept, passes errors and empty sources", () => {
    sched().run(({ cold, expectObservable }) => {
      const none = batchOf([ev(1, 8, { write: true })]);
      expectObservable(cold("a-b-#", { a: none, b: mixed }).pipe(select(), sectors)).toBe("--x-#", { x: [100, 600] });
      expectObservable(cold<EventBatch>("|").pipe(select())).toBe("|");
      expectObservable(cold<EventBatch>("-").pipe(select())).toBe("-");
    });
  });

  it("unsubscribes from the source on early unsubscribe", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-a-a-|", { a: mixed });
      expectObservable(src.pipe(select(), sectors), "^--!").toBe("x-x", { x: [100, 600] });
      expectSubscriptions(src.subscriptions).toBe("^--!");
    });
  });

  it("rejects an unknown action with a TypeError naming it", () => {
    expect(() => select({ action: "QQ" as "D" })).toThrow(/unknown action "QQ"/);
  });

  describe("device", () => {
    const SDA = (8 << 20) | 0;
    const LOOP = (7 << 20) | 0;
    const onSda = (e: ReturnType<typeof ev>) => ({ ...e, device: { major: 8, minor: 0 } });
    const two = batchOf([ev(100, 8), onSda(ev(100, 8)), ev(200, 8, { action: Act.QUEUE }), onSda(ev(300, 8))]);

    it("keeps only the chosen device's events, whatever else passes", () => {
      sched().run(({ cold, expectObservable }) => {
        expectObservable(cold("a|", { a: two }).pipe(select({ device: SDA }), sectors)).toBe("x|", { x: [100, 300] });
        expectObservable(cold("a|", { a: two }).pipe(select({ device: LOOP }), sectors)).toBe("x|", { x: [100] });
        expectObservable(cold("a|", { a: two }).pipe(select(), sectors)).toBe("x|", { x: [100, 100, 300] });
        expectObservable(cold("a|", { a: two }).pipe(onDevice(LOOP), sectors)).toBe("x|", { x: [100, 200] });
      });
    });

    it("tallies events, the action, the selection and each device's selected events", () => {
      const tally = new SelectionTally();
      sched().run(({ cold, expectObservable }) => {
        expectObservable(cold("a|", { a: two }).pipe(select({ device: SDA, tally }), sectors)).toBe("x|", {
          x: [100, 300],
        });
      });
      expect([tally.events, tally.ofAction, tally.selected, tally.onDevice]).toEqual([4, 3, 3, 2]);
      expect(tally.deviceCounts()).toEqual([
        { device: LOOP, events: 1 },
        { device: SDA, events: 2 },
      ]);
    });

    it("the decoder pushdown counts only what it rejects, so a record is never counted twice", () => {
      const tally = new SelectionTally();
      const keep = selectionFilter({ tally });
      expect(keep((Act.ISSUE | Cat.READ) >>> 0, 4096)).toBe(true); // select counts it when it arrives
      expect(keep((Act.ISSUE | Cat.WRITE) >>> 0, 4096)).toBe(false);
      expect(keep((Act.QUEUE | Cat.READ) >>> 0, 4096)).toBe(false);
      expect(keep(Cat.NOTIFY >>> 0, 0)).toBe(false); // not an event
      expect([tally.events, tally.ofAction, tally.selected]).toEqual([2, 1, 0]);
    });
  });
});

describe("whyNothingKept", () => {
  const tally = (events: number, ofAction: number, selected: number, onDevice = selected) =>
    Object.assign(new SelectionTally(), { events, ofAction, selected, onDevice });
  const read = { action: "D", rw: "read" as const, inFile: true };

  it("names the first stage that kept nothing", () => {
    expect(whyNothingKept(tally(0, 0, 0), 0, read)).toBe("kept 0 events: the input holds no block events");
    expect(whyNothingKept(tally(12, 0, 0), 0, read)).toBe(
      "kept 0 events: none of the 12 events is a D (issued to the device) event; choose another with --action",
    );
    expect(whyNothingKept(tally(12, 0, 0), 0, { ...read, action: "Q,D,C" })).toBe(
      "kept 0 events: none of the 12 events is of the actions Q, D, C; choose another with --action",
    );
    expect(whyNothingKept(tally(12, 5, 0), 0, read)).toBe(
      "kept 0 events: none of the 5 D events is a read of at least one sector (--rw read); try --rw write or --rw any",
    );
    expect(whyNothingKept(tally(4000, 3000, 2773), 0, read)).toBe(
      "kept 0 events: 0 of 2,773 D reads fall inside the file's sectors: is the listing for this device and partition?",
    );
    expect(whyNothingKept(tally(4000, 3000, 2773), 1, read)).toBeUndefined();
    expect(whyNothingKept(tally(4000, 3000, 2773), 0, { ...read, inFile: false })).toBeUndefined();
  });
});
