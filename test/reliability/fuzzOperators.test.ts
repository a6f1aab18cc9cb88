import fc from "fast-check";
import { firstValueFrom, from, toArray } from "rxjs";
import { afterAll, describe, expect, it } from "vitest";
import { Act, Cat } from "../../model/actions.js";
import { InputError } from "../../model/errors.js";
import { type BlockEvent, batchOf } from "../../model/event.js";
import { deviceRuns, type FileMap, parseFilefrag } from "../../model/fileMap.js";
import type { GapCounts } from "../../model/summary.js";
import { latencySummary } from "../../operators/latencySummary.js";
import { requestLifecycle } from "../../operators/requestLifecycle.js";
import { analyze } from "../../pipeline/analyze.js";
import { FC_SEED, fixtureBytes, SOAK } from "./helpers.js";

/**
 * Operators on hostile event streams: random actions, flags, sizes (0, odd
 * byte counts, up to 4 GiB) and sectors (up to 2^50), random file maps.
 * The analysis must equal a naive reference written from spec/metrics.md,
 * and the latency operators must finish without throwing.
 */
const RUNS = SOAK ? 3000 : 200;
let fuzzed = 0;
afterAll(() => console.log(`fuzzOperators: ${fuzzed} fuzzed event streams and listings`));

const ACTIONS = [Act.QUEUE, Act.GETRQ, Act.INSERT, Act.ISSUE, Act.COMPLETE, Act.BACKMERGE, Act.REMAP, Act.SPLIT];
const CATS = [0, Cat.READ, Cat.WRITE, Cat.DISCARD, Cat.NOTIFY, Cat.SYNC, Cat.AHEAD | Cat.READ, Cat.FLUSH];

const eventsArb = (base: number) =>
  fc
    .array(
      fc.record({
        code: fc.constantFrom(...ACTIONS),
        cats: fc.constantFrom(...CATS),
        sector: fc.nat({ max: 6000 }),
        bytes: fc.oneof(fc.constantFrom(0, 511, 512, 4096, 131072), fc.nat({ max: 600_000 })),
        dt: fc.nat({ max: 100_000 }),
        device: fc.constantFrom(0, 1),
        pid: fc.nat({ max: 3 }),
      }),
      { maxLength: 120 },
    )
    .map((rows) => {
      let time = 0;
      return rows.map((r): BlockEvent => {
        time += r.dt;
        return {
          device: { major: 7, minor: r.device },
          cpu: 0,
          sequence: 0,
          time,
          pid: r.pid,
          action: "",
          rwbs: "",
          code: (r.code | r.cats) >>> 0,
          sector: base + r.sector,
          sectors: 0,
          bytes: r.bytes,
          error: 0,
        };
      });
    });

/** A file of up to 8 extents of 4 KiB blocks, logically contiguous, placed anywhere in the first 6000 sectors. */
const fileMapArb: fc.Arbitrary<FileMap> = fc
  .record({
    lengths: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    partitionStart: fc.constantFrom(0, 8, 2048),
    tail: fc.nat({ max: 4095 }),
  })
  .map(({ lengths, order, partitionStart, tail }) => {
    // Place the extents at distinct physical slots of 64 blocks, in a shuffled order.
    const slots = lengths.map((_, i) => i).sort((a, b) => (order[a] ?? 0) - (order[b] ?? 0) || a - b);
    let logical = 0;
    const extents = lengths.map((length, i) => {
      const e = { logical, physical: (slots[i] as number) * 64, length };
      logical += length;
      return e;
    });
    return { extents, blockSize: 4096, partitionStart, fileSize: Math.max(1, logical * 4096 - tail) };
  });

function classOf(gap: number, small: number, medium: number): keyof GapCounts {
  if (gap === 0) return "sequential";
  if (gap < 0) return "backward";
  if (gap <= small) return "small";
  return gap <= medium ? "medium" : "large";
}

