import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { openStore } from "../../sinks/duckdb/index.js";
import { BIN, blkrx, ROOT } from "../helpers/cli.js";
import { kernelTraceState, leftoverProcesses } from "./kernelTraceState.js";
import { liveSkipReason, useLiveLoopDisk } from "./loopDisk.js";

const skip = liveSkipReason();
if (skip) console.warn(`skipping blkrx run tests: ${skip}`);
const WORKLOAD = join(ROOT, "test/live/workload.py");

describe.skipIf(skip !== undefined)("blkrx run", () => {
  const disk = useLiveLoopDisk();

  const run = (args: string[]) =>
    blkrx(["run", "--file", disk.file, "--drop-caches", "--json", ...args], { cwd: disk.dir });

  it("blkrx run measures the direct workload exactly and leaves tracefs and sysfs as they were", async () => {
    const before = kernelTraceState(disk.name);
    const truth = join(disk.dir, "truth.json");
    const r = await run(["--no-db", "--", "python3", WORKLOAD, "direct", disk.file, truth]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.events).toBe(22);
    expect(out.readBytes).toBe(1703936);
    expect(out.uniqueBytes).toBe(1638400);
    expect(out.gaps.physical).toEqual({ sequential: 15, small: 1, medium: 1, large: 2, backward: 2 });
    expect(out.extents).toBe(1);
    expect(out.dropped).toBe(0);
    expect(out.interrupted).toBe(false);
    expect(JSON.parse(readFileSync(truth, "utf8")).reads).toHaveLength(22);
    expect(kernelTraceState(disk.name)).toEqual(before);
    expect(leftoverProcesses(disk.file)).toEqual([]);
  }, 60_000);

  it("blkrx run --mem-limit 40M makes the mmap workload re-read pages; without a limit every page is read once", async () => {
    const mmap = ["--", "python3", WORKLOAD, "mmap", disk.file, "8", "3"];
    const free = JSON.parse((await run(["--no-db", ...mmap])).stdout);
    expect(free.readBytes).toBe(free.uniqueBytes);
    expect(free.uniqueBytes).toBe(91910144);
    const limited = await run(["--no-db", "--mem-limit", "40M", ...mmap]);
    expect(limited.exitCode).toBe(0);
    const out = JSON.parse(limited.stdout);
    expect(out.readBytes).toBeGreaterThan(out.uniqueBytes);
    expect(out.uniqueBytes).toBe(91910144);
    expect(out.memLimitBytes).toBe(41943040);
    expect(typeof out.pageCacheDeltaBytes).toBe("number");
    expect(out.peakRssBytes).toBeGreaterThan(0);
    expect(out.peakRssBytes).toBeLessThanOrEqual(41943040);
    expect(readFileSync("/proc/self/cgroup", "utf8")).not.toMatch(/blkrx\./);
  }, 90_000);

  it("blkrx run --phase-marker splits the run at the marker line; phase counts add up to the whole run", async () => {
    const script = `python3 ${WORKLOAD} direct ${disk.file} /dev/null; echo LOADED; sleep 0.3; python3 ${WORKLOAD} direct ${disk.file} /dev/null`;
    const r = await run(["--no-db", "--phase-marker", "^LOADED$", "--", "bash", "-c", script]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.events).toBe(44);
    expect(out.phases.map((p: { name: string }) => p.name)).toEqual(["start", "LOADED"]);
    expect(out.phases.map((p: { events: number }) => p.events)).toEqual([22, 22]);
    const sum = (key: string) => out.phases.reduce((n: number, p: Record<string, number>) => n + (p[key] as number), 0);
    expect(sum("readBytes")).toBe(out.readBytes);
    for (const c of ["sequential", "small", "medium", "large", "backward"]) {
      expect(out.phases[0].gaps.physical[c] + out.phases[1].gaps.physical[c]).toBe(out.gaps.physical[c]);
    }
    expect(out.phases[0].gaps.physical).toEqual({ sequential: 15, small: 1, medium: 1, large: 2, backward: 2 });
  }, 60_000);

  it("blkrx run stops on SIGINT, stores the events so far, restores the kernel and leaves no process behind", async () => {
    const before = kernelTraceState(disk.name);
    const db = join(disk.dir, "interrupted.duckdb");
    // dd reads some of the file before "started": python can take seconds to start on a loaded machine.
    const script = `dd if=${disk.file} of=/dev/null bs=1M count=4 iflag=direct status=none; echo started; exec python3 ${WORKLOAD} mmap ${disk.file} 8 500`;
    const child = execa(
      "node",
      [
        BIN,
        "run",
        "--file",
        disk.file,
        "--drop-caches",
        "--json",
        "--db",
        db,
        "--mem-limit",
        "40M",
        "--",
        "bash",
        "-c",
        script,
      ],
      { cwd: disk.dir, reject: false, encoding: "utf8" },
    );
    await new Promise<void>((resolve) => {
      child.stderr?.on("data", (c: Buffer) => {
        if (c.toString().includes("started")) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(130);
    const out = JSON.parse(r.stdout);
    expect(out.interrupted).toBe(true);
    expect(out.events).toBeGreaterThan(0);
    expect(kernelTraceState(disk.name)).toEqual(before);
    expect(leftoverProcesses(disk.file)).toEqual([]);
    const store = await openStore(db);
    try {
      const rows = (
        await store.connection.runAndReadAll(`select count(*) from events where run_id = ${out.runId}`)
      ).getRowsJS();
      expect(Number(rows[0]?.[0])).toBe(out.events);
    } finally {
      store.close();
    }
  }, 90_000);
});
