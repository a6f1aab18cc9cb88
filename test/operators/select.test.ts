import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { Act, Cat } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { batchOf } from "../../model/event.js";
import { select } from "../../operators/select.js";
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
});
