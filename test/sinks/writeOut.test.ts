import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { writeOut } from "../../sinks/writeOut.js";

/** A slow sink with a tiny buffer: it takes one chunk per tick and remembers what it got. */
function slowSink(fail?: Error) {
  const got: string[] = [];
  const stream = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _encoding, done) {
      got.push(chunk.toString());
      setImmediate(() => done(fail));
    },
  });
  return { stream, got };
}

describe("writeOut", () => {
  it("returns at once while the stream's buffer has room", async () => {
    const { stream, got } = slowSink();
    await writeOut(stream, "ab");
    expect(stream.writableLength).toBe(2); // accepted, not yet written: no wait was needed
    await new Promise((resolve) => stream.end(resolve));
    expect(got).toEqual(["ab"]);
  });

  it("waits for the stream to drain when its buffer is full, so the producer never runs ahead", async () => {
    const { stream, got } = slowSink();
    for (const text of ["first chunk", "second chunk", "third"]) {
      await writeOut(stream, text);
      expect(stream.writableLength).toBe(0); // drained before the next write
    }
    expect(got).toEqual(["first chunk", "second chunk", "third"]);
  });

  it("rejects when the stream fails while it waits", async () => {
    const { stream } = slowSink(new Error("EPIPE: the reader went away"));
    stream.on("error", () => {});
    await expect(writeOut(stream, new Uint8Array(16))).rejects.toThrow("EPIPE");
  });
});
