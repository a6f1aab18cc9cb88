import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Cat, Notify } from "../../model/actions.js";
import { takeRows } from "../../model/batch.js";
import { batchOf, eventsOf } from "../../model/event.js";
import { TraceFile } from "../../sinks/traceFile.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { decodeAll, decodedFixture } from "../helpers/decode.js";
import { ev } from "../helpers/events.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-tracefile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows [from, to) of a batch. */
const rowsOf = (batch: ReturnType<typeof decodedFixture>, from: number, to: number) =>
  takeRows(
    batch,
    Uint32Array.from({ length: to - from }, (_, i) => from + i),
    to - from,
  );

describe("TraceFile", () => {
  it("writes batches as they come into a binary trace that decodes to the same events", () => {
    const trace = decodedFixture("pressure-frag");
    const path = join(dir, "pressure.bin");
    const file = new TraceFile(path);
    file.write(rowsOf(trace, 0, 1000), 0n);
    file.write(rowsOf(trace, 1000, 1000), 0n); // an empty batch writes nothing
    file.write(rowsOf(trace, 1000, trace.length), 0n);
    file.close();
    expect(file.records).toBe(2773);
    const back = decodeAll(new BinaryDecoder(), readFileSync(path));
    expect(eventsOf(back)).toEqual(eventsOf(trace));
  });

  it("puts the kernel's clock back: times are base + batch time, and the decoder's time zero is the first", () => {
    const path = join(dir, "based.bin");
    const file = new TraceFile(path);
    file.write(batchOf([ev(0, 8, { time: 0 }), ev(8, 8, { time: 250 })]), 5_000_000_000_000n);
    file.close();
    const bytes = readFileSync(path);
    expect(bytes.readBigUInt64LE(8)).toBe(5_000_000_000_000n);
    expect(bytes.readBigUInt64LE(48 + 8)).toBe(5_000_000_000_250n);
    expect(Array.from(decodeAll(new BinaryDecoder(), bytes).time)).toEqual([0, 250]);
  });

  it("names each process once, before its first event, across batches", () => {
    const path = join(dir, "named.bin");
    const file = new TraceFile(path);
    const named = (sector: number, pid: number, comm: string) => ({ ...ev(sector, 8), pid, comm });
    file.write(batchOf([named(0, 7, "llama-cli"), named(8, 7, "llama-cli")]), 0n);
    file.write(batchOf([named(16, 7, "llama-cli"), named(24, 9, "python3")]), 0n);
    file.close();
    const bytes = readFileSync(path);
    const notes: number[] = [];
    for (let pos = 0; pos < bytes.length; pos += 48 + bytes.readUInt16LE(pos + 46)) {
      const action = bytes.readUInt32LE(pos + 28);
      if ((action & Cat.NOTIFY) !== 0 && (action & 0xffff) === Notify.PROCESS) notes.push(bytes.readUInt32LE(pos + 32));
    }
    expect(notes).toEqual([7, 9]);
    const back = eventsOf(decodeAll(new BinaryDecoder(), bytes));
    expect(back.filter((e) => e.action !== "N").map((e) => [e.sector, e.comm])).toEqual([
      [0, "llama-cli"],
      [8, "llama-cli"],
      [16, "llama-cli"],
      [24, "python3"],
    ]);
  });
});
