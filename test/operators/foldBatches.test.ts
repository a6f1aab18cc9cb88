import { firstValueFrom, from } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../model/batch.js";
import { foldBatches } from "../../operators/foldBatches.js";
import { decodedFixture } from "../helpers/decode.js";
import { reads } from "../helpers/events.js";

const sched = () => new TestScheduler((a, b) => expect(a).toEqual(b));

/** A whole-run statistic: the number of events and of batches seen. */
class Counter {
  events = 0;
  batches = 0;
  add(batch: EventBatch): void {
    this.events += batch.length;
    this.batches++;
  }
}
const counts = foldBatches(
  () => new Counter(),
  (c) => `${c.events}/${c.batches}`,
);

describe("foldBatches", () => {
  it("folds every batch and emits the result once, when the source completes", () => {
    sched().run(({ cold, expectObservable }) => {
      const a = reads([0, 8], [8, 8]);
      const b = reads([16, 8]);
      expectObservable(cold("a-b-a-|", { a, b }).pipe(counts)).toBe("------(r|)", { r: "5/3" });
    });
  });

  it("gives the untouched accumulator's result for an empty source", () => {
    sched().run(({ cold, expectObservable }) => {
      expectObservable(cold<EventBatch>("--|").pipe(counts)).toBe("--(r|)", { r: "0/0" });
    });
  });

  it("passes errors on without a result, emits nothing for a source that never completes, unsubscribes", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold("a-#", { a: reads([0, 8]) }).pipe(counts)).toBe("--#");
      expectObservable(cold("a-", { a: reads([0, 8]) }).pipe(counts)).toBe("--");
      const src = cold("a-a-|", { a: reads([0, 8]) });
      expectObservable(src.pipe(counts), "^-!").toBe("--");
      expectSubscriptions(src.subscriptions).toBe("^-!");
    });
  });

  it("makes a fresh accumulator per subscription, not when the operator is created", () => {
    let made = 0;
    const op = foldBatches(
      () => {
        made++;
        return new Counter();
      },
      (c) => c.events,
    );
    expect(made).toBe(0);
    sched().run(({ cold, expectObservable }) => {
      const src = cold("a|", { a: reads([0, 8], [8, 8]) });
      expectObservable(src.pipe(op)).toBe("-(r|)", { r: 2 });
      expectObservable(src.pipe(op)).toBe("-(r|)", { r: 2 });
    });
    expect(made).toBe(2);
  });

  it("turns an accumulator that throws into an error notification", async () => {
    const failing = foldBatches(
      () => ({
        add(): void {
          throw new RangeError("bad batch");
        },
      }),
      () => "never",
    );
    await expect(firstValueFrom(from([reads([0, 8])]).pipe(failing))).rejects.toThrow("bad batch");
  });

  it("counts a real trace: pressure-frag.bin has 2,773 records", async () => {
    const total = await firstValueFrom(from([decodedFixture("pressure-frag")]).pipe(counts));
    expect(total).toBe("2773/1");
  });
});
