import { describe, expect, it } from "vitest";
import { gapTable, renderConsole, renderMarkdown, resultsTable, tensorGroupTable } from "../../sinks/compareTables.js";
import type { CompareRun } from "../../sinks/duckdb/queries.js";

/** pressure-frag.bin in frag.bin (cases.json) as a stored run: 243 events, 263.0 MiB read, 87.7 MiB unique. */
const frag: CompareRun = {
  runId: 1,
  label: "fragmented",
  action: "D",
  device: "7,0",
  extents: 13,
  memLimitBytes: 40 * 2 ** 20,
  lockedBytes: null,
  seconds: 1.234,
  tokensPerSecond: null,
  readBytes: 275_730_432,
  uniqueBytes: 91_910_144,
  coverage: 0.9130452473958334,
  events: 243,
  physical: [207, 0, 0, 29, 6],
  logical: [240, 0, 0, 0, 2],
  groups: [],
};
/** A run without a label, extents or memory limit, of one event (no gaps to share). */
const bare: CompareRun = {
  ...frag,
  runId: 7,
  label: null,
  device: null,
  extents: null,
  memLimitBytes: null,
  seconds: null,
  coverage: null,
  events: 1,
  physical: [0, 0, 0, 0, 0],
  logical: [0, 0, 0, 0, 0],
};

describe("resultsTable", () => {
  it("gives the study's row per run, sizes in MiB/GiB and '–' for what a run does not have", () => {
    const t = resultsTable([frag, bare]);
    expect(t.head).toEqual([
      "configuration",
      "actions",
      "device",
      "extents",
      "memory limit",
      "time s",
      "tok/s",
      "read",
      "unique",
      "coverage %",
      "backward %",
    ]);
    expect(t.rows).toEqual([
      ["fragmented", "D", "7,0", "13", "40.0 MiB", "1.23", "–", "263.0 MiB", "87.7 MiB", "91.3", "2.5"],
      ["run 7", "D", "–", "–", "–", "–", "–", "263.0 MiB", "87.7 MiB", "–", "–"],
    ]);
  });

  it("shows locked memory when there is no memory limit", () => {
    const locked = { ...frag, memLimitBytes: null, lockedBytes: 20 * 2 ** 30 };
    expect(resultsTable([locked]).rows[0]?.[4]).toBe("20.00 GiB");
  });
});

describe("gapTable", () => {
  it("gives physical and logical shares of (events − 1) per run", () => {
    expect(gapTable([frag]).rows).toEqual([
      ["fragmented", "physical", "85.5", "0.0", "0.0", "12.0", "2.5"],
      ["fragmented", "logical", "99.2", "0.0", "0.0", "0.0", "0.8"],
    ]);
  });
});

describe("tensorGroupTable", () => {
  it("is undefined when no run has tensor rows", () => {
    expect(tensorGroupTable([frag, bare])).toBeUndefined();
  });

  it("gives each group's read bytes and multiple of its size, runs side by side, '–' where a run lacks it", () => {
    const a = { ...frag, groups: [{ group: "attn_q", readBytes: 3 * 2 ** 20, bytes: 2 ** 20 }] };
    const b = { ...bare, groups: [{ group: "ffn_up", readBytes: 2 ** 20, bytes: 0 }] };
    expect(tensorGroupTable([a, b])).toEqual({
      head: ["group", "fragmented", "run 7"],
      rows: [
        ["attn_q", "3.0 MiB (3.0×)", "–"],
        ["ffn_up", "–", "1.0 MiB"],
      ],
    });
  });
});

describe("renderMarkdown and renderConsole", () => {
  it("renders a markdown table with pipes in cells escaped", () => {
    expect(renderMarkdown({ head: ["a", "b"], rows: [["1", "x|y"]] })).toBe("| a | b |\n| --- | --- |\n| 1 | x\\|y |");
  });

  it("draws the same cells in a box table", () => {
    const text = renderConsole(gapTable([frag]));
    expect(text).toMatch(/│ fragmented +│ physical +│ 85\.5 +│ 0\.0 +│ 0\.0 +│ 12\.0 +│ 2\.5 +│/);
    expect(text.split("\n")).toHaveLength(7); // top, head, rule, row, rule, row, bottom
  });
});
