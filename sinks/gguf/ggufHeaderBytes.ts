import { type GgmlTypeInfo, tensorBytes } from "../../model/ggmlTypes.js";
import { alignUp, GGUF_DEFAULT_ALIGNMENT, type GgufLayout, type GgufTensor } from "../../model/ggufLayout.js";

/** A GGUF metadata value with its stored type (the subset llama models use). */
export type GgufValue =
  | { readonly kind: "u32"; readonly value: number }
  | { readonly kind: "f32"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "string[]"; readonly value: readonly string[] }
  | { readonly kind: "f32[]"; readonly value: ArrayLike<number> }
  | { readonly kind: "i32[]"; readonly value: ArrayLike<number> };

/** A tensor to write: name, type and ggml-order shape. */
export interface TensorSpec {
  readonly name: string;
  readonly type: GgmlTypeInfo;
  readonly shape: readonly number[];
}

/** gguf_type codes (gguf.h). */
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

/**
 * The GGUF v3 header (magic, counts, metadata, tensor infos, padding to the
 * alignment) for `tensors` written in this order, each padded to the
 * alignment as llama.cpp's loader expects, and the layout they get. The
 * alignment is the metadata's `general.alignment` (a u32), else GGUF's 32.
 *
 * @example const { bytes, layout } = ggufHeaderBytes([["general.architecture", { kind: "string", value: "llama" }]], tensors);
 */
export function ggufHeaderBytes(
  metadata: readonly (readonly [string, GgufValue])[],
  tensors: readonly TensorSpec[],
): { bytes: Buffer; layout: GgufLayout } {
  const declared = metadata.find(([key]) => key === "general.alignment")?.[1];
  const alignment = declared?.kind === "u32" ? declared.value : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1) {
    throw new RangeError(
      `Cannot align GGUF tensor data to ${alignment} bytes: general.alignment must be a positive integer`,
    );
  }
  const w = new ByteWriter();
  w.bytes(Buffer.from("GGUF", "latin1"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const [key, value] of metadata) {
    w.string(key);
    writeValue(w, value);
  }
  let relative = 0;
  const placed: GgufTensor[] = [];
  const relativeOffsets: number[] = [];
  for (const t of tensors) {
    w.string(t.name);
    w.u32(t.shape.length);
    for (const d of t.shape) w.u64(d);
    w.u32(t.type.code);
    w.u64(relative);
    relativeOffsets.push(relative);
    relative = alignUp(relative + tensorBytes(t.type, t.shape), alignment);
  }
  const dataStart = alignUp(w.length, alignment);
  w.bytes(Buffer.alloc(dataStart - w.length));
  tensors.forEach((t, i) => {
    placed.push({ ...t, offset: dataStart + (relativeOffsets[i] as number), bytes: tensorBytes(t.type, t.shape) });
  });
  return { bytes: w.result(), layout: { dataStart, alignment, tensors: placed, fileBytes: dataStart + relative } };
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  switch (v.kind) {
    case "u32":
      w.u32(T.u32).u32(v.value);
      return;
    case "f32":
      w.u32(T.f32).f32(v.value);
      return;
    case "bool":
      w.u32(T.bool).u8(v.value ? 1 : 0);
      return;
    case "string":
      w.u32(T.string).string(v.value);
      return;
    case "string[]":
      w.u32(T.array).u32(T.string).u64(v.value.length);
      for (const s of v.value) w.string(s);
      return;
    case "f32[]":
      w.u32(T.array).u32(T.f32).u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) w.f32(v.value[i] as number);
      return;
    case "i32[]":
      w.u32(T.array).u32(T.i32).u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) w.i32(v.value[i] as number);
      return;
  }
}

/** A growable little-endian byte buffer. */
class ByteWriter {
  private buf = Buffer.alloc(64 * 1024);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number): this {
    this.room(1);
    this.length = this.buf.writeUInt8(v, this.length);
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.length = this.buf.writeUInt32LE(v, this.length);
    return this;
  }
  i32(v: number): this {
    this.room(4);
    this.length = this.buf.writeInt32LE(v, this.length);
    return this;
  }
  f32(v: number): this {
    this.room(4);
    this.length = this.buf.writeFloatLE(v, this.length);
    return this;
  }
  u64(v: number): this {
    this.room(8);
    this.length = this.buf.writeBigUInt64LE(BigInt(v), this.length);
    return this;
  }
  string(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.u64(b.length).bytes(b);
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
