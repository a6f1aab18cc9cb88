import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deviceOfOption } from "../../pipeline/deviceOption.js";
import { withCopyOnDevice } from "../helpers/binaryTrace.js";
import { CASES, contractOf } from "../helpers/cases.js";
import { blkrx, FIXTURES } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-device-"));
// pressure-frag.bin is a trace of 7,0; this one also holds a copy of each of its D events on 8,0.
const twoDevices = join(dir, "two-devices.bin");
writeFileSync(twoDevices, withCopyOnDevice(readFileSync(join(FIXTURES, "pressure-frag.bin")), 8, 0));
const range = ["--extents", "frag.filefrag.txt", "--partition-start", "2048"];
const expected = CASES.find((c) => c.name === "pressure-frag.bin in frag.bin")?.expected ?? {};

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe("--device", () => {
  it("with extents and two devices in the input, analyze refuses, listing the devices and their counts", async () => {
    const r = await blkrx(["analyze", twoDevices, ...range, "--json", "--no-db"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toBe(
      `blkrx: Cannot restrict the events of ${twoDevices} to the file's sectors: they hold D reads of 2 devices (7,0: 247 events, 8,0: 247 events) and the extents are on one of them, so choose it with --device (got no --device)`,
    );
  });

  it("--device 7:0, 7,0 and 8,0 each give the one-device numbers (243 events, not 486)", async () => {
    for (const device of ["7:0", "7,0", "8,0"]) {
      const r = await blkrx(["analyze", twoDevices, ...range, "--device", device, "--json", "--no-db"]);
      expect(r.exitCode, device).toBe(0);
      expect(contractOf(JSON.parse(r.stdout)), device).toEqual(contractOf(expected));
    }
  });

  it("a device name is resolved through /sys/class/block/NAME/dev", () => {
    const names = readdirSync("/sys/class/block");
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const [major, minor] = readFileSync(`/sys/class/block/${name}/dev`, "utf8").trim().split(":").map(Number);
      const want = (((major as number) << 20) | (minor as number)) >>> 0;
      expect(deviceOfOption(name)).toBe(want);
      expect(deviceOfOption(`/dev/${name}`)).toBe(want);
    }
    expect(() => deviceOfOption("no-such-disk")).toThrow(/Cannot select --device no-such-disk/);
  });

  it("without extents the whole input counts (both devices), and --device selects one", async () => {
    const both = JSON.parse((await blkrx(["analyze", twoDevices, "--json", "--no-db"])).stdout);
    expect(both.events).toBe(494);
    const one = JSON.parse((await blkrx(["analyze", twoDevices, "--device", "8:0", "--json", "--no-db"])).stdout);
    expect(one.events).toBe(247);
  });

  it("analyze-many, plot, cat and latency take --device too", async () => {
    const many = await blkrx(["analyze-many", twoDevices, ...range, "--device", "7,0", "--json"]);
    expect(many.exitCode).toBe(0);
    expect(contractOf(JSON.parse(many.stdout))).toEqual(contractOf(expected));
    const refused = await blkrx(["analyze-many", twoDevices, ...range, "--json"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/7,0: 247 events, 8,0: 247 events/);

    const svg = join(dir, "a.svg");
    const plot = await blkrx(["plot", twoDevices, ...range, "--device", "8,0", "--out", svg]);
    expect(plot.exitCode).toBe(0);
    expect(plot.stderr).toContain(`(${expected.events} events)`);
    expect((await blkrx(["plot", twoDevices, ...range, "--out", svg])).exitCode).toBe(1);

    const cat = await blkrx(["cat", twoDevices, "--device", "8,0"]);
    const lines = cat.stdout.trim().split("\n");
    expect(lines).toHaveLength(248); // the D copies, reads and the one write
    expect(lines.every((l) => /^\s*8,0\s/.test(l))).toBe(true);

    const alone = await blkrx(["latency", "pressure-frag.bin", ...range, "--json"]);
    const chosen = await blkrx(["latency", twoDevices, ...range, "--device", "7,0", "--json"]);
    expect(chosen.exitCode).toBe(0);
    expect(JSON.parse(chosen.stdout)).toEqual(JSON.parse(alone.stdout));
    const mixed = await blkrx(["latency", twoDevices, ...range, "--json"]);
    expect(mixed.exitCode).toBe(1);
    expect(oneLine(mixed.stderr)).toMatch(/events of 2 devices \(7,0: 2,773 events, 8,0: 248 events\)/);
  });

  it("analyze --raw --device stores that device's raw events and names the device in the run", async () => {
    const db = join(dir, "raw.duckdb");
    const r = await blkrx(["analyze", twoDevices, ...range, "--device", "7,0", "--raw", "--db", db, "--json"]);
    expect(r.exitCode).toBe(0);
    const rows = await blkrx([
      "sql",
      "select count(*) as n, min(device) as lo, max(device) as hi from raw_events",
      "--db",
      db,
      "--json",
    ]);
    expect(JSON.parse(rows.stdout)).toEqual([{ n: 2773, lo: 7 << 20, hi: 7 << 20 }]);
    const run = await blkrx(["sql", "select device from runs", "--db", db, "--json"]);
    expect(JSON.parse(run.stdout)).toEqual([{ device: "7,0" }]);
  });
});
