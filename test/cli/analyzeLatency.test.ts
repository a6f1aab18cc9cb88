import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";
import { skewedCpuTrace } from "../helpers/traces.js";

describe("analyze --latency", () => {
  it("adds the latency report under `latency`, keeping the contract keys unchanged", async () => {
    const flags = [
      "direct-contig.bin",
      "--extents",
      "contig.filefrag.txt",
      "--partition-start",
      "2048",
      "--json",
      "--no-db",
    ];
    const plain = JSON.parse((await blkrx(["analyze", ...flags])).stdout);
    const withLatency = JSON.parse((await blkrx(["analyze", ...flags, "--latency"])).stdout);
    const { latency, ...rest } = withLatency;
    expect(rest).toEqual(plain);
    // 22 O_DIRECT reads of the file: each one is queued, issued and completed once.
    expect(latency.by).toBe("device");
    expect(latency.overall.intervals.d2c.n).toBe(22);
    expect(latency.overall.intervals.q2c.n).toBe(22);
    const standalone = JSON.parse(
      (
        await blkrx([
          "latency",
          "direct-contig.bin",
          "--extents",
          "contig.filefrag.txt",
          "--partition-start",
          "2048",
          "--json",
        ])
      ).stdout,
    );
    expect(latency).toEqual(standalone);
  });

  it("pressure-contig.bin (107 X splits): the report and the stored requests equal `blkrx latency`'s 218 bios", async () => {
    // The split's new sector is in the X record's payload; without it the halves never meet their D and C.
    const dir = mkdtempSync(join(tmpdir(), "blkrx-analyze-latency-"));
    try {
      const db = join(dir, "runs.duckdb");
      const range = ["--extents", "contig.filefrag.txt", "--partition-start", "2048"];
      const analyzed = await blkrx(["analyze", "pressure-contig.bin", ...range, "--latency", "--json", "--db", db]);
      expect(analyzed.exitCode).toBe(0);
      const { latency } = JSON.parse(analyzed.stdout);
      const standalone = JSON.parse((await blkrx(["latency", "pressure-contig.bin", ...range, "--json"])).stdout);
      expect({ requests: latency.requests, unmatched: latency.unmatched, pending: latency.pending }).toEqual({
        requests: 218,
        unmatched: 0,
        pending: 0,
      });
      expect(latency).toEqual(standalone);
      const stored = await blkrx(["sql", "--db", db, "--json", "select count(*) as n from requests"]);
      expect(JSON.parse(stored.stdout)).toEqual([{ n: 218 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("blkrx latency on CPUs whose clocks disagree", () => {
  it("reports the skewed interval (G stamped 300 ns before its Q) as 1 ns and counts it, in JSON and in the table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx-skew-"));
    try {
      const path = join(dir, "skewed.bin");
      writeFileSync(path, skewedCpuTrace());
      const json = JSON.parse((await blkrx(["latency", path, "--json"])).stdout);
      expect({ skewed: json.skewed, requests: json.requests, q2g: json.overall.intervals.q2g.n }).toEqual({
        skewed: 1,
        requests: 120,
        q2g: 119,
      });
      expect(json.overall.intervals.q2g.min).toBe(1);
      const table = (await blkrx(["latency", path])).stdout;
      expect(table).toContain("skewed intervals (end stamped before start, counted as 1 ns) 1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
