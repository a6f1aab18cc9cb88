import { describe, expect, it } from "vitest";
import { GGML_TYPES } from "../../../model/ggmlTypes.js";
import { type GgufLayout, ggufRegions } from "../../../model/ggufLayout.js";
import { renderTensorTable, tensorListJson } from "../../../sinks/gguf/tensorTable.js";

/** Two tensors after a 1,024-byte header, 32 bytes of alignment padding between them, in a 4,000-byte file. */
const layout: GgufLayout = {
  dataStart: 1024,
  alignment: 32,
  fileBytes: 4000,
  tensors: [
    { name: "token_embd.weight", type: GGML_TYPES.F16, shape: [16, 32], offset: 1024, bytes: 1024 },
    { name: "blk.0.attn_q.weight", type: GGML_TYPES.F32, shape: [16, 16], offset: 2080, bytes: 1024 },
  ],
};
const regions = ggufRegions(layout);

describe("renderTensorTable", () => {
  it("lists every region in file order with layer, group, type, shape, offset and bytes", () => {
    const lines = renderTensorTable(regions).trimEnd().split("\n");
    const rows = lines
      .filter((l) => /^│ \S/.test(l) && !l.startsWith("│ name"))
      .map((l) => l.split("│").map((c) => c.trim()));
    expect(rows.map((r) => r.slice(1, 8))).toEqual([
      ["(header)", "-", "(header)", "-", "-", "0", "1024"],
      ["token_embd.weight", "-", "token_embd", "F16", "16 x 32", "1024", "1024"],
      ["blk.0.attn_q.weight", "0", "attn_q", "F32", "16 x 16", "2080", "1024"],
      ["(padding)", "-", "(padding)", "-", "-", "-", "32"],
      ["(end)", "-", "(end)", "-", "-", "3104", "992"],
    ]);
  });

  it("right-aligns the numbers (offsets and bytes line up at their last digit)", () => {
    const text = renderTensorTable(regions);
    expect(text).toMatch(/│ +0 │ +1024 │\n/);
    expect(text.endsWith("\n")).toBe(true);
  });
});

describe("tensorListJson", () => {
  it("prints the regions as `gguf tensors --json` does: spec keys plus type and shape, null where absent", () => {
    const list = JSON.parse(tensorListJson(regions));
    expect(list).toHaveLength(5);
    expect(list[2]).toEqual({
      name: "blk.0.attn_q.weight",
      layer: 0,
      group: "attn_q",
      type: "F32",
      shape: [16, 16],
      offset: 2080,
      bytes: 1024,
    });
    expect(list[3]).toEqual({
      name: "(padding)",
      layer: null,
      group: "(padding)",
      type: null,
      shape: null,
      offset: null,
      bytes: 32,
    });
  });
});
