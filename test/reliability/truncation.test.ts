import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../sinks/duckdb/index.js";
import { BIN, blkrx, FIXTURES } from "../helpers/cli.js";
import { fixtureBytes } from "./helpers.js";

/**
 * A live binary stream whose tracer is killed in the middle of a record
 * (`blktrace -o - | blkrx live -` when blktrace dies): blkrx keeps every
 * complete record, says once on stderr that a partial one was dropped, and
 * still prints and stores the run.
 */
const dir = mkdtempSync(join(tmpdir(), "blkrx-trunc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EXTENTS = ["--extents", "frag.filefrag.txt", "--partition-start", "2048"];

/** Byte offsets where each record of a binary trace starts. */
function recordStarts(bin: Buffer): number[] {
  const starts: number[] = [];
  for (let pos = 0; pos + 48 <= bin.length; pos += 48 + bin.readUInt16LE(pos + 46)) starts.push(pos);
  return starts;
}

/** A "tracer" that writes `bytes` into the pipe and is then SIGKILLed (by itself), never closing cleanly. */
function killedTracer(bytes: Buffer): string {
  const file = join(dir, `cut-${bytes.length}.bin`);
  writeFileSync(file, bytes);
  return `${process.execPath} -e 'process.stdout.write(require("fs").readFileSync(${JSON.stringify(file)}), () => process.kill(process.pid, "SIGKILL"))'`;
}

describe("a live stream cut mid-record", () => {
  const bin = fixtureBytes("pressure-frag.bin");
  const starts = recordStarts(bin);
  const withPayload = starts.findIndex((s, i) => i > 1500 && bin.readUInt16LE(s + 46) >= 16);

  it.each([
    ["inside a header", 1000, 17],
    ["inside a payload", withPayload, 52],
    ["after the last record", starts.length, 30],
  ])(
    "cut %s (record %i, %i bytes in): every complete event kept, tail reported once, run stored",
    async (_w, k, into) => {
      const whole = starts[k] ?? bin.length;
      const kept = bin.subarray(0, whole);
      const partial = k < starts.length ? bin.subarray(whole, whole + into) : Buffer.alloc(into, 0x07);
      // What the complete records alone give, read as a file.
      const keptFile = join(dir, `kept-${k}.bin`);
      writeFileSync(keptFile, kept);
      const expected = JSON.parse((await blkrx(["analyze", keptFile, ...EXTENTS, "--json", "--no-db"])).stdout);

      const db = join(dir, `live-${k}.duckdb`);
      const pipeline = `${killedTracer(Buffer.concat([kept, partial]))} | node ${BIN} live - ${EXTENTS.join(" ")} --json --no-view --db ${db}`;
      const r = await execa("bash", ["-c", pipeline], { cwd: FIXTURES, reject: false, encoding: "utf8" });
      expect(r.exitCode).toBe(0);
      const got = JSON.parse(r.stdout);
      const { durationNs: _a, ...want } = expected;
      const { durationNs: _b, runId, ...have } = got;
      expect(runId).toBe(1);
      expect(have).toEqual(want);
      expect(got.events).toBeGreaterThan(0);
      const notes = r.stderr.split("\n").filter((l) => l.includes("ends inside a record"));
      expect(notes).toEqual([
        `blkrx: <stdin>: the trace ends inside a record (${into} bytes dropped, as when the tracer is killed); the ${k} complete records before it were kept`,
      ]);
      expect(r.stderr).toMatch(/stored run 1 in /);
      const store = await openStore(db);
      try {
        const rows = (
          await store.connection.runAndReadAll(
            "select r.events, r.read_bytes, (select count(*) from events e where e.run_id = r.run_id) from runs r",
          )
        ).getRowsJS();
        expect(rows).toEqual([[BigInt(got.events), BigInt(got.readBytes), BigInt(got.events)]]);
      } finally {
        store.close();
      }
    },
    60_000,
  );
});
