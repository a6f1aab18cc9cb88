import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inputBytes } from "../../sources/inputBytes.js";

describe("inputBytes on a plain file (synchronous reads)", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-input-"));
  // A sparse 200 MiB file: reading it costs no disk, and its last byte is known.
  const path = join(dir, "sparse.bin");
  const size = 200 * 1024 * 1024;
  const fd = openSync(path, "w");
  ftruncateSync(fd, size - 1);
  writeSync(fd, Buffer.from([0x5a]), 0, 1, size - 1);
  closeSync(fd);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("yields every byte, in order, in chunks of at most 1 MiB", async () => {
    let total = 0;
    let last = -1;
    let largest = 0;
    for await (const chunk of inputBytes(path)) {
      total += chunk.length;
      largest = Math.max(largest, chunk.length);
      last = chunk[chunk.length - 1] as number;
    }
    expect(total).toBe(size);
    expect(largest).toBe(1 << 20);
    expect(last).toBe(0x5a);
  });

  it("gives the event loop turns while it reads (timers, signals, worker messages are served)", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      for await (const _ of inputBytes(path)) {
        // consume
      }
    } finally {
      clearInterval(timer);
    }
    // 200 chunks with a turn every 64: at least 3 turns, each long enough for a 0 ms interval to fire.
    expect(ticks).toBeGreaterThanOrEqual(2);
  });

  it("a directory is refused with its name", async () => {
    await expect(async () => {
      for await (const _ of inputBytes(dir)) {
        // never reached
      }
    }).rejects.toThrow(`${dir}: expected a trace file, found a directory`);
  });
});
