import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Act, Cat, makeDevice, Notify } from "../../model/actions.js";
import { batchOf } from "../../model/event.js";
import { encodeBinary } from "../../sinks/binaryWriter.js";
import { blkparseFormatter, formatBlkparse, formatBlkparseLine } from "../../sinks/blkparseFormat.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import { FtraceTextDecoder } from "../../sources/ftraceTextDecoder.js";
import { decodeAll, eventLines } from "../helpers/decode.js";
import { blankEvent } from "../helpers/events.js";
import { BIN_FIXTURES, fixtureBytes } from "../helpers/fixtures.js";

const HAVE_BLKPARSE = existsSync("/usr/bin/blkparse");

function realBlkparse(bin: Uint8Array): string {
  return execFileSync("/usr/bin/blkparse", ["-q", "-i", "-"], { input: bin, maxBuffer: 64 << 20 }).toString("utf8");
}

describe("formatBlkparse", () => {
  test.each(BIN_FIXTURES)("prints %s.bin exactly as blkparse 1.2.0 did", (name) => {
    const batch = decodeAll(new BinaryDecoder(), fixtureBytes(`${name}.bin`));
    const expected = eventLines(Buffer.from(fixtureBytes(`${name}.blkparse.txt`)).toString("utf8"));
    const ours = formatBlkparse(batch).split("\n").slice(0, -1);
    expect(ours.length).toBe(expected.length);
    expect(ours).toEqual(expected);
  });

  test("prints the first lines of direct-contig with remap, queue, unplug and complete trailers", () => {
    const batch = decodeAll(new BinaryDecoder(), fixtureBytes("direct-contig.bin"));
    expect(formatBlkparseLine(batch, 0)).toBe(
      "  7,0    0        0     0.000000000 22732  A  RS 280576 + 128 <- (259,0) 278528",
    );
    expect(formatBlkparseLine(batch, 4)).toBe("  7,0    0        0     0.000047209 22732  U   N [(null)] 1");
    expect(formatBlkparseLine(batch, 6)).toBe("  7,0    1        0     0.000554493    22  C  RS 280576 + 128 [0]");
  });

  test("prints nothing for process notify records and uses their names", () => {
    const process = { ...blankEvent(), code: (Cat.NOTIFY | Notify.PROCESS) >>> 0, comm: "python3", pid: 23049 };
    const queue = {
      ...blankEvent(),
      code: (Act.QUEUE | Cat.QUEUE | Cat.READ) >>> 0,
      pid: 23049,
      sector: 8,
      bytes: 4096,
    };
    const batch = batchOf([process, queue]);
    expect(formatBlkparse(batch)).toBe("  7,0    0        0     0.000000000 23049  Q   R 8 + 8 [python3]\n");
  });

  test("a stream formatter remembers names from earlier batches", () => {
    const format = blkparseFormatter();
    format(batchOf([{ ...blankEvent(), code: (Cat.NOTIFY | Notify.PROCESS) >>> 0, comm: "sync", pid: 5 }]));
    const line = format(batchOf([{ ...blankEvent(), code: (Act.PLUG | Cat.QUEUE) >>> 0, pid: 5 }]));
    expect(line).toBe("  7,0    0        0     0.000000000     5  P   N [sync]\n");
  });

  test.skipIf(!HAVE_BLKPARSE).each(BIN_FIXTURES)(
    "real blkparse prints our encoding of %s.bin like the original",
    (name) => {
      const batch = decodeAll(new BinaryDecoder(), fixtureBytes(`${name}.bin`));
      const ours = realBlkparse(encodeBinary(batch, { baseTimeNs: 1133293916930n }));
      expect(eventLines(ours)).toEqual(eventLines(Buffer.from(fixtureBytes(`${name}.blkparse.txt`)).toString("utf8")));
    },
  );

  test.skipIf(!HAVE_BLKPARSE)("real blkparse and our formatter agree on a text-decoded ftrace trace with names", () => {
    const batch = decodeAll(new FtraceTextDecoder(), fixtureBytes("pressure-frag.classic"));
    // ftrace has no sequence numbers; blkparse needs them per CPU (1, 2, ...) to keep time order.
    const next = new Map<number, number>();
    for (let i = 0; i < batch.length; i++) {
      const cpu = batch.cpu[i] as number;
      const seq = (next.get(cpu) ?? 0) + 1;
      next.set(cpu, seq);
      batch.sequence[i] = seq;
    }
    const bin = encodeBinary(batch, { nameRecords: true, littleEndian: false });
    const real = eventLines(realBlkparse(bin));
    expect(real.length).toBe(2793);
    expect(real[1]).toBe("  7,0    1        2     0.000055193 23049  Q  RM 27496 + 8 [python3]");
    expect(formatBlkparse(batch).split("\n").slice(0, -1)).toEqual(real);
  });

  test.skipIf(!HAVE_BLKPARSE)("real blkparse agrees on PC requests, messages and splits we write", () => {
    const pc = (Cat.PC | Cat.READ) >>> 0;
    const events = [
      { ...blankEvent(), code: (Act.ISSUE | Cat.ISSUE | pc) >>> 0, bytes: 4096, payload: "28000000080000080000" },
      { ...blankEvent(), time: 10, code: (Act.COMPLETE | Cat.COMPLETE | pc) >>> 0, bytes: 4096, error: -5 },
      { ...blankEvent(), time: 20, code: (Act.QUEUE | Cat.QUEUE | pc) >>> 0, bytes: 512 },
      {
        ...blankEvent(),
        time: 30,
        code: (Cat.NOTIFY | Notify.MESSAGE) >>> 0,
        payload: Buffer.from("hello there").toString("hex"),
      },
      {
        ...blankEvent(),
        time: 40,
        code: (Act.COMPLETE | Cat.COMPLETE | Cat.FS | Cat.WRITE | Cat.FUA) >>> 0,
        sector: 77,
      },
      {
        ...blankEvent(),
        time: 1_500_000_000,
        code: (Act.SPLIT | Cat.READ) >>> 0,
        sector: 100,
        bytes: 4096,
        payload: "0000000000000108",
      },
    ];
    const batch = batchOf(events);
    const real = eventLines(realBlkparse(encodeBinary(batch)));
    expect(formatBlkparse(batch).split("\n").slice(0, -1)).toEqual(real);
    expect(real).toContain(
      "  7,0    0        0     0.000000000     0  D   R 4096 (28 00 00 00 08 00 00 08 00 ..) [(null)]",
    );
    expect(real).toContain("  7,0    0        0     0.000000030     0  m   N hello there");
  });

  test("decoding our own output gives the same lines back", () => {
    const batch = decodeAll(new BinaryDecoder(), fixtureBytes("pressure-frag.bin"));
    const text = formatBlkparse(batch);
    const again = decodeAll(new BlkparseTextDecoder(), Buffer.from(text));
    expect(formatBlkparse(again)).toBe(text);
  });
});

void makeDevice;
