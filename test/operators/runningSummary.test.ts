import { readFileSync } from "node:fs";
import { join } from "node:path";
import { firstValueFrom, last, map, share, zip } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../model/batch.js";
import { parseFilefrag } from "../../model/fileMap.js";
import { classifyGaps } from "../../operators/classifyGaps.js";
import { runningSummary } from "../../operators/runningSummary.js";
import { summarize } from "../../operators/summarize.js";
import { analyzeEvents } from "../../pipeline/analyze.js";
import { fromTrace } from "../../sources/fromTrace.js";
import { FIXTURES } from "../helpers/cli.js";
import { reads } from "../helpers/events.js";

const sched = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const counts = map((s: { events: number; readBytes: number; gaps: { physical: { small: number } } }) => [
  s.events,
  s.readBytes,
  s.gaps.physical.small,
]);

describe("runningSummary", () => {
  it("starts with the all-zero summary, then gives the totals so far after each batch", () => {
    sched().run(({ cold, expectObservable }) => {
      const a = reads([100, 8], [108, 8]);
      const b = reads([216, 8]); // +100 sectors after 116: a small gap
      const src = cold("a-----b|", { a, b }).pipe(classifyGaps(), runningSummary(), counts);
      expectObservable(src).toBe("(za)--b|", { z: [0, 0, 0], a: [2, 8192, 0], b: [3, 12288, 1] });
    });
  });

  it("keeps state per subscription, passes errors on and stops when unsubscribed", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-----a|", { a: reads([0, 8]) });
      const op = src.pipe(
        classifyGaps(),
        runningSummary(),
        map((s) => s.events),
      );
      expectObservable(op).toBe("(zx)--y|", { z: 0, x: 1, y: 2 });
      expectObservable(op).toBe("(zx)--y|", { z: 0, x: 1, y: 2 });
      expectObservable(
        cold<EventBatch>("#").pipe(
          runningSummary(),
          map((s) => s.events),
        ),
      ).toBe("(z#)", { z: 0 });
      const long = cold("a-a-a|", { a: reads([0, 8]) });
      expectObservable(
        long.pipe(
          classifyGaps(),
          runningSummary(),
          map((s) => s.events),
        ),
        "^-!",
      ).toBe("(zx)-", {
        z: 0,
        x: 1,
      });
      expectSubscriptions(long.subscriptions).toBe("^-!");
    });
  });

  it("ends on exactly what summarize gives for a real trace with a file map", async () => {
    const fileMap = parseFilefrag(readFileSync(join(FIXTURES, "frag.filefrag.txt"), "utf8"), {
      partitionStart: Number(readFileSync(join(FIXTURES, "partition-start.txt"), "utf8").trim()),
    });
    const analyzed = fromTrace([join(FIXTURES, "mmap-frag.bin")]).pipe(analyzeEvents({ fileMap }), share());
    const [running, whole] = await firstValueFrom(
      zip(analyzed.pipe(runningSummary({ fileMap }), last()), analyzed.pipe(summarize({ fileMap }))),
    );
    expect(whole.events).toBeGreaterThan(0);
    expect(whole.coverage).not.toBeNull();
    expect(running).toEqual(whole);
  });
});
