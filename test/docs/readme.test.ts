import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/cli.js";

/** The README is the front door: short, readable in a terminal, and every command in it works as printed. */
const README = readFileSync(`${ROOT}README.md`, "utf8");
const LINES = README.split("\n");

/** The `npx blkrx ...` lines of the README's sh blocks, continuation lines joined, in reading order. */
function shCommands(doc: string): string[] {
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] as string).replace(/\\\n/g, ""));
  return blocks.flatMap((b) => b.split("\n")).filter((line) => line.startsWith("npx blkrx "));
}

/** Commands that trace the kernel need root and tracefs: test/live runs those paths under the machine's lock. */
const traces = (command: string): boolean => /^npx blkrx (live|run) /.test(command);

describe("README.md", () => {
  it("has at most 200 lines, none wider than 120 characters", () => {
    expect(LINES.length).toBeLessThanOrEqual(200);
    expect(LINES.filter((line) => [...line].length > 120)).toEqual([]);
  });

  it("links only to files that exist", () => {
    const targets = [...README.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1] as string);
    expect(targets.length).toBeGreaterThan(10);
    expect(targets.filter((t) => !existsSync(join(ROOT, t)))).toEqual([]);
  });

  it("shows one example per command", () => {
    const commands = shCommands(README).map((c) => c.split(" ")[2]);
    for (const name of ["analyze", "analyze-many", "cat", "latency", "plot", "runs", "compare", "sql", "export"]) {
      expect(commands).toContain(name);
    }
    for (const name of ["report", "live", "run", "gguf"]) expect(commands).toContain(name);
  });

  it("names the test command that .ci/run runs", () => {
    const ci = readFileSync(`${ROOT}.ci/run`, "utf8");
    expect(README).toMatch(/## Tests\n\n```sh\nnpm test\n```/);
    expect(ci).toMatch(/^npm test$/m);
  });
});

describe("README.md's commands work as printed, in order, from a checkout", () => {
  // A fresh folder that looks like the checkout (the bundled data, the package) with `npx blkrx` on PATH
  // running the built CLI, so the commands run exactly as printed without touching the repository.
  const dir = mkdtempSync(join(tmpdir(), "blkrx-readme-"));
  const env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}` };
  beforeAll(() => {
    for (const name of ["test", "examples", "sql"]) symlinkSync(join(ROOT, name), join(dir, name));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "blkrx"));
    const shim = `#!/bin/sh\n[ "$1" = blkrx ] || exit 99\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`;
    writeFileSync(join(dir, "bin", "npx"), shim, { mode: 0o755 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const commands = shCommands(README);
  it("has the commands to run", () => expect(commands.length).toBeGreaterThanOrEqual(12));

  for (const command of commands) {
    it.skipIf(traces(command))(command, async () => {
      const r = await execa("bash", ["-o", "pipefail", "-c", command], { cwd: dir, env, reject: false });
      expect(r.stderr).not.toMatch(/error|cannot/i);
      expect(r.exitCode).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toBe(""); // a table, or a note of what was written
      if (command === commands[0]) {
        // The main job's output is pasted below it: it must be what the command prints (stdout, then stderr).
        const shown = /```text\n([\s\S]*?)```/.exec(README)?.[1];
        expect(`${r.stdout}\n${r.stderr}\n`).toBe(shown);
      }
    });
  }

  it("the library example prints what the README says", async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
    const said = /It prints `([^`]*)`/.exec(README)?.[1];
    writeFileSync(join(dir, "example.mjs"), code);
    const r = await execa("node", ["example.mjs"], { cwd: dir });
    expect(r.stdout).toBe(said);
  });
});
