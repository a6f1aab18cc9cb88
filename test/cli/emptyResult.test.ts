import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actionOf, onlyRecords } from "../helpers/binaryTrace.js";
import { blkrx, FIXTURES } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-empty-"));
const range = (listing: string) => ["--extents", listing, "--partition-start", "2048"];

/** A binary trace holding only the Q records of pressure-frag.bin. */
const queuesOnly = join(dir, "queues.bin");
writeFileSync(
  queuesOnly,
  onlyRecords(readFileSync(join(FIXTURES, "pressure-frag.bin")), (r) => (actionOf(r) & 0xffff) === 1),
);

/** The same as blkparse text: only its Q lines. */
const queuesOnlyText = join(dir, "queues.blkparse.txt");
writeFileSync(
  queuesOnlyText,
  readFileSync(join(FIXTURES, "pressure-frag.blkparse.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim().split(/\s+/)[5] === "Q")
    .join("\n"),
);

/** A binary trace of one notify record (a process name) and no block event. */
const notifyOnly = join(dir, "notify.bin");
{
  const record = Buffer.alloc(48 + 8);
  record.writeUInt32LE(0x65617407, 0); // magic, version 7
  record.writeUInt32LE(1 << 26, 28); // NOTIFY category, action PROCESS
  record.writeUInt32LE(42, 32); // pid
  record.writeUInt32LE(7 << 20, 36); // device 7,0
  record.writeUInt16LE(8, 46);
  record.write("python3\0", 48);
  writeFileSync(notifyOnly, record);
}

/** stderr is exactly one note line; the run still succeeds. */
async function note(args: string[]): Promise<{ line: string; json: Record<string, unknown> }> {
  const r = await blkrx([...args, "--json", "--no-db"]);
  expect(r.exitCode).toBe(0);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  return { line: lines[0] as string, json: JSON.parse(r.stdout) };
}

describe("a run that keeps nothing says why on stderr", () => {
  it("a listing of another file: how many D reads there were, and that none fall inside the file", async () => {
    const { line, json } = await note(["analyze", "pressure-frag.bin", ...range("contig.filefrag.txt")]);
    expect(line).toBe(
      "blkrx: kept 0 events: 0 of 247 D reads fall inside the file's sectors: is the listing for this device and partition?",
    );
    expect(json.events).toBe(0);
    expect(json).toHaveProperty("durationNs", null);
  });

  it("--rw write on a trace of reads", async () => {
    const { line } = await note(["analyze", "seq-contig.bin", "--rw", "write"]);
    expect(line).toBe(
      "blkrx: kept 0 events: none of the 81 D events is a write of at least one sector (--rw write); try --rw read or --rw any",
    );
  });

  it("no event of the action, from binary and from blkparse text (each event counted once)", async () => {
    for (const input of [queuesOnly, queuesOnlyText]) {
      const { line } = await note(["analyze", input]);
      expect(line, input).toBe(
        "blkrx: kept 0 events: none of the 526 events is a D (issued to the device) event; choose another with --action",
      );
    }
  });

  it("no block events at all", async () => {
    const { line } = await note(["analyze", notifyOnly]);
    expect(line).toBe("blkrx: kept 0 events: the input holds no block events");
  });

  it("the same note from blkparse text and with --latency", async () => {
    const expected =
      "blkrx: kept 0 events: 0 of 247 D reads fall inside the file's sectors: is the listing for this device and partition?";
    expect((await note(["analyze", "pressure-frag.blkparse.txt", ...range("contig.filefrag.txt")])).line).toBe(
      expected,
    );
    const latency = await blkrx([
      "analyze",
      "pressure-frag.bin",
      ...range("contig.filefrag.txt"),
      "--latency",
      "--json",
      "--no-db",
    ]);
    expect(latency.stderr.trim()).toBe(expected);
  });

  it("analyze-many names the input; plot says it too", async () => {
    const many = await blkrx([
      "analyze-many",
      "pressure-frag.bin",
      "seq-contig.bin",
      ...range("frag.filefrag.txt"),
      "--json",
    ]);
    expect(many.exitCode).toBe(0);
    expect(many.stderr.trim().split("\n")).toEqual([
      "blkrx: seq-contig.bin: kept 0 events: 0 of 80 D reads fall inside the file's sectors: is the listing for this device and partition?",
    ]);
    const rows = many.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.events, r.durationNs])).toEqual([
      [243, expect.any(Number)],
      [0, null],
    ]);
    const plot = await blkrx([
      "plot",
      "pressure-frag.bin",
      ...range("contig.filefrag.txt"),
      "--out",
      join(dir, "p.svg"),
    ]);
    expect(plot.stderr).toContain("0 of 247 D reads fall inside the file's sectors");
  });

  it("durationNs is in every summary JSON: 0 for a single event", async () => {
    let seen = 0;
    const oneRead = join(dir, "one-read.bin");
    const bin = readFileSync(join(FIXTURES, "pressure-frag.bin"));
    writeFileSync(
      oneRead,
      onlyRecords(bin, (r) => (actionOf(r) & 0xffff) === 7 && seen++ === 0),
    );
    const one = JSON.parse((await blkrx(["analyze", oneRead, "--json", "--no-db"])).stdout);
    expect(one.events).toBe(1);
    expect(one.durationNs).toBe(0);
  });
});
