import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { concatBatches, type EventBatch } from "../../model/batch.js";
import { datasetDevice, deviceLabel, deviceOfDatasetName, registerDatasetDevice } from "../../model/datasetDevice.js";
import { newSkipCounter, TraceFormatError } from "../../model/errors.js";
import { decoderFor } from "../../sources/decoderFor.js";
import { detectFormat, type TraceFormat } from "../../sources/detectFormat.js";
import { contractOf } from "../helpers/cases.js";
import { blkrx, FIXTURES } from "../helpers/cli.js";
import { DATASET_WRITERS, type IssuedRequest, issuedRequests } from "../helpers/datasetFiles.js";

const FORMATS = ["msr", "alibaba", "tencent", "biosnoop"] as const;

/** The documented example of each format (docs/inputs.md, decoder doc comments). */
const EXAMPLES: Record<(typeof FORMATS)[number], string> = {
  msr: "128166372003061629,usr,0,Read,7014609920,24576,41286\n",
  alibaba: "419,R,8792731648,4096,1577808144360767\n",
  tencent: "1538323200,12003176,16,0,1283\n",
  biosnoop:
    "TIME(s)     COMM           PID    DISK    T SECTOR     BYTES   LAT(ms)\n0.000004001 supervise      1950   xvda1   W 13092560   4096       0.74\n",
};

function decode(format: TraceFormat, text: string, keep?: (a: number, b: number) => boolean): EventBatch {
  const dec = decoderFor(format, { file: `x.${format}`, ...(keep ? { keep } : {}) });
  return concatBatches([...dec.push(Buffer.from(text)), ...dec.end()]);
}

describe("dataset formats: the documented examples parse", () => {
  it("msr: D read at offset/512 with ResponseTime × 100 ns to its C, on msr:usr/0", () => {
    const b = decode("msr", EXAMPLES.msr);
    expect(b.length).toBe(2);
    expect([...b.sector]).toEqual([13700410, 13700410]);
    expect([...b.bytes]).toEqual([24576, 24576]);
    expect([...b.time]).toEqual([0, 4128600]);
    expect((b.action[0] as number) & 0xffff).toBe(7); // D
    expect((b.action[1] as number) & 0xffff).toBe(8); // C
    expect(b.device[0]).toBe(datasetDevice("msr", "usr/0"));
    expect(deviceLabel(b.device[0] as number)).toBe("msr:usr/0");
    expect(deviceOfDatasetName("msr:usr/0")).toBe(b.device[0]);
  });
  it("alibaba: bytes and µs, device alibaba:419 = 241,419", () => {
    const b = decode("alibaba", `${EXAMPLES.alibaba}419,W,0,8192,1577808144360768\n`);
    expect([...b.sector]).toEqual([17173304, 0]);
    expect([...b.time]).toEqual([0, 1000]);
    expect(b.device[0]).toBe((241 << 20) | 419);
    expect(deviceLabel(b.device[0] as number)).toBe("alibaba:419");
  });
  it("tencent: seconds, sectors, 0 = read, 1 = write; equal times keep file order", () => {
    const b = decode("tencent", `${EXAMPLES.tencent}1538323200,8,8,1,1283\n1538323201,0,8,0,1283\n`);
    expect([...b.sector]).toEqual([12003176, 8, 0]);
    expect([...b.bytes]).toEqual([8192, 4096, 4096]);
    expect([...b.time]).toEqual([0, 0, 1e9]);
    expect(b.device[0]).toBe(deviceOfDatasetName("tencent:1283"));
  });
  it("biosnoop: D at TIME − LAT, C at TIME, pid and comm kept", () => {
    const b = decode("biosnoop", EXAMPLES.biosnoop);
    expect([...b.time]).toEqual([0, 740000]);
    expect([...b.sector]).toEqual([13092560, 13092560]);
    expect(b.pid[0]).toBe(1950);
    expect(b.names?.get(1950)).toBe("supervise");
    expect(deviceLabel(b.device[0] as number)).toBe("biosnoop:xvda1");
  });
  it("biosnoop with -Q (QUE column) and a command name with a space", () => {
    const text =
      "TIME(s)     COMM           PID    DISK    T SECTOR     BYTES  QUE(ms) LAT(ms)\n0.000100    DOM Worker     77     sda     R 2048       4096      0.01    0.05\n";
    const b = decode("biosnoop", text);
    expect(b.length).toBe(2);
    expect(b.names?.get(77)).toBe("DOM Worker");
    expect([...b.time]).toEqual([0, 50000]);
  });
  for (const format of FORMATS) {
    it(`${format} is detected from its content (and from its header line where it has one)`, () => {
      expect(detectFormat(Buffer.from(EXAMPLES[format]), "x")).toBe(format);
    });
  }
  it("the column header lines of the CSV formats are detected and skipped", () => {
    const b = decode("tencent", `Timestamp,Offset,Size,IOType,VolumeID\n${EXAMPLES.tencent}`);
    expect(b.length).toBe(1);
    expect(detectFormat(Buffer.from("device_id,opcode,offset,length,timestamp\n"), "x")).toBe("alibaba");
  });
});

