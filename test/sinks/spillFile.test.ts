import { mkdtempSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { readSpill, SpillWriter } from "../../sinks/spillFile.js";
import { decodedFixture } from "../helpers/decode.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-spill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A batch's content as plain data, to compare a batch with what was read back. */
function plain(batch: object): unknown {
  return JSON.parse(
    JSON.stringify(batch, (_k, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v instanceof Map ? [...v] : v,
    ),
  );
}

describe("SpillWriter and readSpill", () => {
  it("read back a fixture's batch (payloads and names) and analyzed columns exactly, in order, views included", () => {
    const batch = decodedFixture("pressure-frag");
    const named = { ...batch, names: new Map([[22958, "comm-22958"]]) };
    // A view into the middle of larger buffers, as live batches are.
    const view = { ...batch, length: 10, time: batch.time.subarray(5, 15), sector: batch.sector.subarray(5, 15) };
    const analyzed = {
      length: 2,
      time: Float64Array.of(1, 2),
      gaps: { physical: Float64Array.of(Number.NaN, 8), physicalClass: Uint8Array.of(255, 0) },
      pieces: { first: Uint32Array.of(0, 1, 2), start: Float64Array.of(7, 9), sectors: Float64Array.of(8, 8) },
    };
    const path = join(dir, "fixture.spill");
    const spill = new SpillWriter(path);
    spill.write("raw", named);
    spill.write("raw", view);
    spill.write("events", analyzed);
    spill.close();
    const frames = [...readSpill(path)];
    expect(frames.map((f) => f.kind)).toEqual(["raw", "raw", "events"]);
    expect(batch.payload?.data.length).toBeGreaterThan(0);
    expect(plain(frames[0]?.batch ?? {})).toEqual(plain(named));
    expect((frames[0]?.batch.names as Map<number, string> | undefined)?.get(22958)).toBe("comm-22958");
    expect(plain(frames[1]?.batch ?? {})).toEqual(plain(view));
    const events = frames[2]?.batch as typeof analyzed;
    expect(Number.isNaN(events.gaps.physical[0])).toBe(true);
    expect(plain(events)).toEqual(plain(analyzed));
  });

  it("round-trips any sequence of batches of random columns (property)", () => {
    const column = fc.oneof(
      fc.float64Array({ maxLength: 50 }),
      fc.uint32Array({ maxLength: 50 }),
      fc.int32Array({ maxLength: 50 }),
      fc.uint16Array({ maxLength: 50 }),
      fc.uint8Array({ maxLength: 50 }),
    );
    const batch = fc.record({ length: fc.nat(), a: column, nested: fc.record({ b: column, c: column }) });
    let n = 0;
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 6 }), (batches) => {
        const path = join(dir, `p${n++}.spill`);
        const spill = new SpillWriter(path);
        for (const b of batches) spill.write("k", b);
        spill.close();
        const back = [...readSpill(path)].map((f) => f.batch);
        rmSync(path);
        expect(back.map((b) => plain(b))).toEqual(batches.map((b) => plain(b)));
      }),
      { numRuns: 200 },
    );
  });

  it("says which file ends inside a batch", () => {
    const path = join(dir, "cut.spill");
    const spill = new SpillWriter(path);
    spill.write("raw", { length: 3, time: Float64Array.of(1, 2, 3) });
    spill.close();
    truncateSync(path, 30);
    expect(() => [...readSpill(path)]).toThrow(`Cannot read the spill file ${path}: it ends inside a batch`);
  });
});
