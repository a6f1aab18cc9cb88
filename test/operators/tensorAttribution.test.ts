import fc from "fast-check";
import { from, lastValueFrom } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../model/batch.js";
import { batchOf } from "../../model/event.js";
import { GGML_TYPES } from "../../model/ggmlTypes.js";
import type { GgufLayout } from "../../model/ggufLayout.js";
import { TensorAttributionAccumulator, tensorAttribution } from "../../operators/tensorAttribution.js";
import { ev } from "../helpers/events.js";

/** A layout of byte-sized tensors (type and shape do not matter to attribution). */
function layoutOf(header: number, tensors: [gap: number, bytes: number][], tail: number): GgufLayout {
  let at = header;
  const placed = tensors.map(([gap, bytes], i) => {
    at += i === 0 ? 0 : gap;
    const t = { name: `blk.${i}.t${i}.weight`, type: GGML_TYPES.F32, shape: [1], offset: at, bytes };
    at += bytes;
    return t;
  });
  return { dataStart: header, alignment: 1, tensors: placed, fileBytes: at + tail };
}

/** Events as lists of file-sector pieces [start, sectors], with a time each. */
type Ev = { time: number; pieces: [number, number][] };

function batchWithPieces(events: Ev[]): EventBatch {
  const base = batchOf(events.map((e) => ev(e.pieces[0]?.[0] ?? 0, 8, { time: e.time })));
  const first = new Uint32Array(events.length + 1);
  const all = events.flatMap((e) => e.pieces);
  events.forEach((e, i) => {
    first[i + 1] = (first[i] as number) + e.pieces.length;
  });
  return {
    ...base,
    pieces: { first, start: Float64Array.from(all.map((p) => p[0])), sectors: Float64Array.from(all.map((p) => p[1])) },
  };
}

/** The readable reference: every byte looked up in a list of [start, end, name] intervals. */
function naive(layout: GgufLayout, events: Ev[]) {
  const intervals: [number, number, string][] = [];
  const first = layout.tensors[0]?.offset ?? layout.dataStart;
  intervals.push([0, first, "(header)"]);
  let end = first;
  for (const t of layout.tensors) {
    if (t.offset > end) intervals.push([end, t.offset, "(padding)"]);
    intervals.push([t.offset, t.offset + t.bytes, t.name]);
    end = t.offset + t.bytes;
  }
  const regionOf = (byte: number) => intervals.find(([a, b]) => byte >= a && byte < b)?.[2] ?? "(end)";
  const read = new Map<string, number>();
  const unique = new Map<string, Set<number>>();
  const firstRead = new Map<string, number>();
  const transitions = new Map<string, number>();
  let prevEnd = Number.NaN;
  for (const e of events) {
    for (const [s, n] of e.pieces) {
      for (let byte = s * 512; byte < (s + n) * 512; byte++) {
        const r = regionOf(byte);
        read.set(r, (read.get(r) ?? 0) + 1);
        if (!unique.has(r)) unique.set(r, new Set());
        unique.get(r)?.add(byte);
        if (!firstRead.has(r)) firstRead.set(r, e.time);
      }
    }
    const start = Math.min(...e.pieces.map(([s]) => s));
    const stop = Math.max(...e.pieces.map(([s, n]) => s + n));
    if (start < prevEnd) {
      const key = `${regionOf(prevEnd * 512 - 1)}→${regionOf(start * 512)}`;
      transitions.set(key, (transitions.get(key) ?? 0) + 1);
    }
    prevEnd = stop;
  }
  return { read, unique, firstRead, transitions };
}

const arbLayout = fc
  .record({
    header: fc.integer({ min: 1, max: 3000 }),
    tensors: fc.array(fc.tuple(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 4000 })), {
      minLength: 1,
      maxLength: 8,
    }),
    tail: fc.integer({ min: 0, max: 1500 }),
  })
  .map(({ header, tensors, tail }) => layoutOf(header, tensors, tail));

