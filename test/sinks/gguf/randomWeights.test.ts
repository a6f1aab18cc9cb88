import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GGML_TYPES, type GgmlTypeInfo } from "../../../model/ggmlTypes.js";
import { RandomWeights } from "../../../sinks/gguf/randomWeights.js";

/** IEEE half → number (reference decoder, independent of the writer's bit tricks). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Where each type keeps its f16 block scales (ggml-common.h). */
const SCALES: Record<string, number[]> = { Q4_0: [0], Q5_0: [0], Q8_0: [0], Q4_K: [0, 2], Q5_K: [0, 2], Q6_K: [208] };

function blocks(type: GgmlTypeInfo, n: number): Uint8Array {
  return new Uint8Array(type.blockBytes * n);
}

describe("RandomWeights", () => {
  for (const name of Object.keys(SCALES)) {
    const type = GGML_TYPES[name as keyof typeof GGML_TYPES];
    it(`gives every ${name} block finite, positive, small f16 scales`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 300 }), (seed, stream) => {
          const out = blocks(type, 64);
          new RandomWeights(seed, stream).fill(type, out);
          const view = new DataView(out.buffer);
          for (let b = 0; b < 64; b++) {
            for (const at of SCALES[name] as number[]) {
              const d = half(view.getUint16(b * type.blockBytes + at, true));
              expect(Number.isFinite(d) && d > 0 && d < 2 ** -6).toBe(true);
            }
          }
        }),
        { numRuns: 50 },
      );
    });
  }

  it("gives F16 and F32 values that are finite and small (F32 around the center asked)", () => {
    const f16 = new Uint8Array(4096);
    new RandomWeights(7, 1).fill(GGML_TYPES.F16, f16);
    const h = new Uint16Array(f16.buffer);
    for (const bits of h) expect(Math.abs(half(bits))).toBeLessThan(0.25);
    const f32 = new Uint8Array(4096);
    new RandomWeights(7, 2).fill(GGML_TYPES.F32, f32, 1);
    for (const v of new Float32Array(f32.buffer)) expect(Math.abs(v - 1)).toBeLessThanOrEqual(0.125);
  });

  it("is deterministic per (seed, stream) and differs between streams", () => {
    const a = blocks(GGML_TYPES.Q8_0, 8);
    const b = blocks(GGML_TYPES.Q8_0, 8);
    const c = blocks(GGML_TYPES.Q8_0, 8);
    new RandomWeights(3, 4).fill(GGML_TYPES.Q8_0, a);
    new RandomWeights(3, 4).fill(GGML_TYPES.Q8_0, b);
    new RandomWeights(3, 5).fill(GGML_TYPES.Q8_0, c);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
