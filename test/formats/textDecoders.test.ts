import { describe, expect, test } from "vitest";
import { Act, Cat, isRead } from "../../model/actions.js";
import { type EventBatch, NUMERIC_COLUMNS, payloadOf } from "../../model/batch.js";
import { newSkipCounter, TraceFormatError } from "../../model/errors.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import { FtraceTextDecoder } from "../../sources/ftraceTextDecoder.js";
import { decodeAll } from "../helpers/decode.js";
import { BIN_FIXTURES, fixtureBytes } from "../helpers/fixtures.js";

/** Number of D events whose RWBS has R. */
function readIssues(b: EventBatch): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const a = b.action[i] as number;
    if ((a & 0xffff) === Act.ISSUE && isRead(a, b.bytes[i] as number)) n++;
  }
  return n;
}

const text = (s: string) => Buffer.from(s, "utf8");

describe("BlkparseTextDecoder", () => {
  test.each(BIN_FIXTURES)("%s.blkparse.txt decodes to the same columns and payloads as %s.bin", (name) => {
    const fromText = decodeAll(
      new BlkparseTextDecoder({ file: `${name}.blkparse.txt` }),
      fixtureBytes(`${name}.blkparse.txt`),
    );
    const fromBin = decodeAll(new BinaryDecoder(), fixtureBytes(`${name}.bin`));
    expect(fromText.length).toBe(fromBin.length);
    for (const col of NUMERIC_COLUMNS) expect(Array.from(fromText[col]), col).toEqual(Array.from(fromBin[col]));
    for (let i = 0; i < fromBin.length; i++) expect(payloadOf(fromText, i)).toEqual(payloadOf(fromBin, i));
  });

  test("direct-contig has 182 events of which 22 are read issues, pressure-frag 2773 and 247", () => {
    const direct = decodeAll(new BlkparseTextDecoder(), fixtureBytes("direct-contig.blkparse.txt"));
    expect([direct.length, readIssues(direct)]).toEqual([182, 22]);
    const pressure = decodeAll(new BlkparseTextDecoder(), fixtureBytes("pressure-frag.blkparse.txt"));
    expect([pressure.length, readIssues(pressure)]).toEqual([2773, 247]);
  });

  test("parses a line spanning many chunks (one byte at a time)", () => {
    const bytes = fixtureBytes("direct-contig.blkparse.txt");
    const dec = new BlkparseTextDecoder();
    const batches: EventBatch[] = [];
    for (let k = 0; k < bytes.length; k++) batches.push(...dec.push(bytes.subarray(k, k + 1)));
    batches.push(...dec.end());
    const whole = decodeAll(new BlkparseTextDecoder(), bytes);
    const total = batches.reduce((n, b) => n + b.length, 0);
    expect(total).toBe(182);
    expect(Array.from(batches.flatMap((b) => Array.from(b.sector)))).toEqual(Array.from(whole.sector));
  });

  test("tolerates CRLF, blank lines, a last line without newline and stops at the statistics", () => {
    const input =
      "  7,0    0        0     0.000038413 22732  Q  RS 280576 + 128 [(null)]\r\n\r\n" +
      "  7,0    1        0     0.000554493    22  C  RS 280576 + 128 [0]\r\n" +
      "CPU0 (7,0):\n Reads Queued:          22,     1664KiB\t Writes Queued:           3,       12KiB\n" +
      "  7,0    1        0     0.000554493    22  C  RS 280576 + 128 [0]\nTotal (7,0):\nEvents (7,0): 182 entries";
    const b = decodeAll(new BlkparseTextDecoder(), text(input));
    expect(b.length).toBe(2);
    expect(Array.from(b.time)).toEqual([0, 516080]);
    expect(b.action[1]).toBe((Act.COMPLETE | Cat.COMPLETE | Cat.FS | Cat.READ | Cat.SYNC) >>> 0);
  });

  test("keeps names from [comm] (not (null)) in the batch", () => {
    const b = decodeAll(
      new BlkparseTextDecoder(),
      text(
        "  8,16   1       12     2.000000001  4242  D   W 100 + 8 [my tool]\n  8,16   1       13     2.5  4243  P   N [(null)]\n",
      ),
    );
    expect(b.names).toEqual(new Map([[4242, "my tool"]]));
    expect(Array.from(b.time)).toEqual([0, 499999999]);
    expect(b.device[0]).toBe(((8 << 20) | 16) >>> 0);
    expect(b.sequence[0]).toBe(12);
  });

  test("a garbage line in the middle is a TraceFormatError naming file and line 3", () => {
    const lines = fixtureBytes("direct-contig.blkparse.txt").toString().split("\n");
    lines.splice(2, 0, "this is not blkparse output");
    const dec = new BlkparseTextDecoder({ file: "x.txt" });
    const err = (() => {
      try {
        decodeAll(dec, text(lines.join("\n")));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TraceFormatError);
    expect((err as TraceFormatError).location).toEqual({ file: "x.txt", line: 3 });
    expect((err as TraceFormatError).message).toBe(
      'x.txt line 3: expected a blkparse event line (MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS ...) or blkparse\'s closing statistics, found "this is not blkparse output"',
    );
  });

  test("a bad trailer names what was expected", () => {
    expect(() =>
      decodeAll(
        new BlkparseTextDecoder({ file: "y" }),
        text("  7,0    0        0     0.1 1  A  RS 5 + 8 <- 259,0 3\n"),
      ),
    ).toThrow('y line 1: expected (MAJ,MIN), found "  7,0    0        0     0.1 1  A  RS 5 + 8 <- 259,0 3"');
    expect(() =>
      decodeAll(new BlkparseTextDecoder(), text("  7,0    0        0     0.1 1  Q  XYZ 5 + 8 [a]\n")),
    ).toThrow("expected RWBS flags");
  });

  test("lenient mode skips exactly the bad lines and keeps the rest", () => {
    const lines = fixtureBytes("direct-contig.blkparse.txt").toString().split("\n");
    lines.splice(10, 0, "garbage one");
    lines.splice(50, 0, "  7,0    0        0     0.1 1  Q  RS 5 + [a]");
    lines.splice(100, 0, "{}");
    const skips = newSkipCounter();
    const b = decodeAll(new BlkparseTextDecoder({ file: "z", lenient: skips }), text(lines.join("\n")));
    expect(b.length).toBe(182);
    expect(skips.skipped).toBe(3);
    expect(skips.reasons[0]).toMatch(/^z line 11: expected a blkparse event line/);
  });

  test("batches hold at most batchSize events", () => {
    const batches = [...new BlkparseTextDecoder({ batchSize: 50 }).push(fixtureBytes("direct-contig.blkparse.txt"))];
    expect(batches.map((b) => b.length)).toEqual([50, 50, 50]);
    expect(() => new BlkparseTextDecoder({ batchSize: 0 })).toThrow(RangeError);
  });
});

describe("FtraceTextDecoder", () => {
  test("blk_classic text: 2793 events, 250 read issues, cpu and names from the lines", () => {
    const b = decodeAll(new FtraceTextDecoder(), fixtureBytes("pressure-frag.classic"));
    expect(b.length).toBe(2793);
    expect(readIssues(b)).toBe(250);
    expect(b.cpu[0]).toBe(1);
    expect(b.time[1]).toBe(55193);
    expect(b.names?.get(23049)).toBe("python3");
    expect(b.names?.get(24)).toBe("kworker/1:0H");
  });

  test("default text: 196 events, 25 read issues, pid from COMM-PID, time in µs", () => {
    const dec = new FtraceTextDecoder();
    const b = decodeAll(dec, fixtureBytes("direct-contig.ftrace"));
    expect(b.length).toBe(196);
    expect(readIssues(b)).toBe(25);
    expect(Array.from(b.time.subarray(0, 3))).toEqual([0, 49000, 52000]);
    expect(Array.from(b.pid.subarray(0, 7))).toEqual([23096, 23096, 23096, 23096, 23096, 23096, 22]);
    expect(b.cpu[6]).toBe(1);
    expect(b.names?.get(22)).toBe("ksoftirqd/1");
    expect(dec.dropped).toBe(0);
  });

  test("skips # headers, counts LOST events, accepts lines without irq flags and with a TGID column", () => {
    const input = [
      "# tracer: blk",
      "#",
      "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
      "   kworker/u8:2-1234    [000] ....   100.000001:   8,0    D  WS 64 + 8 [kworker/u8:2]",
      "CPU:1 [LOST 17 EVENTS]",
      "          my-app-99     (   98) [003]   100.000101:   8,0    C  WS 64 + 8 [0]",
      "           <...>-77     [002] d..1.   100.000201:   8,0    Q   R 8 + 8 [<...>]",
    ].join("\n");
    const dec = new FtraceTextDecoder();
    const b = decodeAll(dec, text(input));
    expect(b.length).toBe(3);
    expect(dec.dropped).toBe(17);
    expect(Array.from(b.pid)).toEqual([1234, 99, 77]);
    expect(Array.from(b.cpu)).toEqual([0, 3, 2]);
    expect(Array.from(b.time)).toEqual([0, 100000, 200000]);
    expect(b.names).toEqual(
      new Map([
        [1234, "kworker/u8:2"],
        [99, "my-app"],
      ]),
    );
  });

  test("a garbage line is an error naming its line; lenient counts it", () => {
    const lines = fixtureBytes("direct-contig.ftrace").toString().split("\n");
    lines.splice(4, 0, "python3 did something odd");
    expect(() => decodeAll(new FtraceTextDecoder({ file: "t" }), text(lines.join("\n")))).toThrow(
      /^t line 5: expected/,
    );
    const skips = newSkipCounter();
    const b = decodeAll(new FtraceTextDecoder({ lenient: skips }), text(lines.join("\n")), 7);
    expect([b.length, skips.skipped]).toEqual([196, 1]);
  });
});