const arbEvents = (maxSector: number) =>
  fc.array(
    fc.record({
      time: fc.nat(1000),
      pieces: fc.array(fc.tuple(fc.integer({ min: 0, max: maxSector }), fc.integer({ min: 1, max: 12 })), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    { maxLength: 40 },
  );

describe("tensorAttribution", () => {
  it("property: region readBytes add up, uniqueBytes and transitions equal a byte-by-byte recomputation", () => {
    fc.assert(
      fc.property(
        arbLayout.chain((layout) =>
          fc.tuple(
            fc.constant(layout),
            arbEvents(Math.ceil(layout.fileBytes / 512) + 4),
            fc.integer({ min: 1, max: 7 }),
          ),
        ),
        ([layout, events, cut]) => {
          const acc = new TensorAttributionAccumulator(layout);
          // any batching gives the same answer
          for (let i = 0; i < events.length; i += cut) acc.add(batchWithPieces(events.slice(i, i + cut)));
          const got = acc.result();
          const want = naive(layout, events);
          const total = events.flatMap((e) => e.pieces).reduce((sum, [, n]) => sum + n * 512, 0);
          expect(got.tensors.reduce((sum, t) => sum + t.readBytes, 0)).toBe(total);
          for (const t of got.tensors) {
            expect(t.readBytes, t.name).toBe(want.read.get(t.name) ?? 0);
            expect(t.uniqueBytes, t.name).toBe(want.unique.get(t.name)?.size ?? 0);
            expect(t.firstReadNs, t.name).toBe(want.firstRead.get(t.name) ?? null);
          }
          const transitions = Object.fromEntries(got.backward.map((b) => [`${b.from}→${b.to}`, b.count]));
          expect(transitions).toEqual(Object.fromEntries(want.transitions));
          const counts = got.backward.map((b) => b.count);
          expect(counts).toEqual([...counts].sort((a, b) => b - a));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("uses the event's own sectors when there are no pieces (no extents: logical = physical)", () => {
    const layout = layoutOf(
      1024,
      [
        [0, 1024],
        [512, 2048],
      ],
      0,
    );
    const acc = new TensorAttributionAccumulator(layout);
    // sector 4 = byte 2048: the second tensor starts at 2048+512 = 2560
    acc.add(batchOf([ev(0, 2, { time: 5 }), ev(4, 2, { time: 6 }), ev(2, 1, { time: 7 })]));
    const r = acc.result();
    const by = Object.fromEntries(r.tensors.map((t) => [t.name, t]));
    expect(by["(header)"]).toMatchObject({
      readBytes: 1024,
      uniqueBytes: 1024,
      firstReadNs: 5,
      offset: 0,
      bytes: 1024,
    });
    expect(by["blk.0.t0.weight"]).toMatchObject({ readBytes: 512, uniqueBytes: 512, firstReadNs: 7 });
    expect(by["(padding)"]).toMatchObject({
      readBytes: 512,
      uniqueBytes: 512,
      firstReadNs: 6,
      offset: null,
      bytes: 512,
    });
    expect(by["blk.1.t1.weight"]).toMatchObject({ readBytes: 512, uniqueBytes: 512, firstReadNs: 6 });
    expect(r.backward).toEqual([{ from: "blk.1.t1.weight", to: "blk.0.t0.weight", count: 1 }]);
    expect(r.tensors.map((t) => t.name)).toEqual([
      "(header)",
      "blk.0.t0.weight",
      "blk.1.t1.weight",
      "(padding)",
      "(end)",
    ]);
  });

  it("emits one result at completion; an empty source gives zero reads; subscribers do not share state", () => {
    const layout = layoutOf(512, [[0, 512]], 0);
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const batch = batchWithPieces([{ time: 1, pieces: [[1, 1]] }]);
      const src = cold("-a-a|", { a: batch });
      const once = new TensorAttributionAccumulator(layout);
      once.add(batch);
      once.add(batch);
      expectObservable(src.pipe(tensorAttribution(layout))).toBe("----(r|)", { r: once.result() });
      expectObservable(src.pipe(tensorAttribution(layout))).toBe("----(r|)", { r: once.result() });
      expectObservable(cold<EventBatch>("|").pipe(tensorAttribution(layout))).toBe("(z|)", {
        z: new TensorAttributionAccumulator(layout).result(),
      });
    });
  });

  it("counts a 291-tensor layout's backward seeks at every layer of a quantize-order file read in eval order", async () => {
    // tensors of 1 sector each in quantize order: 3 top tensors, then per layer 9 sorted by name
    const names = [
      "attn_k",
      "attn_norm",
      "attn_output",
      "attn_q",
      "attn_v",
      "ffn_down",
      "ffn_gate",
      "ffn_norm",
      "ffn_up",
    ];
    const evalOrder = [
      "attn_norm",
      "attn_q",
      "attn_k",
      "attn_v",
      "attn_output",
      "ffn_norm",
      "ffn_gate",
      "ffn_up",
      "ffn_down",
    ];
    const tensors = [
      "output.weight",
      "output_norm.weight",
      "token_embd.weight",
      ...Array.from({ length: 32 }, (_, l) => names.map((g) => `blk.${l}.${g}.weight`)).flat(),
    ].map((name, i) => ({ name, type: GGML_TYPES.F32, shape: [128], offset: 512 * (i + 1), bytes: 512 }));
    const layout: GgufLayout = { dataStart: 512, alignment: 32, tensors, fileBytes: 512 * 292 };
    const sectorOf = new Map(tensors.map((t) => [t.name, t.offset / 512]));
    const reads: Ev[] = Array.from({ length: 32 }, (_, l) => evalOrder.map((g) => `blk.${l}.${g}.weight`))
      .flat()
      .map((name, time) => ({ time, pieces: [[sectorOf.get(name) as number, 1]] }));
    const r = await lastValueFrom(from([batchWithPieces(reads)]).pipe(tensorAttribution(layout)));
    expect(r.tensors).toHaveLength(294);
    // per layer: norm→q forward, q→k back, k→v fwd, v→output back, output→ffn_norm fwd, ffn_norm→gate back, gate→up fwd, up→down back: 4 of 9
    const top: Record<string, number> = {};
    const groupOf = (name: string) => name.replace(/^blk\.\d+\./, "").replace(/\.weight$/, "");
    for (const b of r.backward) {
      const key = `${groupOf(b.from)}→${groupOf(b.to)}`;
      top[key] = (top[key] ?? 0) + b.count;
    }
    expect(top).toEqual({
      "attn_q→attn_k": 32,
      "attn_v→attn_output": 32,
      "ffn_norm→ffn_gate": 32,
      "ffn_up→ffn_down": 32,
    });
  });
});
