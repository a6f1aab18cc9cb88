import type { GgmlTypeInfo } from "../../model/ggmlTypes.js";

/**
 * Seeded random tensor data that llama.cpp computes with without NaN: every
 * byte is random except the floats, which get small finite values, and the
 * f16 block scales of quantized types, which get a fixed small exponent
 * (dequantized weights stay within about ±0.25). Fast enough to write at
 * disk speed: whole 32-bit words from xorshift128, then one fix-up per value
 * (floats) or per block (scales).
 */
export class RandomWeights {
  private readonly s = new Uint32Array(4);

  /** A generator for tensor number `stream` of a model made with `seed`. */
  constructor(seed: number, stream: number) {
    let x = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads the seed over the state (never all zero)
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0 || 1;
    }
  }

  /**
   * Fill `out` (a whole number of `type` blocks, length a multiple of 4, 4-aligned)
   * with random data of that type; F32 values lie within ±0.125 of `center`
   * (1 for norm weights, so a norm keeps the scale of its input).
   *
   * @example new RandomWeights(1, 0).fill(GGML_TYPES.Q8_0, new Uint8Array(34 * 4))
   */
  fill(type: GgmlTypeInfo, out: Uint8Array, center = 0): void {
    const words = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2);
    this.fillWords(words);
    switch (type.name) {
      case "F32":
        floatsF32(words, center);
        return;
      case "F16":
        floatsF16(words);
        return;
      case "Q6_K":
        setScales(out, type.blockBytes, 208, -1, Q6_K_EXPONENT);
        return;
      case "Q4_K":
      case "Q5_K":
        setScales(out, type.blockBytes, 0, 2, K_EXPONENT);
        return;
      case "Q4_0":
      case "Q5_0":
      case "Q8_0":
        // one f16 scale d at the block start
        setScales(out, type.blockBytes, 0, -1, type.name === "Q8_0" ? Q8_EXPONENT : Q4_EXPONENT);
        return;
      default:
        throw new RangeError(
          `Cannot write random ${type.name} data: blkrx writes F32, F16, Q4_0, Q5_0, Q8_0, Q4_K, Q5_K, Q6_K`,
        );
    }
  }

  private fillWords(words: Uint32Array): void {
    const s = this.s;
    let a = s[0] as number;
    let b = s[1] as number;
    let c = s[2] as number;
    let d = s[3] as number;
    for (let i = 0; i < words.length; i++) {
      const t = a ^ (a << 11);
      a = b;
      b = c;
      c = d;
      d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
      words[i] = d;
    }
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
  }
}

// f16 exponent fields (bias 15) of the block scales: d = 2^(e-15) × (1 + random mantissa).
// Q8_0: d ≈ 2^-11, |q| ≤ 127 → |w| < 0.13. Q4_0/Q5_0: d ≈ 2^-7, |q − 8| ≤ 8 (16) → |w| < 0.13 (0.25).
// Q4_K/Q5_K: d, dmin ≈ 2^-13 × 6-bit scales × 4/5-bit quants → |w| < 0.25. Q6_K: d ≈ 2^-14 × int8 scale × 32 → |w| < 0.5.
const Q8_EXPONENT = 4;
const Q4_EXPONENT = 8;
const K_EXPONENT = 2;
const Q6_K_EXPONENT = 1;

/** Give every block's f16 scale(s) at `at` (and `at + 2` when `second` ≥ 0) a positive finite value. */
function setScales(out: Uint8Array, blockBytes: number, at: number, second: number, exponent: number): void {
  const high = exponent << 2;
  for (let off = at + 1; off < out.length; off += blockBytes) {
    out[off] = ((out[off] as number) & 0x03) | high;
    if (second >= 0) out[off + second] = ((out[off + second] as number) & 0x03) | high;
  }
}

/** Two random f16 values per word, |v| in [2^-10, 2^-2): sign, 3 random exponent bits + 5, mantissa. */
function floatsF16(words: Uint32Array): void {
  for (let i = 0; i < words.length; i++) words[i] = (((words[i] as number) & 0x9fff9fff) + 0x14001400) >>> 0;
}

/** Uniform f32 values in center ± 0.125. */
function floatsF32(words: Uint32Array, center: number): void {
  const f = new Float32Array(words.buffer, words.byteOffset, words.length);
  for (let i = 0; i < words.length; i++) f[i] = center + ((words[i] as number) / 2 ** 32 - 0.5) * 0.25;
}
