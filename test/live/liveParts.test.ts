import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../../pipeline/analyze.js";
import { watchDrops } from "../../pipeline/experiment/liveNotices.js";
import { PhaseClock } from "../../pipeline/experiment/phaseClock.js";
import { renderLiveLine } from "../../sinks/liveView.js";
import { fromTrace } from "../../sources/fromTrace.js";
import { newLiveStats } from "../../sources/liveFraming.js";
import { oncePerBoot } from "../../sources/liveSource.js";
import { FIXTURES } from "../helpers/cli.js";

describe("live status line", () => {
  it("renderLiveLine fits 80 columns, keeps the most important fields and labels sizes in MiB", async () => {
    const summary = await analyze(fromTrace([join(FIXTURES, "mmap-contig.bin")]));
    const line = renderLiveLine(summary, 1234.5, 123456, { dropped: 98765, width: 79 });
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/^1234\.5 s {2}123456 ev\/s {2}read [\d.]+ MiB {2}unique [\d.]+ MiB {2}drops 98765/);
    const wide = renderLiveLine(summary, 1, 1, { dropped: 0 });
    expect(wide).toContain(`events ${summary.events}`);
    expect(wide).toContain("seq ");
    expect(renderLiveLine(summary, 1, 1, { width: 20 }).length).toBeLessThanOrEqual(20);
  });
});

describe("PhaseClock", () => {
  it("--phase-at boundaries count from the workload's start; starts are reported on that clock", () => {
    const stats = newLiveStats();
    stats.firstRecordNs = 10_400_000_000; // first record 0.4 s after the workload started at 10 s
    const clock = new PhaseClock(stats, [0.8, 1.6], "phase 0");
    clock.start(10_000_000_000);
    expect(clock.phaseOf(0)).toBe(0); // 0.4 s after the start
    expect(clock.phaseOf(399_999_999)).toBe(0);
    expect(clock.phaseOf(400_000_000)).toBe(1); // exactly 0.8 s: the new phase
    expect(clock.phaseOf(1_200_000_000)).toBe(2);
    expect(clock.startsNs()).toEqual([0, 800_000_000, 1_600_000_000]);
    expect(clock.phaseNames()).toEqual(["phase 0", "phase 1", "phase 2"]);
  });

  it("markers open phases as they are seen; a marker before the first record still starts at ≥ 0", () => {
    const stats = newLiveStats();
    stats.firstRecordNs = 5_000_000_000;
    const clock = new PhaseClock(stats, [], "start");
    clock.start(4_000_000_000);
    clock.mark(4_500_000_000, "LOADED");
    expect(clock.phaseOf(0)).toBe(1);
    expect(clock.startsNs()).toEqual([0, 500_000_000]);
    expect(clock.phaseNames()).toEqual(["start", "LOADED"]);
  });
});

describe("loss notices", () => {
  it("watchDrops says how many events were lost and since when, once per increase, and the rest when stopped", () => {
    const stats = newLiveStats();
    stats.startedNs = 1_000_000_000;
    const lines: string[] = [];
    const stop = watchDrops(stats, (l) => lines.push(l));
    stats.dropped = 1234;
    stats.firstDropNs = 3_500_000_000;
    stats.bufferKb = 16384;
    stop();
    expect(lines).toEqual([
      "blkrx: WARNING: 1,234 events lost since 2.5 s (+1,234): the kernel or the reader could not keep up; every count below misses them; a larger --buffer-size (now 16384 KiB per CPU) may help",
    ]);
  });
});

describe("oncePerBoot", () => {
  it("is true the first time for a key and false after, in the same boot", () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx-boot-"));
    try {
      expect(oncePerBoot("k", dir)).toBe(true);
      expect(oncePerBoot("k", dir)).toBe(false);
      expect(oncePerBoot("other", dir)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
