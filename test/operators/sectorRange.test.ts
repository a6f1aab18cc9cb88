import { readFileSync } from "node:fs";
import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../model/batch.js";
import { parseFilefrag } from "../../model/fileMap.js";
import { sectorRange } from "../../operators/sectorRange.js";
import { FIXTURES } from "../helpers/cli.js";
import { reads } from "../helpers/events.js";

const frag = parseFilefrag(readFileSync(`${FIXTURES}/frag.filefrag.txt`, "utf8"), { partitionStart: 2048 });
const sched = () => new TestScheduler((a, b) => expect(a).toEqual(b));
const pieces = map((b: EventBatch) => {
  const p = b.pieces;
  if (!p) return [];
  return Array.from(b.sector).map((s, i) => ({
    sector: s,
    pieces: Array.from({ length: (p.first[i + 1] as number) - (p.first[i] as number) }, (_, k) => [
      p.start[(p.first[i] as number) + k],
      p.sectors[(p.first[i] as number) + k],
    ]),
  }));
});

describe("sectorRange", () => {
  // Extent 0: file blocks 0..2047 at fs blocks 120832.. → device sector 2048 + 120832*8 = 968704, 16384 sectors.
  // Extent 1: file blocks 2048.. at fs block 141312 → device sector 1132544.
  it("maps device sectors to file offsets and drops events outside the file", () => {
    sched().run(({ cold, expectObservable }) => {
      const batch = reads([968704, 8], [5, 8], [968704 + 16384 - 8, 8], [1132544, 16]);
      expectObservable(cold("a|", { a: batch }).pipe(sectorRange(frag), pieces)).toBe("x|", {
        x: [
          { sector: 968704, pieces: [[0, 8]] },
          { sector: 968704 + 16376, pieces: [[16376, 8]] },
          { sector: 1132544, pieces: [[16384, 16]] },
        ],
      });
    });
  });

  it("splits an event that straddles two extents and clips the file's tail", () => {
    // Two extents adjacent on disk but not in the file (block 2 is a hole), so they stay two extents.
    const map2 = parseFilefrag(
      "File size of f is 24000 (6 blocks of 4096 bytes)\n 0: 0.. 1: 100.. 101: 2:\n 1: 3.. 5: 102.. 104: 3: last,eof\n",
      { partitionStart: 0 },
    );
    sched().run(({ cold, expectObservable }) => {
      // file sectors = ceil(24000/512) = 47; blocks 102..104 → file sectors 24..47, the last one is not data.
      const batch = reads([808, 16], [832, 16]);
      expectObservable(cold("a|", { a: batch }).pipe(sectorRange(map2), pieces)).toBe("x|", {
        x: [
          {
            sector: 808,
            pieces: [
              [8, 8],
              [24, 8],
            ],
          },
          { sector: 832, pieces: [[40, 7]] },
        ],
      });
    });
  });

  it("passes errors, completes on empty, and drops batches with nothing in range", () => {
    sched().run(({ cold, expectObservable }) => {
      expectObservable(cold("a-#", { a: reads([1, 8]) }).pipe(sectorRange(frag))).toBe("--#");
      expectObservable(cold<EventBatch>("|").pipe(sectorRange(frag))).toBe("|");
    });
  });

  it("unsubscribes early", () => {
    sched().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold("a-a-|", { a: reads([968704, 8]) });
      expectObservable(
        src.pipe(
          sectorRange(frag),
          map((b) => b.length),
        ),
        "^-!",
      ).toBe("x-", { x: 1 });
      expectSubscriptions(src.subscriptions).toBe("^-!");
    });
  });
});
