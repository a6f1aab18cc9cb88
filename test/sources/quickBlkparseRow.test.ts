import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Act, Cat } from "../../model/actions.js";
import { concatBatches, type EventBatch, NUMERIC_COLUMNS } from "../../model/batch.js";
import { TraceFormatError } from "../../model/errors.js";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import { newQuickRow, quickBlkparseRow } from "../../sources/quickBlkparseRow.js";
import { quickBlkparseColumns } from "../../sources/quickHeader.js";
import { FIXTURES } from "../helpers/cli.js";

/** A decoder that counts the lines its byte fast path decoded. */
class CountingDecoder extends BlkparseTextDecoder {
  quick = 0;
  protected override quickLine(buf: Uint8Array, from: number, to: number): boolean {
    const done = super.quickLine(buf, from, to);
    if (done) this.quick++;
    return done;
  }
}

/** Decode with every line kept: through the byte fast path when `quick`, else the string parser only. */
function decode(bytes: Uint8Array, quick: boolean, chunk = 1 << 20) {
  const dec = new CountingDecoder({ file: "t.txt", ...(quick ? { keep: () => true } : {}) });
  const out: EventBatch[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...dec.push(bytes.subarray(i, i + chunk)));
  out.push(...dec.end());
  return { batch: concatBatches(out), quick: dec.quick };
}

/** Every column of every row, and the names. */
function rows(b: EventBatch): unknown {
  return {
    columns: NUMERIC_COLUMNS.map((name) => Array.from(b[name])),
    names: [...(b.names ?? new Map())].sort(),
  };
}

const line = (s: string) => Buffer.from(s, "latin1");

