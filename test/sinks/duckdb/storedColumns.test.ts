import fc from "fast-check";
import { firstValueFrom, of, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../../model/batch.js";
import { parseFilefrag } from "../../../model/fileMap.js";
import { analyzeEvents } from "../../../pipeline/analyze.js";
import { ColumnPacker, storedColumnsOf } from "../../../sinks/duckdb/storedColumns.js";
import { reads } from "../../helpers/events.js";

/** The stored columns of a batch as plain arrays, to compare a packed copy with its original. */
function stored(
  b: Pick<EventBatch, "length" | "time" | "sector" | "cpu" | "pid" | "bytes" | "action" | "pieces" | "gaps" | "phase">,
) {
  const n = b.length;
  return {
    time: [...b.time.subarray(0, n)],
    sector: [...b.sector.subarray(0, n)],
    cpu: [...b.cpu.subarray(0, n)],
    pid: [...b.pid.subarray(0, n)],
    bytes: [...b.bytes.subarray(0, n)],
    action: [...b.action.subarray(0, n)],
    pieces: b.pieces && { first: [...b.pieces.first], start: [...b.pieces.start], sectors: [...b.pieces.sectors] },
    gaps: b.gaps && {
      physical: [...b.gaps.physical],
      physicalClass: [...b.gaps.physicalClass],
      logical: [...b.gaps.logical],
      logicalClass: [...b.gaps.logicalClass],
    },
  };
}

/** Bytes the six plain columns of `b` take packed, each starting on an 8-byte boundary. */
function packedBytes(b: EventBatch): number {
  let size = 0;
  for (const column of [b.time, b.sector, b.cpu, b.pid, b.bytes, b.action])
    size = Math.ceil(size / 8) * 8 + b.length * column.BYTES_PER_ELEMENT;
  return size;
}

// Two extents, so batches get pieces (file sectors) and both gap spaces.
const fileMap = {
  ...parseFilefrag(
    [
      "File size of f is 65536 (16 blocks of 4096 bytes)",
      " ext:     logical_offset:        physical_offset: length:   expected: flags:",
      "   0:        0..       7:        100..       107:      8:",
      "   1:        8..      15:        300..       307:      8:             last,eof",
    ].join("\n"),
  ),
  partitionStart: 0,
};

async function analyzed(pairs: [number, number][]): Promise<EventBatch> {
  const [batch] = await firstValueFrom(of(reads(...pairs)).pipe(analyzeEvents({ fileMap }), toArray()));
  if (!batch) throw new Error("no batch");
  return batch;
}

describe("ColumnPacker: a batch's stored columns in one transferable buffer, reused once handed back", () => {
  it("packs every stored column of an analyzed batch (pieces and gaps included) as equal views of one buffer", async () => {
    const batch = await analyzed([
      [800, 16],
      [2400, 8],
      [816, 8],
    ]);
    expect(batch.pieces).toBeDefined();
    const { columns, buffer } = new ColumnPacker().pack(batch);
    expect(stored(columns)).toEqual(stored(batch));
    for (const column of [
      columns.time,
      columns.sector,
      columns.action,
      columns.gaps?.logicalClass,
      columns.pieces?.first,
    ])
      expect(column?.buffer).toBe(buffer);
  });

  it("takes a handed-back buffer for the next batch when it is large enough, and a new one when not", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1e6), fc.integer({ min: 1, max: 256 })), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(1e6), fc.integer({ min: 1, max: 256 })), { minLength: 1, maxLength: 40 }),
        (first, second) => {
          const packer = new ColumnPacker();
          const a = packer.pack(reads(...first));
          packer.reuse(a.buffer);
          const next = reads(...second);
          const b = packer.pack(next);
          // The second batch's columns are its own, whatever the reused buffer held before.
          expect(stored(b.columns)).toEqual(stored(next));
          expect(b.buffer === a.buffer).toBe(packedBytes(next) <= a.buffer.byteLength);
        },
      ),
    );
  });
});

describe("storedColumnsOf: the stored columns as views of the batch's own arrays, its rows only", () => {
  it("holds the same values in the batch's buffers, cut to its length", async () => {
    const batch = await analyzed([
      [800, 16],
      [2400, 8],
    ]);
    const columns = storedColumnsOf(batch);
    expect(stored(columns)).toEqual(stored(batch));
    expect(columns.time.buffer).toBe(batch.time.buffer);
    expect(columns.time.length).toBe(batch.length);
    expect(columns.gaps?.logical.buffer).toBe(batch.gaps?.logical.buffer);
  });
});
