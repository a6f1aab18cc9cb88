import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Summary } from "../../model/summary.js";
import { percent, renderSummary } from "../../sinks/summaryTable.js";
import { CASES } from "../helpers/cases.js";
import { ROOT } from "../helpers/cli.js";

/** The expected summary of a fixture case (cases.json), as summarize gives it. */
const caseSummary = (name: string): Summary => {
  const c = CASES.find((k) => k.name === name);
  if (!c) throw new Error(`cases.json has no case ${name}`);
  return c.expected as unknown as Summary;
};

describe("renderSummary", () => {
  it("draws the README's main-job tables from the pressure-frag case", () => {
    const text = renderSummary(caseSummary("pressure-frag.bin in frag.bin"), "test/fixtures/pressure-frag.bin");
    // The README pastes what `blkrx analyze` printed: these tables, then the store's note on stderr.
    const shown = /```text\n([\s\S]*?)blkrx: stored run/.exec(readFileSync(`${ROOT}README.md`, "utf8"))?.[1];
    expect(text).toBe(shown);
  });

  it("prints 263.0 MiB read, 87.7 MiB unique, 91.3 % coverage and 13 extents for pressure-frag", () => {
    const text = renderSummary(caseSummary("pressure-frag.bin in frag.bin"), "frag");
    expect(text).toMatch(/│ frag +│ 243 +│ 263\.0 MiB +│ 87\.7 MiB +│ 91\.3 +│ 13 +│/);
    expect(text).toMatch(/│ backward +│ 2\.5 +│ 0\.8 +│ 6 +│ 2 +│/);
  });

  it("shows '-' for coverage and extents without a file map, and for shares of a run without pairs", () => {
    const s = caseSummary("pressure-frag.bin whole device");
    expect(renderSummary(s)).toMatch(/│ run +│ \d+ +│ [\d.]+ (MiB|GiB) +│ [\d.]+ (MiB|GiB) +│ - +│ - +│/);
    const empty: Summary = { ...s, events: 1, gaps: { physical: { ...s.gaps.physical }, logical: s.gaps.logical } };
    expect(renderSummary(empty)).toMatch(/│ sequential +│ - +│ - +│/);
  });

  it("adds the skipped and dropped counts below the tables when the summary has them", () => {
    const s = { ...caseSummary("direct-frag.bin in frag.bin"), skipped: 4, dropped: 0 };
    expect(renderSummary(s).endsWith("skipped records: 4\ndropped events: 0\n")).toBe(true);
    expect(renderSummary(caseSummary("direct-frag.bin in frag.bin"))).not.toMatch(/skipped|dropped/);
  });
});

describe("percent", () => {
  it("is count / total with one decimal, '-' when there is nothing to divide by", () => {
    expect([percent(1, 3), percent(2, 2), percent(0, 5), percent(3, 0)]).toEqual(["33.3", "100.0", "0.0", "-"]);
  });
});
