import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { type EventBatch, GAP_CLASSES, NO_GAP } from "../../model/batch.js";
import { classifyGaps, classOf } from "../../operators/classifyGaps.js";
import { reads } from "../helpers/events.js";

const sched = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const names = (c: number) => (c === NO_GAP ? "-" : GAP_CLASSES[c]);
const classes = map((b: EventBatch) => Array.from(b.gaps?.physicalClass ?? []).map(names));

describe("classifyGaps", () => {
  it("classifies gaps across batch boundaries with the default thresholds", () => {
    sched().run(({ cold, expectObservable }) => {
      // ends: 108; 108 seq; 116 → +100 small (≤256); 216 → +300 medium; 524 → +5000 large; then backward.
      const a = reads([100, 8], [108, 8]);
      const b = reads([216, 8], [524, 8], [5532, 8], [0, 8]);
      expectObservable(cold("a-b|", { a, b }).pipe(classifyGaps(), classes)).toBe("x-y|", {
        x: ["-", "sequential"],
        y: ["small", "medium", "large", "backward"],
      });
    });
  });

  it("uses custom thresholds and keeps state per subscription", () => {
    sched().run(({ cold, expectObservable }) => {
      const src = cold("a|", { a: reads([0, 8], [40, 8]) });
      const op = classifyGaps({ small: 16, medium: 64 });
      expectObservable(src.pipe(op, classes)).toBe("x|", { x: ["-", "medium"] });
      expectObservable(src.pipe(op, classes)).toBe("x|", { x: ["-", "medium"] });
    });
  });

  it("passes errors and empty sources; unsubscribes early", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<EventBatch>("#").pipe(classifyGaps())).toBe("#");
      expectObservable(cold<EventBatch>("|").pipe(classifyGaps())).toBe("|");
      const src = cold("a-a-|", { a: reads([0, 8]) });
      expectObservable(src.pipe(classifyGaps(), classes), "^-!").toBe("x-", { x: ["-"] });
      expectSubscriptions(src.subscriptions).toBe("^-!");
    });
  });

  it("classOf follows the spec's boundaries", () => {
    expect([0, -1, 1, 256, 257, 2048, 2049].map((g) => GAP_CLASSES[classOf(g, 256, 2048)])).toEqual([
      "sequential",
      "backward",
      "small",
      "small",
      "medium",
      "medium",
      "large",
    ]);
  });

  it("refuses thresholds where medium < small", () => {
    expect(() => classifyGaps({ small: 10, medium: 5 })).toThrow(RangeError);
  });
});
