import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBatches } from "../../model/batch.js";
import { newSkipCounter, TraceFormatError } from "../../model/errors.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { FIXTURES } from "../helpers/cli.js";

const fixture = readFileSync(`${FIXTURES}/direct-contig.bin`);

function decodeAll(bytes: Uint8Array, chunk = bytes.length || 1, lenient?: ReturnType<typeof newSkipCounter>) {
  const dec = new BinaryDecoder({ file: "t.bin", ...(lenient ? { lenient } : {}) });
  const out = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...dec.push(bytes.subarray(i, i + chunk)));
  out.push(...dec.end());
  return concatBatches(out);
}

/** Swap every 48-byte header's fields to big-endian (the fixture has no payload except A/U records). */
function toBigEndian(le: Uint8Array): Uint8Array {
  const out = Uint8Array.from(le);
  const v = new DataView(out.buffer);
  const src = new DataView(le.buffer, le.byteOffset, le.byteLength);
  let pos = 0;
  while (pos < le.length) {
    for (const off of [0, 4, 24, 28, 32, 36, 40]) v.setUint32(pos + off, src.getUint32(pos + off, true), false);
    for (const off of [8, 16]) v.setBigUint64(pos + off, src.getBigUint64(pos + off, true), false);
    for (const off of [44, 46]) v.setUint16(pos + off, src.getUint16(pos + off, true), false);
    pos += 48 + src.getUint16(pos + 46, true);
  }
  return out;
}

describe("BinaryDecoder", () => {
  it("decodes the fixture: 182 records, first one a remap at sector 280576", () => {
    const b = decodeAll(fixture);
    expect(b.length).toBe(182);
    expect(b.sector[0]).toBe(280576);
    expect(b.bytes[0]).toBe(65536);
    expect(b.time[0]).toBe(0);
  });

  it("gives the same events whatever the chunking (1-byte chunks included)", () => {
    const whole = decodeAll(fixture);
    const bytewise = decodeAll(fixture, 1);
    expect(Array.from(bytewise.sector)).toEqual(Array.from(whole.sector));
    expect(Array.from(bytewise.time)).toEqual(Array.from(whole.time));
  });

  it("reads big-endian traces identically", () => {
    const le = decodeAll(fixture);
    const be = decodeAll(toBigEndian(fixture));
    expect(Array.from(be.sector)).toEqual(Array.from(le.sector));
    expect(Array.from(be.action)).toEqual(Array.from(le.action));
    expect(Array.from(be.time)).toEqual(Array.from(le.time));
  });

  it("rejects another version with a clear error naming file and offset", () => {
    const v6 = Uint8Array.from(fixture);
    v6[0] = 6;
    expect(() => decodeAll(v6)).toThrow(
      "t.bin at byte 0: expected a blk_io_trace v7 record (magic 0x65617407), found version 6",
    );
  });

  it("reports a record cut in the middle with its offset; lenient mode counts it once", () => {
    const cut = fixture.subarray(0, 48 * 3 + 20);
    expect(() => decodeAll(cut)).toThrow(TraceFormatError);
    expect(() => decodeAll(cut)).toThrow(/t\.bin at byte \d+: expected .*found end of input/);
    const skips = newSkipCounter();
    const b = decodeAll(cut, cut.length, skips);
    expect(skips.skipped).toBe(1);
    expect(b.length).toBeGreaterThan(0);
  });

  it("lenient: a damaged run counts as one skip however many chunks it spans (a gzip stream and a file chunk differently)", () => {
    const junk = new Uint8Array(5000).fill(0xa5);
    const damaged = new Uint8Array([...fixture, ...junk, ...fixture]);
    const counts = [damaged.length, 1 << 20, 4096, 997, 48].map((chunk) => {
      const skips = newSkipCounter();
      const events = decodeAll(damaged, chunk, skips).length;
      return { events, skipped: skips.skipped, first: skips.reasons[0] };
    });
    const whole = decodeAll(fixture).length;
    for (const c of counts) {
      expect(c).toEqual({ events: 2 * whole, skipped: 1, first: `t.bin at byte ${fixture.length}: 0xa5a5a5a5` });
    }
  });

  it("any byte input gives events or a TraceFormatError, never another exception", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, lenient) => {
        try {
          decodeAll(bytes, 37, lenient ? newSkipCounter() : undefined);
        } catch (error) {
          expect(error).toBeInstanceOf(TraceFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("mutated fixtures (bit flips, truncation) give events or a TraceFormatError", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(fixture.length - 1), fc.integer({ min: 0, max: 7 })), { maxLength: 8 }),
        fc.nat(fixture.length),
        (flips, cut) => {
          const bytes = Uint8Array.from(fixture.subarray(0, cut));
          for (const [at, bit] of flips) if (at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << bit);
          try {
            decodeAll(bytes, 97);
          } catch (error) {
            expect(error).toBeInstanceOf(TraceFormatError);
          }
          const skips = newSkipCounter();
          decodeAll(bytes, 97, skips); // lenient never throws
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("BinaryDecoder and tracefs LOST lines", () => {
  it("counts `CPU:N [LOST M EVENTS]` lines inside a binary trace_pipe stream and keeps every record", () => {
    const lost = (cpu: number, n: number) => new TextEncoder().encode(`CPU:${cpu} [LOST ${n} EVENTS]\n`);
    const whole = decodeAll(fixture);
    // Split the fixture at a record boundary: the first record is an A with a 16-byte payload (64 bytes).
    const cut = 64;
    const spliced = new Uint8Array([
      ...lost(0, 17),
      ...fixture.subarray(0, cut),
      ...lost(1, 5),
      ...fixture.subarray(cut),
      ...lost(1, 3),
    ]);
    const dec = new BinaryDecoder({ file: "pipe" });
    const out = [];
    for (let i = 0; i < spliced.length; i += 50) out.push(...dec.push(spliced.subarray(i, i + 50)));
    out.push(...dec.end());
    const b = concatBatches(out);
    expect(b.length).toBe(whole.length);
    expect(Array.from(b.sector)).toEqual(Array.from(whole.sector));
    expect(dec.dropped).toBe(25);
  });
});
