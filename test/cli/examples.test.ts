import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

describe("examples run and print the fixture's real numbers", () => {
  it("replay.ts", async () => {
    const r = await execa("node", [`${ROOT}dist/examples/replay.js`]);
    expect(r.stdout).toContain("events 243, read 275730432 B, unique 91910144 B");
    expect(r.stdout).toContain("coverage 91.3 %, each unique byte read 3.00×");
    expect(r.stdout).toContain("backward seeks: physical 6, logical 2");
  });
  it("custom-operator.ts", async () => {
    const r = await execa("node", [`${ROOT}dist/examples/custom-operator.js`]);
    expect(r.stdout).toBe("requests >= 1 MiB: 77 (100663296 bytes); per-event count agrees: true");
  });
});

describe("blkrx plot", () => {
  it("writes an SVG access map of the kept events", async () => {
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const out = join(mkdtempSync(join(tmpdir(), "blkrx-plot-")), "access.svg");
    const { blkrx } = await import("../helpers/cli.js");
    const r = await blkrx([
      "plot",
      "pressure-frag.bin",
      "--extents",
      "frag.filefrag.txt",
      "--partition-start",
      "2048",
      "--out",
      out,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(`blkrx: wrote ${out} (243 events)`);
    const svg = readFileSync(out, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("time (243 events)");
  });
});
