import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BIN, blkrx, FIXTURES } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-bad-"));
const bin = readFileSync(join(FIXTURES, "direct-contig.bin"));
const text = readFileSync(join(FIXTURES, "direct-contig.blkparse.txt"), "utf8").split("\n");

function write(name: string, data: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** One clear line on stderr, no stack trace. */
function expectOneSentence(stderr: string, ...parts: (string | RegExp)[]) {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  for (const p of parts) expect(lines[0]).toMatch(p);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("bad input gets one clear message and a non-zero exit", () => {
  const cut = write("cut.bin", bin.subarray(0, 48 * 5 + 30));
  const garbage = write(
    "garbage.txt",
    [...text.slice(0, 50), "this is not a trace line", ...text.slice(50)].join("\n"),
  );

  it("a binary file cut in the middle of a record names the byte offset", async () => {
    const r = await blkrx(["analyze", cut, "--json", "--no-db"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expectOneSentence(r.stderr, cut, /at byte \d+/, /expected/, /truncated/);
  });

  it("a text file with a garbage line names the line", async () => {
    const r = await blkrx(["analyze", garbage, "--json", "--no-db"]);
    expect(r.exitCode).toBe(1);
    expectOneSentence(r.stderr, garbage, /line 51/, /expected/);
  });

  it("a missing file", async () => {
    const r = await blkrx(["analyze", join(dir, "nope.bin"), "--no-db"]);
    expect(r.exitCode).toBe(1);
    expectOneSentence(r.stderr, /nope\.bin/, /no such file/);
  });

  it("a filefrag listing with no extents", async () => {
    const ff = write(
      "empty.filefrag.txt",
      "Filesystem type is: ef53\nFile size of /x is 0 (0 blocks of 4096 bytes)\n/x: 0 extents found\n",
    );
    const r = await blkrx(["analyze", join(FIXTURES, "direct-contig.bin"), "--extents", ff, "--no-db"]);
    expect(r.exitCode).toBe(1);
    expectOneSentence(r.stderr, ff, /expected at least one extent/);
  });

  it("a file in no known format", async () => {
    const junk = write("junk.dat", "hello world\nthis is a poem\n");
    const r = await blkrx(["analyze", junk, "--no-db"]);
    expect(r.exitCode).toBe(1);
    expectOneSentence(r.stderr, junk, /expected a block trace/);
  });

  it("--lenient completes and reports the exact skip count", async () => {
    const a = await blkrx(["analyze", cut, "--json", "--no-db", "--lenient"]);
    expect(a.exitCode).toBe(0);
    expect(JSON.parse(a.stdout).skipped).toBe(1);
    const b = await blkrx(["analyze", garbage, "--json", "--no-db", "--lenient"]);
    expect(b.exitCode).toBe(0);
    const s = JSON.parse(b.stdout);
    expect(s.skipped).toBe(1);
    expect(s.events).toBe(22);
  });

  it("empty files are valid and hold no events (idle CPUs of a per-CPU set)", async () => {
    write("idle.blktrace.0", bin);
    write("idle.blktrace.1", "");
    const r = await blkrx(["analyze", join(dir, "idle"), "--json", "--no-db"]);
    expect(r.exitCode).toBe(0);
    const whole = await blkrx(["analyze", join(FIXTURES, "direct-contig.bin"), "--json", "--no-db"]);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(whole.stdout));
    const empty = await blkrx(["analyze", write("empty.bin", ""), "--json", "--no-db"]);
    expect(empty.exitCode).toBe(0);
    expect(JSON.parse(empty.stdout).events).toBe(0);
  });
});

/** Deterministic noise (xorshift32): incompressible, so its gzip form is as large as it is. */
function noise(bytes: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out;
}

describe("gzip input gets the errors of its uncompressed bytes", () => {
  // Each compressed form is larger than zlib's 16 KiB write buffer: the case that exited 13 without a word.
  const cases: [string, Buffer][] = [
    ["zeros.dat", Buffer.alloc(16 << 20)],
    ["noise.dat", noise(4 << 20)],
    ["trace-then-noise.bin", Buffer.concat([bin, noise(1 << 20)])],
  ];
  for (const [name, plain] of cases) {
    it(`${name}: exit 1 and the same sentence as uncompressed, offsets in the decompressed stream`, async () => {
      const path = write(name, plain);
      const gz = write(`${name}.gz`, gzipSync(plain, { level: 1 }));
      const expected = await blkrx(["analyze", path, "--json", "--no-db"]);
      expect(expected.exitCode).toBe(1);
      for (const [input, label, stdin] of [
        [gz, gz, undefined],
        ["-", "<stdin>", readFileSync(gz)],
      ] as const) {
        const r = await blkrx(["analyze", input, "--json", "--no-db"], stdin ? { input: stdin } : {});
        expect(r.exitCode).toBe(1);
        expect(r.stdout).toBe("");
        expectOneSentence(r.stderr, /expected/);
        expect(r.stderr).toBe(expected.stderr.replace(path, label));
      }
    });
  }

  it("trace-then-noise.bin.gz with --lenient: the same summary and skips as uncompressed", async () => {
    const plain = Buffer.concat([bin, noise(1 << 20)]);
    const path = write("lenient.bin", plain);
    const gz = write("lenient.bin.gz", gzipSync(plain, { level: 1 }));
    const a = await blkrx(["analyze", path, "--json", "--no-db", "--lenient"]);
    const b = await blkrx(["analyze", gz, "--json", "--no-db", "--lenient"]);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(JSON.parse(a.stdout).skipped).toBeGreaterThan(0);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toBe(a.stderr.replaceAll(path, gz));
    expect(b.stderr).toContain(`${gz} at byte ${bin.length}:`);
  });
});

describe("paths that are not regular files are read, not taken for blktrace base names", () => {
  it.each(["/dev/zero", "/dev/urandom"])(
    "%s (a character device): the format error after its first bytes",
    async (device) => {
      const r = await blkrx(["analyze", device, "--json", "--no-db"]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe("");
      expectOneSentence(r.stderr, `blkrx: ${device}: expected a block trace`, /found none of these in its first bytes/);
    },
  );

  it("a FIFO holding garbage: the format error, naming the FIFO", async () => {
    const fifo = join(dir, "garbage.fifo");
    await execa("mkfifo", [fifo]);
    const r = await execa(
      "bash",
      ["-c", `head -c 3000000 /dev/urandom > '${fifo}' & node '${BIN}' analyze '${fifo}' --no-db`],
      {
        reject: false,
      },
    );
    expect(r.exitCode).toBe(1);
    expectOneSentence(r.stderr, `blkrx: ${fifo}: expected a block trace`);
  });

  it("process substitution <(...) (a /dev/fd/N pipe), plain and gzipped, gives the file's summary", async () => {
    const file = join(FIXTURES, "direct-contig.bin");
    const whole = await blkrx(["analyze", file, "--json", "--no-db"]);
    for (const producer of [`cat '${file}'`, `gzip -c '${file}'`]) {
      const r = await execa("bash", ["-c", `node '${BIN}' analyze <(${producer}) --json --no-db`], { reject: false });
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(whole.stdout));
    }
  });
});
