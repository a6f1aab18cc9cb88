import { describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

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
});
