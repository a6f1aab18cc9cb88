import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, FIXTURES } from "../helpers/cli.js";
import { eventLines } from "../helpers/decode.js";
import { BIN_FIXTURES } from "../helpers/fixtures.js";

/**
 * Round trips through the CLI, as a user chains it (the library-level
 * versions are in test/formats): binary → `cat --ndjson` → `cat --binary` →
 * `cat --ndjson` is byte-identical; real blkparse decodes our binary output
 * (from the binary and from the blkparse text) to the original event lines.
 */
const HAVE_BLKPARSE = existsSync("/usr/bin/blkparse");
if (!HAVE_BLKPARSE)
  console.warn("skipping the blkparse cross-checks: /usr/bin/blkparse is missing (apt-get install blktrace)");
const dir = mkdtempSync(join(tmpdir(), "blkrx-rt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cat(args: string[]): Promise<Buffer> {
  const r = await execa("node", [BIN, "cat", ...args], { cwd: FIXTURES, encoding: "buffer" });
  return Buffer.from(r.stdout);
}

describe("blkrx cat round trips", () => {
  it.each(BIN_FIXTURES)(
    "%s: binary → NDJSON → binary → NDJSON is identical, and blkparse agrees",
    async (name) => {
      const ndjson = await cat(["--ndjson", `${name}.bin`]);
      writeFileSync(join(dir, `${name}.ndjson`), ndjson);
      const binary = await cat(["--binary", join(dir, `${name}.ndjson`)]);
      writeFileSync(join(dir, `${name}.rt.bin`), binary);
      expect((await cat(["--ndjson", join(dir, `${name}.rt.bin`)])).equals(ndjson)).toBe(true);
      if (!HAVE_BLKPARSE) return;
      const original = eventLines(readFileSync(join(FIXTURES, `${name}.blkparse.txt`), "utf8"));
      const real = (bytes: Buffer) =>
        eventLines(execFileSync("/usr/bin/blkparse", ["-q", "-i", "-"], { input: bytes }).toString());
      const fromText = await cat(["--binary", `${name}.blkparse.txt`]);
      const a = real(binary);
      const b = real(fromText);
      expect(a.length).toBe(original.length);
      expect(a).toEqual(original);
      expect(b).toEqual(original);
    },
    60_000,
  );
});
