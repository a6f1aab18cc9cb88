import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../model/batch.js";
import { batchOf } from "../../model/event.js";
import { GGML_TYPES } from "../../model/ggmlTypes.js";
import type { GgufLayout } from "../../model/ggufLayout.js";
import { LayerTimeGrid } from "../../operators/layerTimeGrid.js";
import { ev } from "../helpers/events.js";

/** Tensor i is layer i's only tensor, `gap` bytes after the previous one. */
function layoutOf(header: number, tensors: [gap: number, bytes: number][]): GgufLayout {
  let at = header;
  const placed = tensors.map(([gap, bytes], i) => {
    at += i === 0 ? 0 : gap;
    const t = { name: `blk.${i}.attn_q.weight`, type: GGML_TYPES.F32, shape: [1], offset: at, bytes };
    at += bytes;
    return t;
  });
  return { dataStart: header, alignment: 1, tensors: placed, fileBytes: at };
}

type Ev = { time: number; pieces: [number, number][] };

function batchWithPieces(events: Ev[]): EventBatch {
  const base = batchOf(events.map((e) => ev(e.pieces[0]?.[0] ?? 0, 8, { time: e.time })));
  const first = new Uint32Array(events.length + 1);
  events.forEach((e, i) => {
    first[i + 1] = (first[i] as number) + e.pieces.length;
  });
  const all = events.flatMap((e) => e.pieces);
  return {
    ...base,
    pieces: { first, start: Float64Array.from(all.map((p) => p[0])), sectors: Float64Array.from(all.map((p) => p[1])) },
  };
}

describe("LayerTimeGrid", () => {
  it("property: every byte lands in its layer's row (else 'other') and its time's bucket, whatever the batching and bucket merges", () => {
    const arb = fc
      .record({
        header: fc.integer({ min: 1, max: 3000 }),
        tensors: fc.array(fc.tuple(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 4000 })), {
          minLength: 1,
          maxLength: 6,
        }),
      })
      .map(({ header, tensors }) => layoutOf(header, tensors))
      .chain((layout) =>
        fc.tuple(
          fc.constant(layout),
          fc.array(
            fc.record({
              time: fc.nat(100_000),
              pieces: fc.array(
                fc.tuple(
                  fc.integer({ min: 0, max: Math.ceil(layout.fileBytes / 512) + 3 }),
                  fc.integer({ min: 1, max: 9 }),
                ),
                { minLength: 1, maxLength: 3 },
              ),
            }),
            { maxLength: 30 },
          ),
          fc.integer({ min: 1, max: 7 }),
        ),
      );
    fc.assert(
      fc.property(arb, ([layout, events, cut]) => {
        const grid = new LayerTimeGrid(layout, 4, 1000);
        for (let i = 0; i < events.length; i += cut) grid.add(batchWithPieces(events.slice(i, i + cut)));
        const g = grid.result();
        const n = layout.tensors.length;
        expect(g.rows).toEqual([...Array.from({ length: n }, (_, i) => String(i)), "other"]);
        const want = new Float64Array(g.bytes.length);
        for (const e of events) {
          const bucket = Math.floor(e.time / g.bucketNs);
          expect(bucket).toBeLessThan(4);
          for (const [s, k] of e.pieces)
            for (let byte = s * 512; byte < (s + k) * 512; byte++) {
              const row = layout.tensors.findIndex((t) => byte >= t.offset && byte < t.offset + t.bytes);
              const c = bucket * (n + 1) + (row < 0 ? n : row);
              want[c] = (want[c] as number) + 1;
            }
        }
        expect(Array.from(g.bytes)).toEqual(Array.from(want));
      }),
      { numRuns: 200 },
    );
  });
});
