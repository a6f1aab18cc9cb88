import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpuOf, movedToDevice, onlyRecords } from "../helpers/binaryTrace.js";
import { blkrx, FIXTURES } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-merged-"));
const PRESSURE = join(FIXTURES, "pressure-frag.bin");
const LEAD = "blkrx: the inputs were merged by time into one run, but they are not one trace";

// seq-contig.bin as if traced on 8,0.
const onSdb = join(dir, "sdb.bin");
writeFileSync(onSdb, movedToDevice(readFileSync(join(FIXTURES, "seq-contig.bin")), 8, 0));
// pressure-frag.bin as the per-CPU set blktrace writes: one file per CPU.
const bin = readFileSync(PRESSURE);
const cpus: number[] = [];
for (const cpu of [0, 1, 2, 3]) {
  const part = onlyRecords(bin, (r) => cpuOf(r) === cpu);
  if (part.length > 0) {
    writeFileSync(join(dir, `set.blktrace.${cpu}`), part);
    cpus.push(cpu);
  }
}

describe("several inputs are merged into one run, with a warning when they are not one trace", () => {
  it("the same file twice: merged (494 events, twice 247), and a warning names the repeated records", async () => {
    const r = await blkrx(["analyze", PRESSURE, PRESSURE, "--json", "--no-db"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).events).toBe(494);
    expect(r.stderr).toBe(
      `${LEAD}: 247 records of ${PRESSURE} repeat records of ${PRESSURE} (the same trace given twice?)`,
    );
    const cat = await blkrx(["cat", PRESSURE, PRESSURE]);
    expect(cat.stdout.trim().split("\n")).toHaveLength(2 * 2773);
    expect(cat.stderr).toBe(
      `${LEAD}: 2,773 records of ${PRESSURE} repeat records of ${PRESSURE} (the same trace given twice?)`,
    );
  });

  it("inputs of different devices: merged, and a warning lists each input's devices", async () => {
    const r = await blkrx(["analyze", PRESSURE, onSdb, "--json", "--no-db"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).events).toBe(247 + 80);
    expect(r.stderr).toBe(`${LEAD}: they hold different devices (${PRESSURE}: 7,0; ${onSdb}: 8,0)`);
  });

  it("a per-CPU set, by base name or file by file, is one trace: no warning, the one-file numbers", async () => {
    expect(cpus.length).toBeGreaterThan(1);
    const whole = JSON.parse((await blkrx(["analyze", PRESSURE, "--json", "--no-db"])).stdout);
    const byName = await blkrx(["analyze", join(dir, "set"), "--json", "--no-db"]);
    const byFile = await blkrx(["analyze", ...cpus.map((c) => join(dir, `set.blktrace.${c}`)), "--json", "--no-db"]);
    for (const r of [byName, byFile]) {
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual(whole);
    }
  });

  it("--help says the inputs are merged", async () => {
    for (const command of ["analyze", "cat", "plot", "latency"]) {
      const help = (await blkrx([command, "--help"])).stdout.replace(/\s+/g, " ");
      expect(help, command).toMatch(/merged by time into one run/);
    }
  });
});
