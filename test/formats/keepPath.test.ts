import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBatches, type EventBatch } from "../../model/batch.js";
import { newSkipCounter, TraceFormatError } from "../../model/errors.js";
import { selectionFilter } from "../../operators/select.js";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import { FIXTURES } from "../helpers/cli.js";

const keep = selectionFilter({ action: "D", rw: "read" });

function decode(bytes: Uint8Array, withKeep: boolean, chunk: number, lenient = false) {
  const skips = lenient ? newSkipCounter() : undefined;
  const dec = new BlkparseTextDecoder({
    file: "t.txt",
    ...(withKeep ? { keep } : {}),
    ...(skips ? { lenient: skips } : {}),
  });
  const out: EventBatch[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...dec.push(bytes.subarray(i, i + chunk)));
  out.push(...dec.end());
  return { batch: concatBatches(out), skipped: skips?.skipped ?? 0 };
}

/** The selected events (D reads) as comparable rows. */
function selected(b: EventBatch): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < b.length; i++) {
    if (keep(b.action[i] as number, b.bytes[i] as number))
      rows.push([b.time[i] as number, b.sector[i] as number, b.bytes[i] as number]);
  }
  return rows;
}

describe("blkparse text with a keep filter (the byte path analysis uses)", () => {
  const text = readFileSync(join(FIXTURES, "pressure-frag.blkparse.txt"));

  it("selects exactly the same events as the full parser, whatever the chunking", () => {
    const full = selected(decode(text, false, 1 << 20).batch);
    expect(full.length).toBe(247);
    for (const chunk of [1, 7, 4096, 1 << 20]) expect(selected(decode(text, true, chunk).batch)).toEqual(full);
  });

  it("reports a malformed line with the same line number", () => {
    const lines = text.toString("utf8").split("\n");
    lines.splice(100, 0, "  7,0    1        0     0.1 nonsense");
    const bad = Buffer.from(lines.join("\n"));
    expect(() => decode(bad, false, 4096)).toThrow("t.txt line 101");
    expect(() => decode(bad, true, 4096)).toThrow("t.txt line 101");
  });

  it("mutated input: events or a TraceFormatError, and the same selection whenever both paths succeed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(text.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.integer({ min: 1, max: 5000 }),
        (edits, chunk) => {
          const bytes = Uint8Array.from(text);
          for (const [at, value] of edits) bytes[at] = value;
          let a: number[][] | undefined;
          let b: number[][] | undefined;
          try {
            a = selected(decode(bytes, false, chunk).batch);
          } catch (error) {
            expect(error).toBeInstanceOf(TraceFormatError);
          }
          try {
            b = selected(decode(bytes, true, chunk).batch);
          } catch (error) {
            expect(error).toBeInstanceOf(TraceFormatError);
          }
          if (a && b) expect(b).toEqual(a);
          const lenient = decode(bytes, true, chunk, true); // never throws
          expect(lenient.batch.length).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
