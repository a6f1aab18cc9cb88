import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { GGML_TYPES, tensorBytes } from "../../../model/ggmlTypes.js";
import { type GgufValue, ggufHeaderBytes, type TensorSpec } from "../../../sinks/gguf/ggufHeaderBytes.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-header-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPES = Object.values(GGML_TYPES);
const key = fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/);
const value: fc.Arbitrary<GgufValue> = fc.oneof(
  fc.nat({ max: 2 ** 32 - 1 }).map((v) => ({ kind: "u32" as const, value: v })),
  fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => ({ kind: "f32" as const, value: Math.fround(v) })),
  fc.boolean().map((v) => ({ kind: "bool" as const, value: v })),
  fc.string({ unit: "grapheme", maxLength: 12 }).map((v) => ({ kind: "string" as const, value: v })),
  fc
    .array(fc.string({ unit: "grapheme", maxLength: 6 }), { maxLength: 6 })
    .map((v) => ({ kind: "string[]" as const, value: v })),
  fc
    .array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 })
    .map((v) => ({ kind: "i32[]" as const, value: v })),
);
const tensor: fc.Arbitrary<Omit<TensorSpec, "name">> = fc
  .record({
    type: fc.constantFrom(...TYPES),
    blocks: fc.integer({ min: 1, max: 4 }),
    rows: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
  })
  .map(({ type, blocks, rows }) => ({ type, shape: [blocks * type.blockElements, ...rows] }));

/** What @huggingface/gguf gives back for a metadata value of each kind. */
function expected(v: GgufValue): unknown {
  if (v.kind === "i32[]" || v.kind === "f32[]") return Array.from(v.value);
  return v.value;
}

describe("ggufHeaderBytes", () => {
  it("property: @huggingface/gguf reads back every metadata value, tensor info and the data offset", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 }),
        fc.array(tensor, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(1, 8, 32, 64, 4096),
        async (metadata, specs, alignment) => {
          const meta: [string, GgufValue][] = [...metadata.filter(([k]) => k !== "general.alignment")];
          if (alignment !== 32) meta.push(["general.alignment", { kind: "u32", value: alignment }]);
          const tensors = specs.map((t, i) => ({ ...t, name: `t${i}` }));
          const { bytes, layout } = ggufHeaderBytes(meta, tensors);
          const path = join(dir, `h${n++}.gguf`);
          writeFileSync(path, bytes);
          const parsed = await gguf(path, { allowLocalFile: true });
          const m = parsed.metadata as Record<string, unknown>;
          for (const [k, v] of meta) expect(m[k]).toEqual(expected(v));
          expect(Number(parsed.tensorDataOffset)).toBe(layout.dataStart);
          expect(layout.dataStart % alignment).toBe(0);
          parsed.tensorInfos.forEach((info, i) => {
            const t = layout.tensors[i];
            expect(info.name).toBe(t?.name);
            expect(info.dtype).toBe(t?.type.code);
            expect(info.shape.map(Number)).toEqual(t?.shape);
            expect(Number(parsed.tensorDataOffset + info.offset)).toBe(t?.offset);
            expect((t?.offset ?? 0) % alignment).toBe(0);
            expect(t?.bytes).toBe(t ? tensorBytes(t.type, t.shape) : -1);
          });
          rmSync(path);
        },
      ),
      { numRuns: 150 },
    );
  });
});
