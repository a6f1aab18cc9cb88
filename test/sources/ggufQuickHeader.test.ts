import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { GGML_TYPES } from "../../model/ggmlTypes.js";
import { type GgufValue, ggufHeaderBytes } from "../../sinks/gguf/ggufHeaderBytes.js";
import { readGgufQuickHeader } from "../../sources/ggufQuickHeader.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-quickheader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valueArb: fc.Arbitrary<GgufValue> = fc.oneof(
  fc.nat().map((value) => ({ kind: "u32", value }) as const),
  fc.float({ noNaN: true }).map((value) => ({ kind: "f32", value }) as const),
  fc.boolean().map((value) => ({ kind: "bool", value }) as const),
  fc.string().map((value) => ({ kind: "string", value }) as const),
  fc.array(fc.string(), { maxLength: 50 }).map((value) => ({ kind: "string[]", value }) as const),
  fc
    .array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 50 })
    .map((value) => ({ kind: "i32[]", value }) as const),
);

describe("readGgufQuickHeader against @huggingface/gguf (the reference)", () => {
  it("property: same alignment, data offset and tensor infos for random metadata, alignments and tensors", async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ minLength: 1 }), valueArb), { maxLength: 8 }),
        fc.option(fc.constantFrom(1, 8, 32, 64, 4096), { nil: undefined }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })), {
          minLength: 1,
          maxLength: 6,
        }),
        async (meta, alignment, shapes) => {
          const metadata = meta.filter(([key]) => key !== "general.alignment") as [string, GgufValue][];
          if (alignment !== undefined) metadata.push(["general.alignment", { kind: "u32", value: alignment }]);
          const tensors = shapes.map(([rows, cols], i) => ({
            name: `blk.${i}.attn_q.weight`,
            type: GGML_TYPES.F32,
            shape: [rows * 8, cols],
          }));
          const { bytes, layout } = ggufHeaderBytes(metadata, tensors);
          const path = join(dir, `m${file++}.gguf`);
          // the header plus the tensor data the layout says (zeros)
          writeFileSync(path, Buffer.concat([bytes, Buffer.alloc(layout.fileBytes - bytes.length)]));
          const quick = await readGgufQuickHeader(path, layout.fileBytes);
          const ref = await gguf(path, { allowLocalFile: true });
          expect(quick?.alignment).toBe(alignment);
          expect(quick?.tensorInfoEnd).toBe(ref.tensorInfoByteRange[1]);
          expect(quick?.tensorInfos).toEqual(
            ref.tensorInfos.map((t) => ({
              name: t.name,
              shape: t.shape.map(Number),
              dtype: t.dtype,
              offset: Number(t.offset),
            })),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("gives undefined (the library path words the error) for a cut header and for another magic", async () => {
    const { bytes } = ggufHeaderBytes(
      [["tokenizer.ggml.tokens", { kind: "string[]", value: ["a", "b"] }]],
      [{ name: "output.weight", type: GGML_TYPES.F32, shape: [8, 2] }],
    );
    const cut = join(dir, "cut.gguf");
    writeFileSync(cut, bytes.subarray(0, 40)); // inside the token list
    expect(await readGgufQuickHeader(cut, 40)).toBeUndefined();
    const other = join(dir, "other.gguf");
    writeFileSync(other, Buffer.concat([Buffer.from("GGML"), bytes.subarray(4)]));
    expect(await readGgufQuickHeader(other, bytes.length)).toBeUndefined();
  });
});
