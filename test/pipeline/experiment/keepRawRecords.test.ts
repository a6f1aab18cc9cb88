import { lastValueFrom, Subject, toArray } from "rxjs";
import { describe, expect, it, vi } from "vitest";
import type { EventBatch } from "../../../model/batch.js";
import { keepRawRecords } from "../../../pipeline/experiment/keepRawRecords.js";
import { collectEvery, LIVE_COLLECT_ROWS } from "../../../pipeline/experiment/leanMemory.js";
import type { LiveStats } from "../../../sources/liveFraming.js";
import { reads } from "../../helpers/events.js";

// Spy on collectEvery (the real one still runs) to see that the step collects every LIVE_COLLECT_ROWS events.
vi.mock("../../../pipeline/experiment/leanMemory.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../pipeline/experiment/leanMemory.js")>();
  return { ...real, collectEvery: vi.fn(real.collectEvery) };
});

/** A store and a trace file that record what they were given. */
function fakes() {
  const stored: EventBatch[] = [];
  const written: [EventBatch, bigint][] = [];
  return {
    stored,
    written,
    store: { appendRaw: (b: EventBatch) => stored.push(b) },
    saved: { write: (b: EventBatch, baseNs: bigint) => written.push([b, baseNs]) },
  };
}

describe("keepRawRecords", () => {
  it("stores and saves each batch as it arrives, on the kernel's clock once the first record is known", async () => {
    const stats: Pick<LiveStats, "firstRecordNs"> = {};
    const { stored, written, store, saved } = fakes();
    const source = new Subject<EventBatch>();
    const out = lastValueFrom(source.pipe(keepRawRecords(stats, store, saved), toArray()));
    const a = reads([0, 8], [8, 8]);
    const b = reads([100, 16]);
    const c = reads([200, 8], [208, 8], [216, 8]);
    source.next(a);
    expect(stored).toEqual([a]); // not held back: stored before the next batch comes
    stats.firstRecordNs = 5_000_000_123; // the live source learns it from the first record
    source.next(b);
    source.next(c);
    source.complete();
    const passed = await out;
    expect(passed).toHaveLength(3);
    expect(passed[0]).toBe(a);
    expect(passed[1]).toBe(b);
    expect(passed[2]).toBe(c);
    expect(stored).toHaveLength(3);
    expect(stored[2]).toBe(c);
    expect(written.map(([batch, baseNs]) => [batch.length, baseNs])).toEqual([
      [2, 1_000_000_000n],
      [1, 5_000_000_123n],
      [3, 5_000_000_123n],
    ]);
    expect(written[1]?.[0]).toBe(b);
  });

  it("passes batches on unchanged without a store or a trace file (--no-db, no --save-trace)", async () => {
    const a = reads([0, 8]);
    const source = new Subject<EventBatch>();
    const out = lastValueFrom(source.pipe(keepRawRecords({}, undefined, undefined), toArray()));
    source.next(a);
    source.complete();
    expect(await out).toEqual([a]);
  });

  it("collects garbage every LIVE_COLLECT_ROWS events", () => {
    vi.mocked(collectEvery).mockClear();
    keepRawRecords({}, undefined, undefined);
    expect(vi.mocked(collectEvery).mock.calls).toEqual([[LIVE_COLLECT_ROWS]]);
  });

  it("turns a failing store into an error notification", async () => {
    const broken = {
      appendRaw: () => {
        throw new Error("disk full");
      },
    };
    const source = new Subject<EventBatch>();
    const out = lastValueFrom(source.pipe(keepRawRecords({}, broken, undefined)));
    source.next(reads([0, 8]));
    await expect(out).rejects.toThrow("disk full");
  });
});
