import fc from "fast-check";
import { firstValueFrom, from, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { Act, Cat, makeDevice } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { type BlockEvent, batchOf } from "../../model/event.js";
import { select, selectionFilter } from "../../operators/select.js";
import { SelectionTally } from "../../operators/selectionTally.js";

const ACTIONS = [Act.QUEUE, Act.ISSUE, Act.COMPLETE, Act.BACKMERGE, Act.GETRQ, Act.INSERT, Act.PLUG, Act.SPLIT];
/** Letters blkparse prints, written out as the readable reference's table (spec: Events). */
const CODE_OF: Record<string, number> = {
  Q: Act.QUEUE,
  M: Act.BACKMERGE,
  F: Act.FRONTMERGE,
  G: Act.GETRQ,
  I: Act.INSERT,
  D: Act.ISSUE,
  C: Act.COMPLETE,
  P: Act.PLUG,
  X: Act.SPLIT,
  B: Act.BOUNCE,
  A: Act.REMAP,
};
/** `--action` values: one letter, a comma list (any order, repeats allowed), or all. */
const selectionArb = fc.oneof(
  fc.constantFrom("Q", "D", "C"),
  fc.constant("all"),
  fc.array(fc.constantFrom(...Object.keys(CODE_OF)), { minLength: 1, maxLength: 5 }).map((l) => l.join(",")),
);
/** The codes a selection names, by the spec's words (all = Q,G,I,D,C,M,F,A,B). */
const codesOf = (selection: string): number[] =>
  (selection === "all" ? "Q,G,I,D,C,M,F,A,B" : selection).split(",").map((l) => CODE_OF[l] as number);
const CATS = [0, Cat.READ, Cat.WRITE, Cat.DISCARD, Cat.NOTIFY, Cat.WRITE | Cat.SYNC, Cat.AHEAD | Cat.READ];
const DEVICES = [makeDevice(7, 0), makeDevice(8, 0), makeDevice(259, 1)];

const eventsArb = fc.array(
  fc.record({
    code: fc.constantFrom(...ACTIONS),
    cats: fc.constantFrom(...CATS),
    bytes: fc.constantFrom(0, 511, 512, 4096),
    device: fc.constantFrom(...DEVICES),
  }),
  { maxLength: 200 },
);

function eventOf(r: { code: number; cats: number; bytes: number; device: number }, i: number): BlockEvent {
  return {
    device: { major: r.device >>> 20, minor: r.device & 0xfffff },
    cpu: 0,
    sequence: i,
    time: i,
    pid: 1,
    action: "",
    rwbs: "",
    code: (r.code | r.cats) >>> 0,
    sector: i * 8,
    sectors: 0,
    bytes: r.bytes,
    error: 0,
  };
}

/** The readable reference: the spec's selection, one event at a time. */
function reference(events: BlockEvent[], actions: number[], rw: "read" | "write" | "any", device: number | undefined) {
  const isNotify = (e: BlockEvent) => (e.code & Cat.NOTIFY) !== 0;
  const blockEvents = events.filter((e) => !isNotify(e));
  const ofAction = blockEvents.filter((e) => actions.includes(e.code & 0xffff));
  const selected = ofAction.filter((e) => {
    if ((e.code & Cat.DISCARD) !== 0 || e.bytes < 512) return false;
    const write = (e.code & Cat.WRITE) !== 0;
    return rw === "any" || (rw === "write") === write;
  });
  const dev = (e: BlockEvent) => makeDevice(e.device.major, e.device.minor);
  const kept = selected.filter((e) => device === undefined || dev(e) === device);
  const perDevice = new Map<number, number>();
  for (const e of selected) perDevice.set(dev(e), (perDevice.get(dev(e)) ?? 0) + 1);
  return {
    kept: kept.map((e) => e.sequence),
    counts: [blockEvents.length, ofAction.length, selected.length, kept.length],
    perDevice: [...perDevice].map(([d, n]) => ({ device: d, events: n })),
  };
}

async function run(batches: EventBatch[], options: Parameters<typeof select>[0]): Promise<number[]> {
  const out = await firstValueFrom(from(batches).pipe(select(options), toArray()));
  return out.flatMap((b) => Array.from(b.sequence));
}

describe("select with a device and a tally against a readable reference", () => {
  it("keeps the reference's events (one action, a comma list or all) and counts what the reference counts, in any batching", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        selectionArb,
        fc.constantFrom("read", "write", "any") as fc.Arbitrary<"read" | "write" | "any">,
        fc.option(fc.constantFrom(...DEVICES), { nil: undefined }),
        fc.integer({ min: 1, max: 50 }),
        async (rows, letter, rw, device, size) => {
          const events = rows.map(eventOf);
          const batches: EventBatch[] = [];
          for (let i = 0; i < events.length; i += size) batches.push(batchOf(events.slice(i, i + size)));
          const want = reference(events, codesOf(letter), rw, device);
          const tally = new SelectionTally();
          const options = { action: letter, rw, tally, ...(device !== undefined ? { device } : {}) };
          expect(await run(batches, options)).toEqual(want.kept);
          expect([tally.events, tally.ofAction, tally.selected, tally.onDevice]).toEqual(want.counts);
          expect(tally.deviceCounts()).toEqual(want.perDevice);

          // The decoder pushdown: records selectionFilter rejects never reach select; the counts are the same.
          const pushed = new SelectionTally();
          const keep = selectionFilter({ action: letter, rw, tally: pushed });
          const passed = events.filter((e) => keep(e.code, e.bytes) || (e.code & Cat.NOTIFY) !== 0);
          const passedBatches = passed.length > 0 ? [batchOf(passed)] : [];
          expect(await run(passedBatches, { ...options, tally: pushed })).toEqual(want.kept);
          expect([pushed.events, pushed.ofAction, pushed.selected, pushed.onDevice]).toEqual(want.counts);
        },
      ),
      { numRuns: 300 },
    );
  });
});
