import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Cat, Notify } from "../../model/actions.js";
import { newSkipCounter, TraceFormatError } from "../../model/errors.js";
import { type BlockEvent, batchOf, eventsOf } from "../../model/event.js";
import { encodeBinary } from "../../sinks/binaryWriter.js";
import { formatNdjson } from "../../sinks/ndjsonWriter.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { NdjsonDecoder } from "../../sources/ndjsonDecoder.js";
import { decodeAll } from "../helpers/decode.js";
import { blankEvent } from "../helpers/events.js";
import { BIN_FIXTURES, fixtureBytes } from "../helpers/fixtures.js";

/** A random event as a binary trace can hold it (time starts at 0, u16 error, no notify names). */
const eventArb: fc.Arbitrary<BlockEvent> = fc
  .record({
    major: fc.integer({ min: 0, max: 0xfff }),
    minor: fc.integer({ min: 0, max: 0xfffff }),
    cpu: fc.nat({ max: 0xffffffff }),
    sequence: fc.nat({ max: 0xffffffff }),
    time: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    pid: fc.nat({ max: 0xffffffff }),
    code: fc.integer({ min: 1, max: 17 }),
    cats: fc.nat({ max: 0xffff }).map((c) => (c << 16) & ~Cat.NOTIFY),
    sector: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    bytes: fc.nat({ max: 0xffffffff }),
    error: fc.nat({ max: 0xffff }),
    payload: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: undefined }),
  })
  .map((r) => {
    const e: BlockEvent = {
      device: { major: r.major, minor: r.minor },
      cpu: r.cpu,
      sequence: r.sequence,
      time: r.time,
      pid: r.pid,
      action: "",
      rwbs: "",
      code: (r.code | r.cats) >>> 0,
      sector: r.sector,
      sectors: 0,
      bytes: r.bytes,
      error: r.error,
    };
    if (r.payload) e.payload = Buffer.from(r.payload).toString("hex");
    return e;
  });

/** Normalise through the batch view (fills action/rwbs/sectors as eventAt does). */
const viewOf = (events: BlockEvent[]) => eventsOf(batchOf(events));

describe("encodeBinary", () => {
  test.each(BIN_FIXTURES)("BinaryDecoder(encodeBinary(%s.bin)) gives the same batch and the same bytes", (name) => {
    const bytes = fixtureBytes(`${name}.bin`);
    const batch = decodeAll(new BinaryDecoder(), bytes);
    const again = decodeAll(new BinaryDecoder(), encodeBinary(batch, { baseTimeNs: 1133293916930n }));
    expect(eventsOf(again)).toEqual(eventsOf(batch));
    // The fixture's first record is at 1133.293916930 s (see pressure-frag.classic); direct-contig differs.
    if (name === "pressure-frag")
      expect(Buffer.from(encodeBinary(batch, { baseTimeNs: firstTime(bytes) }))).toEqual(Buffer.from(bytes));
  });

  test("big-endian output decodes the same", () => {
    const batch = decodeAll(new BinaryDecoder(), fixtureBytes("mmap-frag.bin"));
    const again = decodeAll(new BinaryDecoder(), encodeBinary(batch, { littleEndian: false }));
    expect(eventsOf(again)).toEqual(eventsOf(batch));
  });

  test("property: encode then decode gives the same events (time rebased on the first)", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 30 }), fc.boolean(), (events, le) => {
        // The decoder makes times relative to the first record, so the first event is at 0.
        const shifted = events.map((e, k) => (k === 0 ? { ...e, time: 0 } : e));
        const decoded = decodeAll(new BinaryDecoder(), encodeBinary(batchOf(shifted), { littleEndian: le }));
        expect(eventsOf(decoded)).toEqual(viewOf(shifted));
      }),
      { numRuns: 200 },
    );
  });

  test("nameRecords writes one PROCESS notify per named pid, once across batches", () => {
    const q = { ...blankEvent(), pid: 7, comm: "cat", code: (1 | Cat.QUEUE) >>> 0 };
    const announced = new Set<number>();
    const first = decodeAll(new BinaryDecoder(), encodeBinary(batchOf([q, q]), { nameRecords: true, announced }));
    expect(first.length).toBe(3);
    expect(first.action[0]).toBe((Cat.NOTIFY | Notify.PROCESS) >>> 0);
    expect(first.names).toEqual(new Map([[7, "cat"]]));
    const second = decodeAll(new BinaryDecoder(), encodeBinary(batchOf([q]), { nameRecords: true, announced }));
    expect(second.length).toBe(1);
    expect(() => encodeBinary(batchOf([q]), { baseTimeNs: -1n })).toThrow(RangeError);
  });
});

describe("NdjsonDecoder and formatNdjson", () => {
  test.each(BIN_FIXTURES)("%s: NDJSON round trip gives identical events", (name) => {
    const batch = decodeAll(new BinaryDecoder(), fixtureBytes(`${name}.bin`));
    const lines = formatNdjson(batch);
    expect(lines.split("\n").length).toBe(batch.length + 1);
    const again = decodeAll(new NdjsonDecoder(), Buffer.from(lines), 1000);
    expect(eventsOf(again)).toEqual(eventsOf(batch));
  });

  test("property: random events survive NDJSON, with names and payloads", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), fc.string({ minLength: 1, maxLength: 15 }), (events, comm) => {
        const named = events.map((e) => ({ ...e, pid: 1, comm }));
        const batch = batchOf(named);
        const again = decodeAll(new NdjsonDecoder(), Buffer.from(formatNdjson(batch)), 17);
        expect(eventsOf(again)).toEqual(eventsOf(batch));
      }),
      { numRuns: 200 },
    );
  });

  test("accepts action + rwbs without code, and blank lines", () => {
    const line =
      '{"device":{"major":8,"minor":0},"cpu":1,"sequence":2,"time":5,"pid":3,"action":"D","rwbs":"WS","sector":64,"bytes":4096,"error":0}';
    const b = decodeAll(new NdjsonDecoder(), Buffer.from(`\n${line}\r\n\n`));
    expect(b.length).toBe(1);
    expect(b.action[0]).toBe((7 | Cat.WRITE | Cat.SYNC) >>> 0);
    expect(b.time[0]).toBe(5);
  });

  test("wrong fields are TraceFormatErrors naming the line and the field; lenient counts them", () => {
    const good = formatNdjson(decodeAll(new BinaryDecoder(), fixtureBytes("direct-contig.bin"))).split("\n");
    const bad = [...good.slice(0, 3), '{"device":{"major":8,"minor":0},"cpu":-1}', ...good.slice(3)];
    expect(() => decodeAll(new NdjsonDecoder({ file: "e.ndjson" }), Buffer.from(bad.join("\n")))).toThrow(
      'e.ndjson line 4: expected "cpu" as an integer from 0 to 4294967295, found "{\\"device\\":{\\"major\\":8,\\"minor\\":0},\\"cpu\\":-1}"',
    );
    const notJson = [...good.slice(0, 1), "{oops", ...good.slice(1, 5), '"a string"', ...good.slice(5)];
    let caught: unknown;
    try {
      decodeAll(new NdjsonDecoder({ file: "e.ndjson" }), Buffer.from(notJson.join("\n")));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TraceFormatError);
    expect((caught as TraceFormatError).location.line).toBe(2);
    const skips = newSkipCounter();
    const b = decodeAll(new NdjsonDecoder({ lenient: skips }), Buffer.from(notJson.join("\n")));
    expect([b.length, skips.skipped]).toEqual([182, 2]);
  });
});

function firstTime(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(8, true);
}
