/**
 * The ggml tensor types blkrx reads and writes, with their block geometry
 * (ggml-common.h): a row of `blockElements` values is stored as one block of
 * `blockBytes` bytes. Codes are the `ggml_type` values stored in GGUF.
 */
export interface GgmlTypeInfo {
  /** Name as GGUF tools print it (`Q4_K`, `F32`). */
  readonly name: string;
  /** `ggml_type` code in the tensor info. */
  readonly code: number;
  /** Values per block (1 for plain floats). */
  readonly blockElements: number;
  /** Bytes per block. */
  readonly blockBytes: number;
}

/**
 * Known ggml types by name. `gguf synth` writes F32, F16, Q4_0, Q8_0, Q4_K,
 * Q6_K (Q5_0 and Q5_K as llama.cpp's Q4_K_M fallbacks); the others are here
 * so the layout of real files using them can be read.
 */
export const GGML_TYPES = {
  F32: { name: "F32", code: 0, blockElements: 1, blockBytes: 4 },
  F16: { name: "F16", code: 1, blockElements: 1, blockBytes: 2 },
  BF16: { name: "BF16", code: 30, blockElements: 1, blockBytes: 2 },
  Q4_1: { name: "Q4_1", code: 3, blockElements: 32, blockBytes: 20 },
  Q5_1: { name: "Q5_1", code: 7, blockElements: 32, blockBytes: 24 },
  Q2_K: { name: "Q2_K", code: 10, blockElements: 256, blockBytes: 84 },
  Q3_K: { name: "Q3_K", code: 11, blockElements: 256, blockBytes: 110 },
  // d (f16) + 16 bytes of 4-bit quants
  Q4_0: { name: "Q4_0", code: 2, blockElements: 32, blockBytes: 18 },
  // d (f16) + 4 bytes of 5th bits + 16 bytes of 4-bit quants
  Q5_0: { name: "Q5_0", code: 6, blockElements: 32, blockBytes: 22 },
  // d (f16) + 32 int8 quants
  Q8_0: { name: "Q8_0", code: 8, blockElements: 32, blockBytes: 34 },
  // d, dmin (f16) + 12 bytes of 6-bit scales/mins + 128 bytes of 4-bit quants
  Q4_K: { name: "Q4_K", code: 12, blockElements: 256, blockBytes: 144 },
  // d, dmin + 12 scale bytes + 32 bytes of 5th bits + 128 bytes of 4-bit quants
  Q5_K: { name: "Q5_K", code: 13, blockElements: 256, blockBytes: 176 },
  // 128 bytes low 4 bits + 64 bytes high 2 bits + 16 int8 scales + d (f16) last
  Q6_K: { name: "Q6_K", code: 14, blockElements: 256, blockBytes: 210 },
} as const satisfies Record<string, GgmlTypeInfo>;

/** Name of a known ggml type. */
export type GgmlTypeName = keyof typeof GGML_TYPES;

const BY_CODE = new Map<number, GgmlTypeInfo>(Object.values(GGML_TYPES).map((t) => [t.code, t]));

/**
 * The type with this `ggml_type` code, or undefined for a type blkrx does not know.
 *
 * @example ggmlTypeByCode(12)?.name // "Q4_K"
 */
export function ggmlTypeByCode(code: number): GgmlTypeInfo | undefined {
  return BY_CODE.get(code);
}

/**
 * Bytes of a tensor of `type` with dimensions `shape` (ggml order: shape[0]
 * is the row length, which must be a whole number of blocks).
 *
 * @example tensorBytes(GGML_TYPES.Q4_K, [4096, 4096]) // 9437184
 */
export function tensorBytes(type: GgmlTypeInfo, shape: readonly number[]): number {
  const row = shape[0] ?? 1;
  if (row % type.blockElements !== 0) {
    throw new RangeError(
      `Cannot size a ${type.name} tensor with rows of ${row} values: rows must be a multiple of ${type.blockElements}`,
    );
  }
  let rows = 1;
  for (let i = 1; i < shape.length; i++) rows *= shape[i] as number;
  return (row / type.blockElements) * type.blockBytes * rows;
}
