import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { concatBatches, type EventBatch, takeRows } from "../../model/batch.js";
import { encodeBinary } from "../../sinks/binaryWriter.js";
import { traceBatches } from "../../sources/fromTrace.js";
import { orderWithinWindow } from "../../sources/orderByTime.js";
import { decodedFixture } from "../helpers/decode.js";

async function collect(it: AsyncIterable<EventBatch>): Promise<EventBatch> {
  const out: EventBatch[] = [];
  for await (const b of it) out.push(b);
  return concatBatches(out);
}

async function* once(...batches: EventBatch[]): AsyncGenerator<EventBatch> {
  yield* batches;
}

describe("time order", () => {
  const all = decodedFixture("pressure-frag");

  it("a per-CPU set (NAME.blktrace.N) merges by time into the original order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx-percpu-"));
    const cpus = [...new Set(Array.from(all.cpu))].sort();
    expect(cpus.length).toBeGreaterThan(1);
    for (const cpu of cpus) {
      const rows = Uint32Array.from(Array.from(all.cpu.keys()).filter((i) => all.cpu[i] === cpu));
      writeFileSync(join(dir, `trace.blktrace.${cpu}`), encodeBinary(takeRows(all, rows, rows.length)));
    }
    const merged = await collect(traceBatches([join(dir, "trace")]));
    expect(merged.length).toBe(all.length);
    expect(Array.from(merged.time)).toEqual(Array.from(all.time));
    expect(Array.from(merged.sector)).toEqual(Array.from(all.sector));
  });

  it("a shuffled merged stream is re-ordered within the window, ties kept stable", async () => {
    const n = all.length;
    // Reverse blocks of 50 events: every event is at most 50 positions from its place.
    const rows = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const block = Math.floor(i / 50) * 50;
      rows[i] = Math.min(n - 1, block + (Math.min(block + 50, n) - 1 - i));
    }
    const shuffled = takeRows(all, rows, n);
    const half = Math.floor(n / 2);
    const a = takeRows(
      shuffled,
      Uint32Array.from({ length: half }, (_, i) => i),
      half,
    );
    const b = takeRows(
      shuffled,
      Uint32Array.from({ length: n - half }, (_, i) => half + i),
      n - half,
    );
    const sorted = await collect(orderWithinWindow(once(a, b), 256));
    const times = Array.from(sorted.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(sorted.length).toBe(n);
  });

  it("in-order batches pass through untouched (same objects)", async () => {
    const out: EventBatch[] = [];
    for await (const b of orderWithinWindow(once(all), 16)) out.push(b);
    expect(out[0]).toBe(all);
  });
});

describe("fromStream", () => {
  it("names the stream in errors with its `file` option", async () => {
    const { Readable } = await import("node:stream");
    const { firstValueFrom } = await import("rxjs");
    const { fromStream } = await import("../../sources/fromTrace.js");
    const bad = Readable.from([Buffer.from("not a trace at all\n")]);
    await expect(firstValueFrom(fromStream(bad, { file: "blktrace pipe" }))).rejects.toThrow(
      /^blktrace pipe: expected a block trace/,
    );
  });
});
