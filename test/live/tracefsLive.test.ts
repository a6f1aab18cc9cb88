import { execa } from "execa";
import { lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { newLiveStats } from "../../sources/liveFraming.js";
import { tracefsLive } from "../../sources/tracefsLive.js";
import { liveSkipReason, useLiveLoopDisk } from "./loopDisk.js";

const skip = liveSkipReason();
if (skip) console.warn(`skipping tracefsLive tests: ${skip}`);

describe.skipIf(skip !== undefined)("tracefsLive", () => {
  const disk = useLiveLoopDisk();

  it("tracefsLive emits the O_DIRECT reads of dd as they happen", async () => {
    const stats = newLiveStats();
    let done!: () => void;
    const stop = new Promise<void>((r) => {
      done = r;
    });
    const batches = await lastValueFrom(
      tracefsLive({
        device: disk.loop,
        stats,
        stop,
        onStart: () => {
          void execa("dd", [`if=${disk.file}`, "of=/dev/null", "bs=64K", "count=16", "iflag=direct"]).then(() =>
            done(),
          );
        },
      }).pipe(toArray()),
    );
    const all = batches.flatMap((b) => Array.from({ length: b.length }, (_, i) => b.action[i] as number));
    const issues = all.filter((a) => (a & 0xffff) === 7 && (a & (1 << 16)) !== 0);
    expect(issues.length).toBe(16);
    expect(stats.tracer).toBe("tracefs");
    expect(stats.dropped).toBe(0);
  }, 30_000);
});
