import { describe, expect, it } from "vitest";
import type { TensorAttribution, TensorReads } from "../../../model/tensorAttribution.js";
import { renderAttribution } from "../../../sinks/gguf/attributionTables.js";

const MIB = 2 ** 20;

/** A region with `times` × its size read, first read at `firstS` seconds (null: never read). */
function region(
  name: string,
  layer: number | null,
  group: string,
  bytes: number,
  times: number,
  firstS: number | null,
): TensorReads {
  return {
    name,
    layer,
    group,
    offset: null,
    bytes,
    readBytes: times * bytes,
    uniqueBytes: times > 0 ? bytes : 0,
    firstReadNs: firstS === null ? null : firstS * 1e9,
  };
}

/** Two layers of two groups, the embeddings, the header; ffn_down of layer 1 was never read. */
const attribution: TensorAttribution = {
  tensors: [
    region("(header)", null, "(header)", 4096, 1, 0.001),
    region("token_embd.weight", null, "token_embd", 8 * MIB, 0.5, 0.002),
    region("blk.0.attn_q.weight", 0, "attn_q", 2 * MIB, 3, 0.01),
    region("blk.0.ffn_down.weight", 0, "ffn_down", 4 * MIB, 20, 0.02),
    region("blk.1.attn_q.weight", 1, "attn_q", 2 * MIB, 2, 0.03),
    region("blk.1.ffn_down.weight", 1, "ffn_down", 4 * MIB, 0, null),
  ],
  backward: [
    { from: "blk.1.attn_q.weight", to: "blk.0.attn_q.weight", count: 3 },
    { from: "blk.0.ffn_down.weight", to: "token_embd.weight", count: 1 },
  ],
};

/** The data rows of the table that follows the line `title` (cells trimmed, borders dropped). */
function rowsAfter(text: string, title: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(title));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("│") && rows.length > 0 && !line.startsWith("├") && !line.startsWith("┌")) break;
    if (line.startsWith("│"))
      rows.push(
        line
          .split("│")
          .slice(1, -1)
          .map((c) => c.trim()),
      );
  }
  return rows.slice(1); // without the head
}

describe("renderAttribution", () => {
  const text = renderAttribution(attribution, { top: 1 });

  it("reads per layer × group as multiples of each tensor's size, groups in llama's evaluation order", () => {
    expect(rowsAfter(text, "reads per tensor")).toEqual([
      ["0", "3.0", "20.0"],
      ["1", "2.0", "0.0"],
    ]);
  });

  it("the regions outside the layers: bytes, GiB read, multiples, unique share and first read", () => {
    const rows = text
      .split("\n")
      .filter((l) => /^│ \(header\)|^│ token_embd/.test(l))
      .map((l) =>
        l
          .split("│")
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    expect(rows).toEqual([
      ["(header)", "4096", "0.000", "1.0", "100.0", "0.001"],
      ["token_embd.weight", "8388608", "0.004", "0.5", "100.0", "0.002"],
      ["(header)", "0.001", "1/1"],
      ["token_embd", "0.002", "1/1"],
    ]);
  });

  it("the top backward transitions with their share and layer distance, and how many were left out", () => {
    expect(rowsAfter(text, "top backward transitions (4 backward seeks)")).toEqual([
      ["blk.1.attn_q.weight", "blk.0.attn_q.weight", "3", "75.0", "1"],
    ]);
    expect(text).toContain("(1 more transitions)");
  });

  it("when each group was first read, earliest first, with how many of its tensors were read", () => {
    expect(rowsAfter(text, "when each group was first read")).toEqual([
      ["(header)", "0.001", "1/1"],
      ["token_embd", "0.002", "1/1"],
      ["attn_q", "0.010", "2/2"],
      ["ffn_down", "0.020", "1/2"],
    ]);
  });

  it("says so when there was no backward seek", () => {
    expect(renderAttribution({ ...attribution, backward: [] })).toContain("no backward seeks");
  });
});
