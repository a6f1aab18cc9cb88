import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { startMlockHelper } from "../../pipeline/experiment/mlockHelper.js";
import { BIN, blkrx, FIXTURES } from "../helpers/cli.js";

/** One line on stderr, no internal function names, no raw library or Python text. */
function expectOneSentence(stderr: string): void {
  const lines = stderr.trim().split("\n");
  expect(lines[0]).not.toMatch(/classifyGaps|accessGrid|Invalid typed array|EEXIST|ENOTDIR|mkdir|Traceback|execa/);
  expect(lines.filter((l) => !l.startsWith("(run blkrx --help"))).toHaveLength(1);
}

describe("messages name the option as typed and say what was expected", () => {
  it("--small above --medium", async () => {
    const r = await blkrx(["analyze", "pressure-frag.bin", "--small", "5000", "--no-db"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      "blkrx: Cannot classify gaps: --small must be at most --medium (got --small 5000, --medium 2048)",
    );
  });

  it("an empty --small is an error, not 0", async () => {
    const r = await blkrx(["analyze", "pressure-frag.bin", "--small", "", "--no-db", "--json"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      `option '--small <sectors>' argument '' is invalid. expected a non-negative integer, got ""`,
    );
  });

  it("plot --columns 0 and a grid too large to allocate", async () => {
    for (const columns of ["0", "99999999999"]) {
      const r = await blkrx(["plot", "pressure-frag.bin", "--only", "access", "--out", "-", "--columns", columns]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        `option '--columns <n>' argument '${columns}' is invalid. expected an integer from 2 to 10,000`,
      );
      expectOneSentence(r.stderr);
    }
  });

  it("export --parquet onto a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx-msg-"));
    const db = join(dir, "runs.duckdb");
    expect((await blkrx(["analyze", "direct-frag.bin", "--db", db])).exitCode).toBe(0);
    writeFileSync(join(dir, "afile"), "");
    for (const out of [join(dir, "afile"), join(dir, "afile", "sub")]) {
      const r = await blkrx(["export", "--parquet", out, "--db", db]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim()).toBe(`blkrx: Cannot export to ${out}: a file is in the way of that directory`);
    }
  });

  it("--file when filefrag is not installed", async () => {
    const r = await execa(
      process.execPath,
      [BIN, "analyze", "pressure-frag.bin", "--file", "./pressure-frag.bin", "--no-db"],
      {
        cwd: FIXTURES,
        env: { PATH: "/nonexistent" },
        extendEnv: false,
        reject: false,
      },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      "blkrx: Cannot map ./pressure-frag.bin: filefrag is not installed (it comes with e2fsprogs)",
    );
  });

  it("--lock more than the machine can map: one sentence, no Python traceback", async () => {
    const error = await startMlockHelper(2 ** 50).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /^Cannot lock memory for --lock: the system could not map that much memory \(.+\) \(got 1125899906842624 bytes\)$/,
    );
    expect(error?.message).not.toContain("Traceback");
  });
});