describe("quickBlkparseRow (fixed-column SECTOR + COUNT lines from bytes)", () => {
  it("reads every field of a D line", () => {
    const bytes = line("259,10   1      123 12345.000050885 22958  D  RS 2048 + 8 [dd if=x]");
    const row = newQuickRow();
    expect(quickBlkparseRow(bytes, 0, bytes.length, row)).toBe(true);
    expect(row).toMatchObject({ major: 259, minor: 10, cpu: 1, sequence: 123, pid: 22958, sector: 2048, count: 8 });
    expect(row.timeNs).toBe(12345_000050885);
    expect(String.fromCharCode(row.letter)).toBe("D");
    expect(row.rwbsKey).toBe(82 + 83 * 256); // "RS"
    expect(bytes.subarray(row.textFrom, row.textTo).toString()).toBe("dd if=x");
  });

  it("reads a 15-digit sector exactly", () => {
    const bytes = line("  7,0    1        0     0.000050885 22958  D   R 999999999999999 + 8 [dd]");
    const row = newQuickRow();
    expect(quickBlkparseRow(bytes, 0, bytes.length, row)).toBe(true);
    expect(row.sector).toBe(999_999_999_999_999);
  });

  it("leaves every other shape to the full parser", () => {
    const head = "  7,0    1        0     0.000050885 22958 ";
    const row = newQuickRow();
    for (const rest of [
      " D   R 2048 + 8 [dd] ", // trailing space
      " D   R 2048  + 8 [dd]", // two spaces
      " D   R 4096 (12 34) [dd]", // PC request
      "UT   N [dd] 1", // two-letter action
      " A  RA 2960 + 8 <- (259,0) 912", // remap
      " D   R 1234567890123456 + 8 [dd]", // 16 digits: may pass 2^53, the full parser decides
      " D   R 2048 + 8388608 [dd]", // count past 0x7fffff
      " D  Rs 2048 + 8 [dd]", // lowercase RWBS
      " D   R 2048 + 8 [dd]\r", // CRLF
    ]) {
      const bytes = line(head + rest);
      expect(quickBlkparseRow(bytes, 0, bytes.length, row), rest).toBe(false);
    }
  });

  it("gives the same columns and names as the string parser on every fixture, and is used for most lines", () => {
    for (const name of ["pressure-frag", "mmap-frag", "direct-contig", "seq-contig"]) {
      const text = readFileSync(join(FIXTURES, `${name}.blkparse.txt`));
      const full = decode(text, false);
      for (const chunk of [4096, 1 << 20]) {
        const fast = decode(text, true, chunk);
        expect(rows(fast.batch), name).toEqual(rows(full.batch));
        // Q/G/I/D/C/M lines take the fast path; A, P, U, UT, X lines do not.
        expect(fast.quick, name).toBeGreaterThan(full.batch.length / 2);
      }
    }
  });

  it("a C line carries its error, an I line the FS bit", () => {
    const text = line(
      "  7,0    1        0     0.000050885 22958  I  RS 2048 + 8 [dd]\n" +
        "  7,0    1        1     0.000060885     0  C  RS 2048 + 8 [-5]\n",
    );
    const { batch, quick } = decode(text, true);
    expect(quick).toBe(2);
    expect(batch.action[0]).toBe((Act.INSERT | Cat.QUEUE | Cat.READ | Cat.SYNC | Cat.FS) >>> 0);
    expect(batch.error[1]).toBe(-5);
    expect(batch.action[1]).toBe((Act.COMPLETE | Cat.COMPLETE | Cat.READ | Cat.SYNC | Cat.FS) >>> 0);
  });

  it("generated lines of every field width: the same rows as the string parser", () => {
    const pad = (v: number, w: number) => String(v).padStart(w, " ");
    const lineOf = fc
      .record({
        maj: fc.integer({ min: 0, max: 999 }),
        min: fc.integer({ min: 0, max: 999 }),
        cpu: fc.integer({ min: 0, max: 99 }),
        seq: fc.integer({ min: 0, max: 99_999_999 }),
        sec: fc.integer({ min: 0, max: 99_999 }),
        nsec: fc.integer({ min: 0, max: 999_999_999 }),
        pid: fc.integer({ min: 0, max: 99_999 }),
        act: fc.constantFrom("Q", "M", "F", "G", "S", "D", "I", "B", "C", "R", "P", "X"),
        rwbs: fc.constantFrom("R", "W", "RS", "RA", "WS", "WFS", "FWS", "N", "D", "RM", "WSM", "FWFSM", "RX"),
        sector: fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        count: fc.integer({ min: 0, max: 0x7fffff }),
        text: fc.oneof(
          fc.constantFrom("(null)", "dd", "kworker/1:2", "0", "-5", "wörk", "日本語", "a]b", "x [y]", ""),
          fc.string({ maxLength: 12 }),
        ),
      })
      .map(
        (f) =>
          `${pad(f.maj, 3)},${String(f.min).padEnd(3, " ")} ${pad(f.cpu, 2)} ${pad(f.seq, 8)} ${pad(f.sec, 5)}.` +
          `${String(f.nsec).padStart(9, "0")} ${pad(f.pid, 5)}  ${f.act} ${f.rwbs.padStart(3, " ")} ` +
          `${f.sector} + ${f.count} [${f.text}]`,
      );
    let quickLines = 0;
    let allLines = 0;
    fc.assert(
      fc.property(fc.array(lineOf, { minLength: 1, maxLength: 20 }), (lines) => {
        const bytes = Buffer.from(`${lines.join("\n")}\n`, "utf8");
        const outcome = (quick: boolean) => {
          try {
            const decoded = decode(bytes, quick);
            quickLines += decoded.quick;
            allLines += lines.length;
            return rows(decoded.batch);
          } catch (error) {
            if (!(error instanceof TraceFormatError)) throw error;
            return error.message;
          }
        };
        expect(outcome(true)).toEqual(outcome(false));
      }),
      { numRuns: 500 },
    );
    // Most generated lines are SECTOR + COUNT lines: the fast path must have taken them.
    expect(quickLines).toBeGreaterThan(allLines / 4);
  });

  it("a command name stays right when the reader reuses its chunk buffer", () => {
    // Two lines of equal length whose names sit at the same offset of successive chunks, pushed through one
    // reused buffer as the file reader does: the second name must not be taken for a repeat of the first.
    const a = "  7,0    1        0     0.000050885 22958  D   R 2048 + 8 [dd]\n";
    const b = "  7,0    1        0     0.000060885 31000  D   R 4096 + 8 [cp]\n";
    const shared = new Uint8Array(a.length);
    const dec = new CountingDecoder({ file: "t.txt", keep: () => true });
    const out: EventBatch[] = [];
    for (const text of [a, b]) {
      shared.set(Buffer.from(text, "latin1"));
      out.push(...dec.push(shared));
    }
    out.push(...dec.end());
    expect(dec.quick).toBe(2);
    expect([...(concatBatches(out).names ?? new Map())].sort()).toEqual([
      [22958, "dd"],
      [31000, "cp"],
    ]);
  });

  it("the action read for the filter has the parser's code and READ/WRITE/DISCARD bits, for every RWBS", () => {
    const mask = (0xffff | Cat.READ | Cat.WRITE | Cat.DISCARD | Cat.NOTIFY) >>> 0;
    for (const act of ["Q", "G", "I", "D", "C", "M"]) {
      for (const rwbs of ["R", "W", "N", "D", "RS", "WS", "FN", "FWS", "DS", "RA", "WFSM"]) {
        const text = `  7,0    1        0     0.000050885 22958  ${act} ${rwbs.padStart(3, " ")} 2048 + 8 [${act === "C" ? 0 : "dd"}]`;
        const parsed = decode(line(`${text}\n`), false).batch.action[0] as number;
        expect((quickBlkparseColumns(line(text), 0, text.length) & mask) >>> 0, text).toBe((parsed & mask) >>> 0);
      }
    }
  });

  it("mutated lines: the same rows as the string parser, or the same error", () => {
    const text = readFileSync(join(FIXTURES, "pressure-frag.blkparse.txt")).subarray(0, 40_000);
    const alphabet = " 0123456789+-[]()RWDSAFMNQGICUXmT,.\r\t\n".split("").map((c) => c.charCodeAt(0));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(text.length - 1), fc.constantFrom(...alphabet)), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const bytes = Uint8Array.from(text);
          for (const [at, value] of edits) bytes[at] = value;
          const outcome = (quick: boolean) => {
            try {
              return rows(decode(bytes, quick).batch);
            } catch (error) {
              if (!(error instanceof TraceFormatError)) throw error;
              return error.message;
            }
          };
          expect(outcome(true)).toEqual(outcome(false));
        },
      ),
      { numRuns: 300 },
    );
  });
});