/** spec/metrics.md computed the slow, obvious way. */
function reference(events: BlockEvent[], map: FileMap | undefined, small: number, medium: number) {
  const zero = (): GapCounts => ({ sequential: 0, small: 0, medium: 0, large: 0, backward: 0 });
  const out = { events: 0, readBytes: 0, unique: new Set<number>(), physical: zero(), logical: zero() };
  const runs = map ? deviceRuns(map) : undefined;
  let prev: { start: number; end: number; lStart: number; lEnd: number } | undefined;
  for (const e of events) {
    const c = e.code;
    const isRead = (c & Cat.WRITE) === 0;
    if ((c & 0xffff) !== Act.ISSUE || c & Cat.NOTIFY || c & Cat.DISCARD || e.bytes < 512 || !isRead) continue;
    const n = Math.floor(e.bytes / 512);
    const pieces: [number, number][] = [];
    if (runs) {
      for (const r of runs) {
        const lo = Math.max(e.sector, r.device);
        const hi = Math.min(e.sector + n, r.device + r.sectors);
        if (hi > lo) pieces.push([r.file + lo - r.device, hi - lo]);
      }
      if (pieces.length === 0) continue;
    } else pieces.push([e.sector, n]);
    out.events++;
    for (const [f, len] of pieces) {
      out.readBytes += len * 512;
      for (let s = f; s < f + len; s++) out.unique.add(s);
    }
    const cur = {
      start: e.sector,
      end: e.sector + n,
      lStart: Math.min(...pieces.map((p) => p[0])),
      lEnd: Math.max(...pieces.map((p) => p[0] + p[1])),
    };
    if (prev) {
      out.physical[classOf(cur.start - prev.end, small, medium)]++;
      out.logical[classOf(cur.lStart - prev.lEnd, small, medium)]++;
    }
    prev = cur;
  }
  return out;
}

describe("analysis operators against a naive reference", () => {
  it("random events and file maps: events, bytes, unique sectors and both gap mixes match", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(eventsArb(0), fc.option(fileMapArb, { nil: undefined })),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 3000 }),
        async ([events, fileMap], split, small, extra) => {
          fuzzed++;
          const medium = small + extra;
          const batches = [];
          for (let i = 0; i < events.length; i += split) batches.push(batchOf(events.slice(i, i + split)));
          const s = await analyze(from(batches), { small, medium, ...(fileMap ? { fileMap } : {}) });
          const ref = reference(events, fileMap, small, medium);
          expect(s.events).toBe(ref.events);
          expect(s.readBytes).toBe(ref.readBytes);
          expect(s.uniqueSectors).toBe(ref.unique.size);
          expect(s.uniqueBytes).toBe(ref.unique.size * 512);
          expect(s.gaps.physical).toEqual(ref.physical);
          expect(s.gaps.logical).toEqual(ref.logical);
          if (fileMap) expect(s.coverage).toBe(ref.unique.size / Math.ceil(fileMap.fileSize / 512));
        },
      ),
      { numRuns: RUNS, ...FC_SEED },
    );
  });

  it("sectors near 2^53 (no file map): exact unique counts, no exception", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 53 - 2 ** 21 }).chain(eventsArb), async (events) => {
        fuzzed++;
        const s = await analyze(from([batchOf(events)]));
        const ref = reference(events, undefined, 256, 2048);
        expect([s.events, s.readBytes, s.uniqueSectors]).toEqual([ref.events, ref.readBytes, ref.unique.size]);
        expect(s.gaps.physical).toEqual(ref.physical);
      }),
      { numRuns: RUNS, ...FC_SEED },
    );
  });

  it("requestLifecycle and latencySummary finish on any event stream, every group counting non-negative times", async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb(0), async (events) => {
        fuzzed++;
        const reports = await firstValueFrom(
          from([batchOf(events)]).pipe(requestLifecycle(), latencySummary({ by: "direction" }), toArray()),
        );
        expect(reports).toHaveLength(1);
        const text = JSON.stringify(reports[0]);
        expect(text).not.toMatch(/NaN|-\d/);
      }),
      { numRuns: RUNS, ...FC_SEED },
    );
  });
});

describe("filefrag listings", () => {
  const listing = fixtureBytes("frag.filefrag.txt").toString("utf8");
  it("mutated listings give a FileMap or one InputError, never another exception", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 12 }), (p, cut, insert) => {
        fuzzed++;
        const at = p % (listing.length + 1);
        const text = listing.slice(0, at) + insert + listing.slice(at + cut);
        try {
          const map = parseFilefrag(text, { partitionStart: 2048 });
          expect(map.blockSize).toBeGreaterThan(0);
          expect(map.extents.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect((e as Error).message).not.toContain("\n");
        }
      }),
      { numRuns: RUNS * 2, ...FC_SEED },
    );
  });
});
