import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import { LineSplitter } from "../../sources/lineSplitter.js";

/** Lines as strings, and the heads of lines reported too long. */
function split(chunks: readonly string[], max = 1 << 20): { lines: string[]; tooLong: string[] } {
  const lines: string[] = [];
  const tooLong: string[] = [];
  const splitter = new LineSplitter(
    max,
    (buf, from, to) => lines.push(buf.toString("utf8", from, to)),
    (head) => tooLong.push(head.toString("utf8")),
  );
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.end();
  return { lines, tooLong };
}

describe("LineSplitter", () => {
  it("parses a line spanning many chunks", () => {
    expect(split(["ab", "c", "d\ne", "f\n"]).lines).toEqual(["abcd", "ef"]);
  });

  it("flushes a last line without newline on end, and nothing after a final newline", () => {
    expect(split(["a\nb"]).lines).toEqual(["a", "b"]);
    expect(split(["a\n"]).lines).toEqual(["a"]);
    expect(split([]).lines).toEqual([]);
  });

  it("keeps a CR before the newline (the decoder drops it) and hands over empty lines", () => {
    expect(split(["a\r\n\nb\r", "\n"]).lines).toEqual(["a\r", "", "b\r"]);
  });

  it("reports an unfinished line past the limit once, drops its rest, then goes on", () => {
    const { lines, tooLong } = split(["ok\n", "x".repeat(6), "x".repeat(6), "xx\nnext\n"], 8);
    expect(lines).toEqual(["ok", "next"]);
    expect(tooLong).toEqual(["x".repeat(12)]);
  });

  it("a line over the limit that ends within the chunk it starts in is a line (the decoder reports it)", () => {
    expect(split([`${"x".repeat(20)}\n`], 8)).toEqual({ lines: ["x".repeat(20)], tooLong: [] });
  });

  it("property: any text in any chunking gives the lines of text.split('\\n') (a final empty one dropped)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "b", "\n", "\r", "é") }),
        fc.array(fc.nat(12)),
        (text, cuts) => {
          const bytes = Buffer.from(text);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const cut of cuts) {
            chunks.push(bytes.subarray(at, Math.min(bytes.length, at + cut)));
            at = Math.min(bytes.length, at + cut);
          }
          chunks.push(bytes.subarray(at));
          const lines: string[] = [];
          const splitter = new LineSplitter(
            1 << 20,
            (buf, from, to) => lines.push(buf.toString("utf8", from, to)),
            () => {},
          );
          for (const chunk of chunks) splitter.push(chunk);
          splitter.end();
          const expected = text.split("\n");
          if (expected[expected.length - 1] === "") expected.pop();
          expect(lines).toEqual(expected);
        },
      ),
    );
  });
});

describe("text decoders and a byte-order mark", () => {
  const line = "  7,0    1        0     0.000050885 22958  D   R 2048 + 8 [dd]\n";
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(line + line)]);

  it.each([
    ["without a keep filter", {}],
    ["with a keep filter (byte path)", { keep: () => true }],
  ])("a BOM before the first line is dropped, %s", (_, options) => {
    const dec = new BlkparseTextDecoder(options);
    const batches = [...dec.push(bom), ...dec.end()];
    expect(batches.reduce((n, b) => n + b.length, 0)).toBe(2);
    expect(batches[0]?.sector[0]).toBe(2048);
  });
});
