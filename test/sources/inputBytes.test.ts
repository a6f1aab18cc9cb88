import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../model/errors.js";
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

describe("inputBytes on gzip input whose reader stops early", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-gz-input-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 3 MiB of distinct lines: ~0.9 MiB compressed, far more than zlib's 16 KiB write buffer holds.
  const plain = Buffer.from(Array.from({ length: 100_000 }, (_, i) => `line ${i * 7919} of a text\n`).join(""));
  const gz = gzipSync(plain, { level: 1 });
  const path = join(dir, "big.gz");
  writeFileSync(path, gz);

  /** Read the first decompressed chunk, then stop, as a decoder that rejects the format does. */
  async function firstChunkThenStop(source: AsyncGenerator<Uint8Array>): Promise<number> {
    for await (const chunk of source) return chunk.length;
    return 0;
  }

  it("a file: stopping after the first chunk settles (it waited forever for a 'drain': exit 13)", async () => {
    expect(gz.length).toBeGreaterThan(16 << 10);
    expect(await firstChunkThenStop(inputBytes(path))).toBeGreaterThan(0);
  }, 10_000);

  it("a stream: stopping after the first chunk settles and releases the stream", async () => {
    const stream = Readable.from([gz.subarray(0, 100_000), gz.subarray(100_000)], { objectMode: false });
    expect(await firstChunkThenStop(inputBytes("-", stream))).toBeGreaterThan(0);
    expect(stream.destroyed).toBe(true);
  }, 10_000);

  it("a stream whose first chunk is one byte is still recognised as gzip", async () => {
    const small = gzipSync(plain.subarray(0, 5000));
    const stream = Readable.from([small.subarray(0, 1), small.subarray(1)], { objectMode: false });
    const chunks: Buffer[] = [];
    for await (const chunk of inputBytes("-", stream)) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).equals(plain.subarray(0, 5000))).toBe(true);
  });

  it("reading to the end gives every decompressed byte", async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of inputBytes(path)) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).equals(plain)).toBe(true);
  });

  it("damaged gzip data is one InputError naming the file", async () => {
    const cut = join(dir, "cut.gz");
    writeFileSync(cut, gz.subarray(0, gz.length >> 1));
    await expect(async () => {
      for await (const _ of inputBytes(cut)) {
        // consume
      }
    }).rejects.toThrow(InputError);
    await expect(async () => {
      for await (const _ of inputBytes(cut)) {
        // consume
      }
    }).rejects.toThrow(`${cut}: expected a complete gzip stream, found unexpected end of file`);
  });
});
