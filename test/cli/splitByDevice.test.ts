import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contractOf } from "../helpers/cases.js";
import { blkrx, FIXTURES } from "../helpers/cli.js";
import { issuedRequests } from "../helpers/datasetFiles.js";

/** Alibaba CSV lines of a fixture's D events on volume `id` (µs since an epoch origin). */
async function alibabaLines(trace: string, id: number): Promise<{ t: number; line: string }[]> {
  const ds = await issuedRequests(join(FIXTURES, `${trace}.bin`));
  return ds.map((d) => {
    const t = 1577808144000000 + Math.floor(d.timeNs / 1000);
    return { t, line: `${id},${d.write ? "W" : "R"},${d.sector * 512},${d.bytes},${t}` };
  });
}

describe("blkrx analyze-many --split-by device", () => {
  it("turns one file holding two volumes into one run per volume, each as analyze gives it alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx-split-"));
    const a = await alibabaLines("pressure-frag", 419);
    const b = await alibabaLines("mmap-frag", 7);
    writeFileSync(join(dir, "419.csv"), `${a.map((r) => r.line).join("\n")}\n`);
    writeFileSync(join(dir, "7.csv"), `${b.map((r) => r.line).join("\n")}\n`);
    // Both volumes interleaved by time (stable: equal times keep each volume's order).
    const both = [...a, ...b].sort((x, y) => x.t - y.t);
    const mixed = join(dir, "both.csv");
    writeFileSync(mixed, `${both.map((r) => r.line).join("\n")}\n`);
    const flags = ["--extents", "frag.filefrag.txt", "--partition-start", "2048"];
    const r = await blkrx(["analyze-many", mixed, "--split-by", "device", "--json", ...flags]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const runs = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(runs.map((run) => run.device).sort()).toEqual(["alibaba:419", "alibaba:7"]);
    for (const run of runs) {
      const alone = await blkrx(["analyze", join(dir, `${run.device.slice(8)}.csv`), ...flags, "--json", "--no-db"]);
      expect(run.input).toBe(mixed);
      expect(run.events).toBeGreaterThan(0);
      expect(contractOf(run)).toEqual(contractOf(JSON.parse(alone.stdout)));
    }
    // Without the split, a file map over two volumes is refused (their sectors would mix), naming both.
    const whole = await blkrx(["analyze-many", mixed, "--json", ...flags]);
    expect(whole.exitCode).toBe(1);
    expect(whole.stderr).toContain("--device");
    // Without a file map the two volumes are one run (more events than either).
    const device = await blkrx(["analyze-many", mixed, "--json"]);
    const split = await blkrx(["analyze-many", mixed, "--split-by", "device", "--json"]);
    const perVolume = split.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).events as number);
    expect(JSON.parse(device.stdout).events).toBe((perVolume[0] ?? 0) + (perVolume[1] ?? 0));
    const table = await blkrx(["analyze-many", mixed, "--split-by", "device", ...flags]);
    expect(table.stdout).toContain("both.csv alibaba:419");
  });
});
