import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/cli.js";

/**
 * The commands of docs/*.md work as printed from a checkout. Lines that stand for the reader's own files
 * (names in capitals), need a 4 GB model, write outside the folder, or trace the kernel (live, run) are left
 * to the tests of those features; the rest run in order, one fresh folder per page.
 */
const SKIP = /\b(TRACE|MODEL|DEV|WORKLOAD)\b|7b\.gguf|\s\/shared\/|^npx blkrx (live|run) /;

/** The `npx blkrx ...` lines of a page's code blocks that can run here, continuation lines joined. */
function commandsOf(page: string): string[] {
  const blocks = [...page.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => (m[1] as string).replace(/\\\n/g, ""));
  return blocks
    .flatMap((b) => b.split("\n"))
    .filter((line) => /^(npx blkrx |blkparse .*\| npx blkrx )/.test(line) && !SKIP.test(line));
}

const root = mkdtempSync(join(tmpdir(), "blkrx-docs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const shim = join(root, "bin");
mkdirSync(shim);
writeFileSync(
  join(shim, "npx"),
  `#!/bin/sh\n[ "$1" = blkrx ] || exit 99\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`,
  {
    mode: 0o755,
  },
);
const env = { ...process.env, PATH: `${shim}:${process.env.PATH ?? ""}` };

/** The pages with commands to run, and those commands. */
const PAGES = readdirSync(`${ROOT}docs`)
  .filter((f) => f.endsWith(".md"))
  .map((name) => ({ name, commands: commandsOf(readFileSync(`${ROOT}docs/${name}`, "utf8")) }))
  .filter((p) => p.commands.length > 0);

it("finds the runnable examples of the pages that have them", () => {
  expect(PAGES.map((p) => p.name)).toEqual(expect.arrayContaining(["gguf.md", "latency.md", "plots.md", "store.md"]));
});

describe.each(PAGES)("docs/$name: its commands work as printed", ({ name, commands }) => {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const link of ["test", "examples", "sql"]) symlinkSync(join(ROOT, link), join(dir, link));
  for (const command of commands) {
    it(command, async () => {
      const r = await execa("bash", ["-o", "pipefail", "-c", command], { cwd: dir, env, reject: false });
      expect(r.stderr).not.toMatch(/error|cannot|unknown option/i);
      expect(r.exitCode).toBe(0);
    });
  }
});