describe("dataset device ids", () => {
  it("are the volume number (alibaba, tencent) or a hash of the name (msr, biosnoop), the same from the name alone", () => {
    expect(datasetDevice("alibaba", "419")).toBe((241 << 20) | 419);
    expect(datasetDevice("tencent", "1283")).toBe((242 << 20) | 1283);
    expect(datasetDevice("msr", "usr/0") >>> 20).toBe(240);
    expect(datasetDevice("biosnoop", "sda") >>> 20).toBe(243);
    expect(deviceOfDatasetName("7,0")).toBeUndefined();
    expect(deviceOfDatasetName("nosuch:1")).toBeUndefined();
  });
  it("a name whose computed id another volume holds gets the next free minor, and its name maps to it", () => {
    const taken = datasetDevice("msr", "collide/0");
    expect(registerDatasetDevice(taken, "msr:collide/0")).toBe(taken);
    const other = registerDatasetDevice(taken, "msr:other/9"); // pretend the hashes collide
    expect(other).toBe(taken + 1);
    expect(registerDatasetDevice(taken, "msr:other/9")).toBe(other);
    expect(deviceLabel(other)).toBe("msr:other/9");
    expect(deviceOfDatasetName("msr:other/9")).toBe(other);
  });
});

describe("dataset formats: bad lines", () => {
  it("name the file and line and what a record looks like", () => {
    expect(() => decode("msr", `${EXAMPLES.msr}128166372003061630,usr,0,Erase,0,512,1\n`)).toThrow(
      new TraceFormatError(
        { file: "x.msr", line: 2 },
        "Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime (e.g. 128166372003061629,usr,0,Read,7014609920,24576,41286)",
        '"128166372003061630,usr,0,Erase,0,512,1"',
      ),
    );
  });
  it("are skipped and counted with --lenient", () => {
    const skips = newSkipCounter();
    const dec = decoderFor("alibaba", { file: "a.csv", lenient: skips });
    const b = concatBatches([
      ...dec.push(Buffer.from(`${EXAMPLES.alibaba}419,X,0,1,2\n419,R,0,4096,1577808144360768`)),
      ...dec.end(),
    ]);
    expect(b.length).toBe(2);
    expect(skips.skipped).toBe(1);
    expect(skips.reasons[0]).toContain("a.csv line 2: expected device_id,opcode,offset,length,timestamp");
  });
  it("the selection filter is asked once per event a record stands for (so a counting filter counts events)", () => {
    const countingReads = () => {
      const seen = { rejected: 0 };
      const keep = (a: number) => {
        const ok = (a & 0xffff) === 7 && (a & (1 << 17)) === 0; // D, not WRITE
        if (!ok) seen.rejected++;
        return ok;
      };
      return { seen, keep };
    };
    // Alibaba: one event per record; two writes are rejected once each.
    const a = countingReads();
    decode("alibaba", `${EXAMPLES.alibaba}419,W,0,4096,1577808144360768\n419,W,0,4096,1577808144360769\n`, a.keep);
    expect(a.seen.rejected).toBe(2);
    // MSR: a D and a C per record; a read's C (1) and a write's D and C (2).
    const m = countingReads();
    const b = decode("msr", `${EXAMPLES.msr}128166372003061630,usr,0,Write,0,512,1\n`, m.keep);
    expect(b.length).toBe(1);
    expect(m.seen.rejected).toBe(3);
  });
  it("the selection filter drops D records early but keeps a wanted C (analyze --action C)", () => {
    const onlyC = (a: number) => (a & 0xffff) === 8;
    const b = decode("msr", EXAMPLES.msr, onlyC);
    expect(b.length).toBe(1);
    expect((b.action[0] as number) & 0xffff).toBe(8);
  });
});

describe("dataset formats: a file made from a fixture's D events gives the binary trace's summary", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-datasets-"));
  const fixtures = [
    { trace: "pressure-frag", extents: "frag.filefrag.txt" },
    { trace: "mmap-contig", extents: "contig.filefrag.txt" },
  ];
  const requests = new Map<string, IssuedRequest[]>();
  const references = new Map<string, Promise<Record<string, unknown>>>();
  /** analyze of the binary fixture, once per flag set. */
  const reference = (trace: string, flags: string[], rw: string) => {
    const key = [trace, ...flags, rw].join(" ");
    let r = references.get(key);
    if (!r) {
      r = blkrx(["analyze", `${trace}.bin`, ...flags, "--json", "--no-db", "--rw", rw]).then((out) => {
        expect(out.exitCode).toBe(0);
        return contractOf(JSON.parse(out.stdout));
      });
      references.set(key, r);
    }
    return r;
  };
  beforeAll(async () => {
    for (const f of fixtures) requests.set(f.trace, await issuedRequests(join(FIXTURES, `${f.trace}.bin`)));
  });
  for (const f of fixtures) {
    for (const format of FORMATS) {
      for (const withExtents of [false, true]) {
        const flags = withExtents ? ["--extents", f.extents, "--partition-start", "2048"] : [];
        it(`${f.trace} as ${format}${withExtents ? ` in ${f.extents}` : " (whole device)"}, gzip too`, async () => {
          const ds = requests.get(f.trace) ?? [];
          expect(ds.length).toBeGreaterThan(10);
          const text = `${DATASET_WRITERS[format](ds)}\n`;
          const path = join(dir, `${f.trace}.${format}.txt`);
          writeFileSync(path, text);
          writeFileSync(`${path}.gz`, gzipSync(text));
          // Both directions from the plain file, reads (the default) from the gzipped one.
          const any = await blkrx(["analyze", path, ...flags, "--json", "--no-db", "--rw", "any"]);
          expect(any.stderr).toBe("");
          expect(contractOf(JSON.parse(any.stdout))).toEqual(await reference(f.trace, flags, "any"));
          const reads = await blkrx(["analyze", `${path}.gz`, ...flags, "--json", "--no-db"]);
          expect(reads.stderr).toBe("");
          expect(contractOf(JSON.parse(reads.stdout))).toEqual(await reference(f.trace, flags, "read"));
          expect(JSON.parse(reads.stdout).events).toBeGreaterThan(0);
        });
      }
    }
  }
});
