import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Act, Cat } from "../../model/actions.js";
import { NOT_FIXED, quickBlkparseColumns, quickBlkparseScan } from "../../sources/quickHeader.js";
import { FIXTURES } from "../helpers/cli.js";

const bytes = (line: string) => Buffer.from(line, "latin1");
const columns = (line: string) => quickBlkparseColumns(bytes(line), 0, line.length);
const scan = (line: string) => quickBlkparseScan(bytes(line), 0, line.length);

describe("reading a blkparse line's action at fixed columns", () => {
  const lines = readFileSync(join(FIXTURES, "pressure-frag.blkparse.txt"), "latin1")
    .split("\n")
    .filter((l) => /^\s*\d+,\d+ /.test(l));

  it("agrees with the field-by-field scan on every event line of a real trace, and reads most of them", () => {
    let fixed = 0;
    for (const line of lines) {
      const a = columns(line);
      if (a === NOT_FIXED) continue;
      fixed++;
      expect(a, line).toBe(scan(line));
    }
    expect(fixed).toBeGreaterThan(lines.length * 0.9);
  });

  it("reads D R, and leaves lines whose fields overflow their widths to the scan", () => {
    const d = "  7,0    1        0     0.000050885 22958  D   R 27496 + 8 [cat]";
    expect(columns(d)).toBe(scan(d));
    expect(columns(d) & 0xffff).toBe(Act.ISSUE);
    expect(columns(d) & Cat.READ).toBeTruthy();
    const bigPid = "  7,0    1        0     0.000050885 1234567  D   R 27496 + 8 [cat]";
    const bigSeconds = "  7,0    1        0 123456.000050885 22958  D   R 27496 + 8 [cat]";
    const bigCpu = "  7,0  100        0     0.000050885 22958  D   R 27496 + 8 [cat]";
    for (const line of [bigPid, bigSeconds, bigCpu]) {
      expect(columns(line), line).toBe(NOT_FIXED);
      expect(scan(line) & 0xffff, line).toBe(Act.ISSUE);
    }
  });

  it("any mutated line: the fixed-column answer is NOT_FIXED or the scan's answer", () => {
    fc.assert(
      fc.property(
        fc.nat(lines.length - 1),
        fc.array(fc.tuple(fc.nat(60), fc.constantFrom(" ", "0", "9", ",", ".", "D", "Q", "R", "x", "\t")), {
          maxLength: 4,
        }),
        (which, edits) => {
          const chars = [...(lines[which] as string)];
          for (const [at, c] of edits) if (at < chars.length) chars[at] = c;
          const line = chars.join("");
          const a = columns(line);
          return a === NOT_FIXED || a === scan(line);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
