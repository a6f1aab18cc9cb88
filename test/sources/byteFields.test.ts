import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteFields } from "../../sources/byteFields.js";

/** A cursor over `text` (its bytes, as the dataset decoders see a line). */
function fields(text: string): ByteFields {
  const f = new ByteFields();
  const bytes = Buffer.from(text, "latin1");
  f.reset(bytes, 0, bytes.length);
  return f;
}

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(""));
const separator = fc.constantFrom("", ",", " ", "\t", ",x", "\r");

describe("ByteFields, the dataset decoders' fast byte reader, against string parsing", () => {
  it("uint reads up to 15 digits as Number() does and stops at the first non-digit", () => {
    fc.assert(
      fc.property(digits(1, 15), separator, (number, rest) => {
        const f = fields(number + rest);
        expect(f.uint()).toBe(Number(number));
        expect(f.p).toBe(number.length);
      }),
      { numRuns: 2000 },
    );
  });

  it("uint refuses 16 digits or more (not exact in a float64) and a field without digits, without moving", () => {
    fc.assert(
      fc.property(fc.oneof(digits(16, 30), fc.constantFrom("", "-1", "x9", " 7", ",")), (text) => {
        const f = fields(text);
        expect(f.uint()).toBe(-1);
        expect(f.p).toBe(0);
      }),
    );
  });

  it("bigUint splits up to 18 digits (Windows filetimes) into exact parts hi * 1e9 + lo, as BigInt reads them", () => {
    fc.assert(
      fc.property(digits(1, 18), separator, (number, rest) => {
        const f = fields(number + rest);
        expect(f.bigUint()).toBe(true);
        expect(BigInt(f.hi) * 1_000_000_000n + BigInt(f.lo)).toBe(BigInt(number));
        expect(f.lo).toBeLessThan(1e9);
      }),
      { numRuns: 2000 },
    );
    expect(fields("1234567890123456789").bigUint()).toBe(false);
    expect(fields("x").bigUint()).toBe(false);
  });

  it("decimal scales INT[.FRACTION] by 10^scale exactly, as the decimal text says (BigInt reference)", () => {
    fc.assert(
      fc.property(
        digits(1, 6),
        fc.integer({ min: 0, max: 9 }),
        fc.option(digits(1, 9)),
        separator,
        (int, scale, frac, rest) => {
          const fraction = frac === null ? null : frac.slice(0, scale);
          if (fraction === "") return; // "1." has no fraction digits: tested below
          const text = fraction === null ? int : `${int}.${fraction}`;
          const expected = BigInt(int) * 10n ** BigInt(scale) + BigInt((fraction ?? "").padEnd(scale, "0") || "0");
          expect(fields(text + rest).decimal(scale)).toBe(Number(expected));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("decimal reads the documented examples and drops fraction digits past the scale", () => {
    expect(fields("0.000004001").decimal(9)).toBe(4001);
    expect(fields("1136.054350").decimal(9)).toBe(1_136_054_350_000);
    expect(fields("0.61").decimal(6)).toBe(610_000);
    expect(fields("2.9999").decimal(2)).toBe(299);
    expect(fields("1.").decimal(3)).toBe(-1);
    expect(fields(".5").decimal(3)).toBe(-1);
  });

  it("reads a CSV line field by field: commas with spaces around them, tokens, words, a trailing CR", () => {
    const f = fields("419 , R,4096\t,  usr_0 \r");
    expect(f.uint()).toBe(419);
    expect(f.comma()).toBe(true);
    const r = f.token();
    expect(f.is(r, f.p, "R")).toBe(true);
    expect(f.is(r, f.p, "W")).toBe(false);
    expect(f.comma()).toBe(true);
    expect(f.uint()).toBe(4096);
    expect(f.comma()).toBe(true);
    const name = f.token();
    expect(f.is(name, f.p, "usr_0")).toBe(true);
    expect(f.is(name, f.p, "usr")).toBe(false);
    expect(f.atEnd()).toBe(true);
    expect(f.comma()).toBe(false);
  });

  it("restIs compares the rest of the line, trailing spaces, tabs and CR aside (a column header)", () => {
    const header = "device_id,opcode,offset,length,timestamp";
    expect(fields(`${header} \t\r`).restIs(header)).toBe(true);
    expect(fields(`${header},extra`).restIs(header)).toBe(false);
    expect(fields(header.slice(0, -1)).restIs(header)).toBe(false);
    const f = fields(`  ${header}`);
    expect(f.restIs(header)).toBe(false); // leading spaces are the caller's (atEnd skips them)
    f.spaces();
    expect(f.restIs(header)).toBe(true);
    expect(f.p).toBe(2); // does not move
    const bytes = Buffer.from(`x,${header}  ,tail`, "latin1");
    const g = new ByteFields();
    g.reset(bytes, 2, bytes.length - 5);
    expect(g.restIs(header)).toBe(true); // only up to the end it was given
  });

  it("never reads past the end it was given", () => {
    const bytes = Buffer.from("12,34", "latin1");
    const f = new ByteFields();
    f.reset(bytes, 0, 2);
    expect(f.uint()).toBe(12);
    expect(f.comma()).toBe(false);
    expect(f.atEnd()).toBe(true);
    f.reset(bytes, 3, 5);
    expect(f.uint()).toBe(34);
  });
});
