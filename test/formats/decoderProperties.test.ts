import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { newSkipCounter, TraceFormatError } from "../../model/errors.js";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import type { ChunkDecoder } from "../../sources/decoder.js";
import { FtraceTextDecoder } from "../../sources/ftraceTextDecoder.js";
import { NdjsonDecoder } from "../../sources/ndjsonDecoder.js";
import { fixtureBytes } from "../helpers/fixtures.js";

const DECODERS: [string, (lenient?: boolean) => ChunkDecoder][] = [
  ["BlkparseTextDecoder", (l) => new BlkparseTextDecoder(l ? { lenient: newSkipCounter() } : {})],
  ["FtraceTextDecoder", (l) => new FtraceTextDecoder(l ? { lenient: newSkipCounter() } : {})],
  ["NdjsonDecoder", (l) => new NdjsonDecoder(l ? { lenient: newSkipCounter() } : {})],
];

/** Feed chunks; only TraceFormatError may escape. Returns the number of events. */
function feed(dec: ChunkDecoder, chunks: Uint8Array[]): number {
  let n = 0;
  try {
    for (const c of chunks) for (const b of dec.push(c)) n += b.length;
    for (const b of dec.end()) n += b.length;
  } catch (e) {
    if (!(e instanceof TraceFormatError)) throw e;
  }
  return n;
}

/** Lines that look almost like trace lines: real lines with random edits. */
const sample = [
  ...fixtureBytes("pressure-frag.blkparse.txt").toString().split("\n").slice(0, 40),
  ...fixtureBytes("direct-contig.ftrace").toString().split("\n").slice(0, 40),
  ...fixtureBytes("pressure-frag.classic").toString().split("\n").slice(0, 40),
  '{"device":{"major":7,"minor":0},"cpu":0,"sequence":0,"time":0,"pid":1,"code":65543,"sector":8,"bytes":4096,"error":0,"payload":"00ff"}',
];
const mutatedLine = fc
  .tuple(fc.constantFrom(...sample), fc.nat(), fc.nat({ max: 5 }), fc.string({ maxLength: 6 }))
  .map(([line, at, cut, insert]) => {
    const p = at % (line.length + 1);
    return line.slice(0, p) + insert + line.slice(p + cut);
  });

describe.each(DECODERS)("%s on hostile input", (_name, make) => {
  test("random bytes give batches or a TraceFormatError, never another exception", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.boolean(), (chunks, lenient) => {
        feed(make(lenient), chunks);
      }),
      { numRuns: 300 },
    );
  });

  test("random strings and mutated real lines give batches or a TraceFormatError", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 80 }), mutatedLine), { maxLength: 20 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        (lines, lenient, chunk) => {
          const bytes = Buffer.from(lines.join("\n"));
          const chunks: Uint8Array[] = [];
          for (let at = 0; at < bytes.length; at += chunk) chunks.push(bytes.subarray(at, at + chunk));
          const n = feed(make(lenient), chunks);
          expect(n).toBeLessThanOrEqual(lines.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
