import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../../model/errors.js";
import { deviceRuns, extentCount, mergeExtents, parseFilefrag } from "../../model/fileMap.js";
import { FIXTURES } from "../helpers/cli.js";
import { splitFilefragRows } from "../helpers/filefrag.js";

const FRAG = readFileSync(`${FIXTURES}/frag.filefrag.txt`, "utf8");

/** filefrag's own count, from its "N extents found" line. */
function filefragCount(text: string): number {
  return Number(/: (\d+) extents? found/.exec(text)?.[1]);
}

// Real `filefrag -v` output (e2fsprogs 1.47.0, ext4) for an 8 MiB file made by `fallocate -l 8M` and one 1 MiB
// write at 2 MiB: three rows, one extent by filefrag's own count.
const REAL_SPLIT = `Filesystem type is: ef53
File size of s.bin is 8388608 (2048 blocks of 4096 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0..     511:    6031360..   6031871:    512:             unwritten
   1:      512..     767:    6031872..   6032127:    256:            
   2:      768..    2047:    6032128..   6033407:   1280:             last,unwritten,eof
s.bin: 1 extent found
`;

describe("parseFilefrag: extent count", () => {
  it("counts rows that continue each other in the file and on the disk as one extent, as filefrag does", () => {
    expect(extentCount(parseFilefrag(REAL_SPLIT))).toBe(1);
    expect(filefragCount(REAL_SPLIT)).toBe(1);
  });

  it("a listing whose rows are split (26 rows, '13 extents found') has the 13 extents of the unsplit one", () => {
    const split = splitFilefragRows(FRAG);
    expect(split.split("\n").filter((l) => /^\s*\d+:/.test(l))).toHaveLength(26);
    const a = parseFilefrag(FRAG, { partitionStart: 2048 });
    const b = parseFilefrag(split, { partitionStart: 2048 });
    expect(extentCount(b)).toBe(13);
    expect(extentCount(b)).toBe(filefragCount(split));
    expect(b.extents).toEqual(a.extents);
    expect(deviceRuns(b)).toEqual(deviceRuns(a));
  });

  it("keeps rows apart that continue on the disk but not in the file, or in the file but not on the disk", () => {
    const rows = [
      { logical: 0, physical: 100, length: 2 },
      { logical: 3, physical: 102, length: 2 }, // file block 2 is a hole
      { logical: 5, physical: 200, length: 2 }, // elsewhere on the disk
      { logical: 7, physical: 202, length: 1 }, // continues the previous row: merged
    ];
    expect(mergeExtents(rows)).toEqual([
      { logical: 0, physical: 100, length: 2 },
      { logical: 3, physical: 102, length: 2 },
      { logical: 5, physical: 200, length: 3 },
    ]);
  });
});

describe("parseFilefrag: overlapping rows", () => {
  const lines = FRAG.split("\n");

  it("refuses a listing with two rows repeated, naming both line numbers", () => {
    // Lines 5 and 6 (extents 1 and 2) appended again after the last row.
    const repeated = [...lines.slice(0, 16), lines[4], lines[5], ...lines.slice(16)].join("\n");
    expect(() => parseFilefrag(repeated, { source: "twice.txt" })).toThrow(InputError);
    expect(() => parseFilefrag(repeated, { source: "twice.txt" })).toThrow(
      "Cannot map twice.txt: the extent rows on lines 5 and 17 overlap in file blocks (got 2048..4095 and 2048..4095)",
    );
  });

  it("refuses rows whose disk blocks overlap even when their file blocks do not", () => {
    const text =
      "File size of f is 40960 (10 blocks of 4096 bytes)\n 0: 0.. 4: 100.. 104: 5:\n 1: 5.. 9: 103.. 107: 5: last,eof\n";
    expect(() => parseFilefrag(text, { source: "f.txt" })).toThrow(
      "Cannot map f.txt: the extent rows on lines 2 and 3 overlap in disk blocks (got 100..104 and 103..107)",
    );
  });
});
