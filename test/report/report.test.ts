import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { GGUF_PLOT_NAMES, VEGA_PLOT_NAMES } from "../../sinks/plots/names.js";
import { formatBytes } from "../../sinks/units.js";
import { chromiumPath, visitPage } from "../helpers/chromium.js";
import { blkrx } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-report-"));
const db = join(dir, "runs.duckdb");
const out = join(dir, "report.html");
const chromium = chromiumPath();
if (!chromium)
  console.log("report browser test skipped: Debian's chromium is not installed (apt-get install chromium)");

interface PageFacts {
  tables: string[][][];
  figures: { plot: string; run: string; svg: boolean; missing: string | null; width: number }[];
  headings: string[];
}

const FACTS = `(() => ({
  tables: [...document.querySelectorAll("table")].map((t) => [...t.rows].map((r) => [...r.cells].map((c) => c.textContent.trim()))),
  figures: [...document.querySelectorAll("figure.plot")].map((f) => ({
    plot: f.dataset.plot, run: f.dataset.run, svg: !!f.querySelector("svg"),
    missing: f.querySelector(".missing")?.textContent ?? null, width: f.getBoundingClientRect().width })),
  headings: [...document.querySelectorAll("h2")].map((h) => h.textContent),
}))()`;

describe("blkrx report", () => {
  beforeAll(async () => {
    for (const [bin, extents, label, raw] of [
      ["pressure-frag.bin", "frag.filefrag.txt", "frag", ["--raw"]],
      ["pressure-contig.bin", "contig.filefrag.txt", "contig", []],
    ] as const) {
      const r = await blkrx([
        "analyze",
        bin,
        "--extents",
        extents,
        "--partition-start",
        "2048",
        "--db",
        db,
        "--label",
        label,
        ...raw,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const r = await blkrx(["report", "--run", "1", "2", "--db", db, "--out", out]);
    expect(r.exitCode, r.stderr).toBe(0);
  }, 120_000);

  it("writes one self-contained file: no script, no external URL, the font inlined", () => {
    const html = readFileSync(out, "utf8");
    expect(html).not.toMatch(/<script|<link|<img|src="http|href="http|@import/i);
    expect(html).toMatch(/@font-face \{ font-family: "DejaVu Sans"; src: url\(data:font\/ttf;base64,/);
  });

  it.skipIf(!chromium)(
    "the browser check sees console errors and network requests when a page has them",
    async () => {
      const bad = join(dir, "bad.html");
      writeFileSync(bad, `<p>x</p><img src="http://example.invalid/x.png"><script>console.error("boom")</script>`);
      const visit = await visitPage(pathToFileURL(bad).href, "1 + 1");
      expect(visit.requests).toEqual(["http://example.invalid/x.png"]);
      expect(visit.errors.some((e) => e.includes("boom"))).toBe(true);
      expect(visit.value).toBe(2);
    },
    60_000,
  );

  it.skipIf(!chromium)(
    "opens in headless Chromium with no console error and no network request, both runs' tables and every plot on the page",
    async () => {
      const visit = await visitPage(pathToFileURL(out).href, FACTS);
      writeFileSync(join(dir, "report.png"), visit.screenshot);
      expect(visit.errors).toEqual([]);
      expect(visit.requests).toEqual([]);
      expect(visit.screenshot.subarray(1, 4).toString()).toBe("PNG");
      const facts = visit.value as PageFacts;
      const [results, gaps, params] = facts.tables;
      // Results: header + one row per run, named by label, with the study's numbers in binary units.
      expect(results?.map((r) => r[0])).toEqual(["configuration", "frag", "contig"]);
      expect(results?.[1]?.[1]).toBe("D"); // the actions counted
      expect(results?.[1]?.[3]).toBe("13");
      expect(results?.[2]?.[3]).toBe("1");
      expect(results?.[1]?.[7]).toBe(formatBytes(275730432));
      expect(results?.[1]?.[7]).toBe("263.0 MiB");
      expect(gaps?.slice(1).map((r) => `${r[0]} ${r[1]}`)).toEqual([
        "frag physical",
        "frag logical",
        "contig physical",
        "contig logical",
      ]);
      expect(params?.[0]).toEqual(["parameter", "run 1", "run 2"]);
      // Every plot kind for both runs; run 2 was stored without --raw, so its latency says why instead.
      for (const name of VEGA_PLOT_NAMES.filter((n) => !GGUF_PLOT_NAMES.includes(n))) {
        for (const run of ["1", "2"]) {
          const fig = facts.figures.find((f) => f.plot === name && f.run === run);
          expect(fig, `${name} of run ${run}`).toBeDefined();
          const latency = name.startsWith("latency");
          expect(fig?.svg, `${name} of run ${run}`).toBe(!(latency && run === "2"));
          if (latency && run === "2") expect(fig?.missing).toMatch(/stored without --raw/);
        }
      }
      // Laptop width: two runs side by side.
      const offset = facts.figures.filter((f) => f.plot === "offset");
      expect(offset.every((f) => f.width > 400 && f.width < 700)).toBe(true);
    },
    120_000,
  );
});
