import { readFileSync } from "node:fs";
import fc from "fast-check";
import { firstValueFrom, from, identity, lastValueFrom, map, type Observable, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import type { Direction } from "../../model/analysisSettings.js";
import type { EventBatch } from "../../model/batch.js";
import { parseFilefrag } from "../../model/fileMap.js";
import { contractOf } from "../../model/summary.js";
import { classifyGaps } from "../../operators/classifyGaps.js";
import { sectorRange } from "../../operators/sectorRange.js";
import { select } from "../../operators/select.js";
import { dedup, summarize } from "../../operators/summarize.js";
import { fromTrace } from "../../sources/fromTrace.js";
import { CASES, type FixtureCase } from "../helpers/cases.js";
import { reads } from "../helpers/events.js";
import { FIXTURES } from "../helpers/fixtures.js";

const sched = () => new TestScheduler((a, b) => expect(a).toEqual(b));

/** A fixture case's file map, as `analyze --extents ... --partition-start ... [--file-size ...]` builds it. */
function caseFileMap(c: FixtureCase) {
  const o = c.options;
  if (!o.extents) return undefined;
  return parseFilefrag(readFileSync(`${FIXTURES}/${o.extents}`, "utf8"), {
    partitionStart: o.partitionStart ?? 0,
    ...(o.fileSize !== undefined ? { fileSize: o.fileSize } : {}),
  });
}

/** The analysis chain of a case built from the operators themselves (select, sectorRange, classifyGaps). */
function analyzedCase(c: FixtureCase): { batches: Observable<EventBatch>; fileMap: ReturnType<typeof caseFileMap> } {
  const o = c.options;
  const fileMap = caseFileMap(c);
  const batches = fromTrace(c.inputs.map((i) => `${FIXTURES}/${i}`)).pipe(
    select({ action: o.action ?? "D", rw: (o.rw ?? "read") as Direction }),
    fileMap ? sectorRange(fileMap) : identity,
    classifyGaps({ ...(o.small !== undefined ? { small: o.small } : {}), ...(o.medium ? { medium: o.medium } : {}) }),
  );
  return { batches, fileMap };
}

/** Batches with gap columns, as summarize expects them. */
const gapped = (...batches: EventBatch[]): Promise<EventBatch[]> =>
  lastValueFrom(from(batches).pipe(classifyGaps(), toArray()));

describe("summarize", () => {
  for (const c of CASES) {
    it(`gives cases.json's numbers for ${c.name}`, async () => {
      const { batches, fileMap } = analyzedCase(c);
      const summary = await firstValueFrom(batches.pipe(summarize(fileMap ? { fileMap } : {})));
      expect(contractOf(summary)).toEqual(contractOf(c.expected));
    });
  }

  it("emits one summary when the source completes, and the all-zero summary for an empty source", () => {
    sched().run(({ cold, expectObservable }) => {
      const events = map((s: { events: number; readBytes: number }) => [s.events, s.readBytes]);
      const a = reads([0, 8]);
      const b = reads([8, 8], [100, 16]);
      const gaps = classifyGaps();
      expectObservable(cold("a-b--|", { a, b }).pipe(gaps, summarize(), events)).toBe("-----(s|)", {
        s: [3, 32 * 512],
      });
      expectObservable(cold<EventBatch>("---|").pipe(summarize(), events)).toBe("---(s|)", { s: [0, 0] });
    });
  });

  it("passes errors on, never completes for a source that never does, and unsubscribes from the source", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<EventBatch>("--#").pipe(summarize())).toBe("--#");
      expectObservable(cold<EventBatch>("-").pipe(summarize())).toBe("-");
      const src = cold("a-a-a-|", { a: reads([0, 8]) });
      expectObservable(src.pipe(classifyGaps(), summarize()), "^--!").toBe("---");
      expectSubscriptions(src.subscriptions).toBe("^--!");
    });
  });

  it("keeps its state per subscription: two subscribers each get the whole count", async () => {
    const batches = await gapped(reads([0, 8], [8, 8]), reads([0, 8]));
    const summarized = from(batches).pipe(summarize());
    const [first, second] = await Promise.all([firstValueFrom(summarized), firstValueFrom(summarized)]);
    expect([first.events, first.uniqueSectors, first.readBytes]).toEqual([3, 16, 24 * 512]);
    expect(second).toEqual(first);
  });

  it("counts re-reads in readBytes but once in uniqueBytes; gaps by class", async () => {
    // 0+8; 8+8 sequential; 0+8 backward; 1000+8 is 992 sectors on (medium: 257..2048); 1008+8 sequential.
    const batches = await gapped(reads([0, 8], [8, 8], [0, 8], [1000, 8], [1008, 8]));
    const s = await firstValueFrom(from(batches).pipe(summarize()));
    expect(s.readBytes).toBe(40 * 512);
    expect(s.uniqueSectors).toBe(32);
    expect(s.uniqueBytes).toBe(32 * 512);
    expect([s.fileBytes, s.coverage, s.extents]).toEqual([null, null, null]);
    expect(s.gaps.physical).toEqual({ sequential: 2, small: 0, medium: 1, large: 0, backward: 1 });
    expect(s.durationNs).toBe(4);
  });

  it("adds the source's lenient skip count as `skipped`", async () => {
    const batches = await gapped(reads([0, 8]));
    const s = await firstValueFrom(from(batches).pipe(summarize({ skips: { skipped: 3, reasons: [] } })));
    expect(s.skipped).toBe(3);
  });

  it("refuses batches without gap columns with an error notification that names classifyGaps", async () => {
    await expect(firstValueFrom(from([reads([0, 8])]).pipe(summarize()))).rejects.toThrow(/classifyGaps/);
  });

  it("counts unique sectors like a naive set of every sector read, whatever the batching", () => {
    const request = fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 64 }));
    fc.assert(
      fc.asyncProperty(fc.array(fc.array(request, { maxLength: 20 }), { maxLength: 6 }), async (groups) => {
        const batches = await gapped(...groups.map((g) => reads(...g)));
        const s = await firstValueFrom(from(batches).pipe(summarize()));
        const naive = new Set<number>();
        let read = 0;
        for (const [start, n] of groups.flat()) {
          read += n;
          for (let x = start; x < start + n; x++) naive.add(x);
        }
        expect([s.events, s.readBytes, s.uniqueSectors]).toEqual([groups.flat().length, read * 512, naive.size]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("dedup", () => {
  it("emits running totals after every batch", () => {
    sched().run(({ cold, expectObservable }) => {
      const a = reads([0, 8], [8, 8]);
      const b = reads([0, 8]);
      const c = reads([100, 4]);
      expectObservable(cold("a-b-c|", { a, b, c }).pipe(dedup())).toBe("a-b-c|", {
        a: { uniqueSectors: 16, readSectors: 16, coverage: null },
        b: { uniqueSectors: 16, readSectors: 24, coverage: null },
        c: { uniqueSectors: 20, readSectors: 28, coverage: null },
      });
    });
  });

  it("passes errors and empty sources; state is per subscription", () => {
    sched().run(({ cold, expectObservable }) => {
      expectObservable(cold<EventBatch>("-#").pipe(dedup())).toBe("-#");
      expectObservable(cold<EventBatch>("-|").pipe(dedup())).toBe("-|");
      const src = cold("a|", { a: reads([0, 8]) });
      const op = dedup();
      const once = { a: { uniqueSectors: 8, readSectors: 8, coverage: null } };
      expectObservable(src.pipe(op)).toBe("a|", once);
      expectObservable(src.pipe(op)).toBe("a|", once);
    });
  });

  for (const c of CASES.filter((k) => k.options.extents && !k.options.action)) {
    it(`ends at summarize's unique sectors and coverage on ${c.name}`, async () => {
      const { batches, fileMap } = analyzedCase(c);
      const totals = await lastValueFrom(batches.pipe(dedup(fileMap)));
      expect(totals.uniqueSectors).toBe(c.expected.uniqueSectors);
      expect(totals.readSectors * 512).toBe(c.expected.readBytes);
      expect(totals.coverage).toBe(c.expected.coverage);
    });
  }

  it("needs no gap columns: it reads the selection alone", async () => {
    const totals = await lastValueFrom(from([reads([0, 8], [4, 8])]).pipe(dedup()));
    expect(totals).toEqual({ uniqueSectors: 12, readSectors: 16, coverage: null });
  });
});
