import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Act, Cat } from "../../model/actions.js";
import { NOT_FIXED, quickActionRwbs, quickBlkparseColumns, quickBlkparseScan } from "../../sources/quickHeader.js";
import { FIXTURES } from "../helpers/cli.js";

const bytes = (line: string) => Buffer.from(line, "latin1");
const columns = (line: string) => quickBlkparseColumns(bytes(line), 0, line.length);
const scan = (line: string) => quickBlkparseScan(bytes(line), 0, line.length);

/** The fixed-column rule written out field by field with regular expressions (the reference for the unrolled checks). */
function referenceColumns(line: string): number {
  const f = (a: number, b: number) => line.slice(a, b);
  const right = (a: number, b: number) => /^ *[0-9]+$/.test(f(a, b));
  const fits =
    line.length >= 48 &&
    right(0, 3) &&
    f(3, 4) === "," &&
    /^[0-9]+ *$/.test(f(4, 7)) &&
    f(7, 8) === " " &&
    right(8, 10) &&
    f(10, 11) === " " &&
    right(11, 19) &&
    f(19, 20) === " " &&
    right(20, 25) &&
    f(25, 26) === "." &&
    /^[0-9]{9}$/.test(f(26, 35)) &&
    f(35, 36) === " " &&
    right(36, 41) &&
    f(41, 42) === " ";
  if (!fits || f(42, 44) === "  ") return NOT_FIXED;
  return quickActionRwbs(bytes(line), line[42] === " " ? 43 : 42, line.length);
}

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

  it("every spelling of the short fields (major, minor, cpu) over space, digit and letter: what the rule gives", () => {
    const d = "  7,0    1        0     0.000050885 22958  D   R 27496 + 8 [cat]";
    const spellings = (width: number): string[] =>
      width === 0 ? [""] : spellings(width - 1).flatMap((s) => [" ", "5", "x"].map((c) => s + c));
    for (const [from, width] of [
      [0, 3],
      [4, 3],
      [8, 2],
      [36, 5],
    ] as const) {
      for (const field of spellings(width)) {
        const line = d.slice(0, from) + field + d.slice(from + width);
        expect(columns(line), line).toBe(referenceColumns(line));
      }
    }
  });

  it("any mutated line: exactly what the field-by-field rule gives", () => {
    fc.assert(
      fc.property(
        fc.nat(lines.length - 1),
        fc.array(fc.tuple(fc.nat(50), fc.constantFrom(" ", "0", "9", ",", ".", "D", "x", "\t", "é", "/", ":")), {
          minLength: 1,
          maxLength: 4,
        }),
        (which, edits) => {
          const chars = [...(lines[which] as string)];
          for (const [at, c] of edits) if (at < chars.length) chars[at] = c;
          const line = chars.join("");
          expect(columns(line), line).toBe(referenceColumns(line));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("an action after more spaces than %2a leaves is left to the scan (fast-check seed 1138501339)", () => {
    const line = "  7,0    1        0     0.000000000 22958   Q RM 27496 + 8 <- (259,0) 25448";
    expect(columns(line)).toBe(NOT_FIXED);
    expect(scan(line) & 0xffff).toBe(Act.QUEUE);
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
