import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { progressFor } from "../../sinks/progress.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-progress-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const small = join(dir, "small.bin");
const big = join(dir, "big.bin");
writeFileSync(small, "x");
writeFileSync(big, "");
truncateSync(big, 100 * 2 ** 20); // sparse: 100 MiB of size, no disk

/** A stderr stand-in that says it is (or is not) a terminal and keeps what is drawn. */
function terminal(isTTY: boolean) {
  let drawn = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      drawn += chunk.toString();
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number; cursorTo: () => boolean; clearLine: () => boolean };
  Object.assign(stream, { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: stream as unknown as NodeJS.WriteStream, drawn: () => drawn };
}

describe("progressFor", () => {
  it("stays quiet when stderr is not a terminal, for stdin, and for inputs under 64 MiB", async () => {
    for (const [isTTY, inputs] of [
      [false, [big]],
      [true, ["-", big]],
      [true, [small]],
    ] as const) {
      const t = terminal(isTTY);
      const p = await progressFor(inputs, t.stream);
      p.read(100 * 2 ** 20);
      p.stop();
      expect(t.drawn()).toBe("");
    }
  });

  it("draws a bar of MiB read out of the inputs' total on a terminal, ending at 100 %", async () => {
    const t = terminal(true);
    const p = await progressFor([big, small], t.stream);
    for (let i = 0; i < 10; i++) p.read(10 * 2 ** 20);
    p.stop();
    expect(t.drawn()).toMatch(/blkrx .* 100% \| 100\/100 MiB/);
  });
});
