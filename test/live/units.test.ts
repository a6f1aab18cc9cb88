import { readFileSync } from "node:fs";
import { join } from "node:path";
import { from, lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { concatBatches } from "../../model/batch.js";
import { phaseNames, phases } from "../../operators/phases.js";
import { splitDev } from "../../pipeline/device.js";
import { parseSmapsRollup } from "../../pipeline/experiment/memorySampling.js";
import { parseLlamaTimings, tokenTiming } from "../../pipeline/experiment/tokens.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { parseDropped } from "../../sources/blktraceLive.js";
import { LiveDecoder, newLiveStats } from "../../sources/liveFraming.js";
import { FIXTURES } from "../helpers/cli.js";

const BIN = new Uint8Array(readFileSync(join(FIXTURES, "direct-contig.bin")));

describe("phases", () => {
  it("phases sets the phase column by time; an event at a boundary starts the new phase", async () => {
    const dec = new BinaryDecoder({ file: "x" });
    const all = concatBatches([...dec.push(BIN), ...dec.end()]);
    const t = all.time[10] as number;
    expect(all.time[9]).toBeLessThan(t);
    const [out] = await lastValueFrom(from([all]).pipe(phases({ boundaries: [t] }), toArray()));
    expect(out?.phase?.[9]).toBe(0);
    expect(out?.phase?.[10]).toBe(1);
    expect(out?.phase?.[all.length - 1]).toBe(1);
    expect(phaseNames({ boundaries: [t] })).toEqual(["phase 0", "phase 1"]);
  });

  it("phases refuses boundaries that are not ascending", () => {
    expect(() => phases({ boundaries: [5, 1] })).toThrow(RangeError);
  });
});

describe("LiveDecoder", () => {
  it("LiveDecoder emits every whole record at once, whatever the chunking", () => {
    const stats = newLiveStats();
    const dec = new LiveDecoder("x", stats);
    let n = 0;
    for (let i = 0; i < BIN.length; i += 100) n += dec.push(BIN.subarray(i, i + 100)).reduce((k, b) => k + b.length, 0);
    const whole = new BinaryDecoder();
    const expected = [...whole.push(BIN), ...whole.end()].reduce((k, b) => k + b.length, 0);
    expect(n).toBe(expected);
    expect(stats.records).toBe(expected);
    expect(dec.pendingBytes).toBe(0);
    expect(stats.firstRecordNs).toBeGreaterThan(0);
    const partial = new LiveDecoder("x", newLiveStats());
    expect(partial.push(BIN.subarray(0, 47))).toEqual([]);
    expect(partial.pendingBytes).toBe(47);
  });
});

describe("experiment parsers", () => {
  it("parseLlamaTimings reads the eval line, not the prompt eval line", () => {
    const text = [
      "llama_perf_context_print: prompt eval time =     100.00 ms /     8 tokens (   12.50 ms per token,    80.00 tokens per second)",
      "llama_perf_context_print:        eval time =    1234.50 ms /    99 runs   (   12.47 ms per token,    80.19 tokens per second)",
    ].join("\n");
    expect(parseLlamaTimings(text)).toEqual({ tokens: 99, tokensPerSecond: 80.19 });
    expect(tokenTiming({ tokens: 100, wallSeconds: 20, output: text })).toEqual({ tokens: 100, tokensPerSecond: 5 });
    expect(parseLlamaTimings("nothing")).toBeUndefined();
  });

  it("parseSmapsRollup splits RSS into anonymous and file-backed bytes", () => {
    expect(parseSmapsRollup("Rss:                2048 kB\nPss: 1 kB\nAnonymous:          1024 kB\n")).toEqual({
      rssBytes: 2097152,
      anonBytes: 1048576,
      fileBytes: 1048576,
    });
  });

  it("parseDropped reads blktrace's total line", () => {
    expect(parseDropped("=== sda ===\n  CPU  0: 10 events\n  Total:  120 events (dropped 7),  6 KiB data\n")).toBe(7);
    expect(parseDropped("")).toBe(0);
  });

  it("splitDev decodes glibc dev_t numbers", () => {
    expect(splitDev(66304)).toEqual([259, 0]);
    expect(splitDev(2049)).toEqual([8, 1]);
  });
});

describe("startMlockHelper", () => {
  const why = process.getuid?.() !== 0 ? "it needs root (mlock limits)" : undefined;
  if (why) console.warn(`skipping startMlockHelper: ${why}`);
  it.skipIf(why !== undefined)("startMlockHelper locks the requested memory until stopped", async () => {
    const { startMlockHelper } = await import("../../pipeline/experiment/mlockHelper.js");
    const helper = await startMlockHelper(8 * 2 ** 20);
    const status = readFileSync(`/proc/${helper.pid}/status`, "utf8");
    expect(Number(/VmLck:\s+(\d+) kB/.exec(status)?.[1])).toBe(8192);
    await helper.stop();
    expect(() => process.kill(helper.pid, 0)).toThrow();
  });
});
