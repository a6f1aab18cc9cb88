import { describe, expect, it } from "vitest";
import { concatBatches } from "../../model/batch.js";
import { type BlockEvent, eventsOf } from "../../model/event.js";
import { basicStats, decodeFixture, FIXTURES, lifecycleOf, valuesOf } from "./helpers.js";

/**
 * An independent, deliberately naive reference: split each Q at the X
 * events that cut it, pair each piece with the first later D on its device
 * whose range contains it, and that D with the next C of the same device
 * and start sector. O(n²) scans, plain objects, no shared code with the operator.
 */
function referenceLatencies(events: BlockEvent[]): { d2c: number[]; q2c: number[] } {
  const live = events.filter((e) => e.action !== "N" && e.bytes > 0);
  const dev = (e: BlockEvent) => `${e.device.major},${e.device.minor}`;
  interface Piece {
    dev: string;
    start: number;
    end: number;
    q: number;
    at: number;
  }
  const pieces: Piece[] = [];
  live.forEach((e, at) => {
    if (e.action === "Q") pieces.push({ dev: dev(e), start: e.sector, end: e.sector + e.sectors, q: e.time, at });
    if (e.action === "X" && e.payload) {
      const cut = Number(BigInt(`0x${e.payload.slice(0, 16)}`));
      const p = [...pieces]
        .reverse()
        .find((x) => x.dev === dev(e) && x.start === e.sector && x.end > cut && cut > x.start);
      if (p) {
        pieces.push({ ...p, start: cut });
        p.end = cut;
      }
    }
  });
  const d2c: number[] = [];
  const q2c: number[] = [];
  for (const p of pieces) {
    const dAt = live.findIndex(
      (e, i) =>
        i > p.at && e.action === "D" && dev(e) === p.dev && e.sector <= p.start && p.end <= e.sector + e.sectors,
    );
    if (dAt < 0) continue;
    const d = live[dAt] as BlockEvent;
    const c = live.find((e, i) => i > dAt && e.action === "C" && dev(e) === p.dev && e.sector === d.sector);
    if (!c) continue;
    d2c.push(c.time - d.time);
    q2c.push(c.time - p.q);
  }
  return { d2c, q2c };
}

describe("requestLifecycle on the tracefs fixtures (sequence numbers all 0)", () => {
  for (const name of FIXTURES) {
    it(`${name}: D2C and Q2C N/min/mean/max equal a naive D→next-C pairing`, async () => {
      const batches = decodeFixture(name);
      const ref = referenceLatencies(eventsOf(concatBatches(batches)));
      const out = await lifecycleOf(batches);
      const d2c = basicStats(valuesOf(out, "d2c"));
      const q2c = basicStats(valuesOf(out, "q2c"));
      expect(ref.d2c.length).toBeGreaterThan(0);
      expect(d2c).toEqual(basicStats(ref.d2c));
      expect(q2c).toEqual(basicStats(ref.q2c));
    });
  }
});
