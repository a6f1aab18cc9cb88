import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { FIXTURES, ROOT } from "../helpers/cli.js";

describe("npm pack gives a package whose bin and typed exports work in another project", () => {
  it("ships the library, CLI, SQL and licence, but no benchmarks and no examples that point into test/fixtures", async () => {
    const { stdout } = await execa("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT });
    const files: string[] = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toContain("dist/cli/bin.js");
    expect(files).toContain("LICENSE");
    expect(files.filter((f) => f.startsWith("dist/bench/") || f.startsWith("bench/"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("dist/examples/"))).toEqual([]);
  }, 60_000);

  it("installs the tarball, runs its blkrx analyze, imports and typechecks the library", async () => {
    const dir = mkdtempSync(join(tmpdir(), "blkrx-pack-"));
    const packed = await execa("npm", ["pack", "--pack-destination", dir, "--ignore-scripts"], { cwd: ROOT });
    const tarball = join(dir, packed.stdout.trim().split("\n").pop() ?? "");
    const project = join(dir, "user");
    await execa("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user", type: "module", private: true }));
    await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: project });

    const bin = await execa(
      "npx",
      [
        "blkrx",
        "analyze",
        join(FIXTURES, "direct-frag.bin"),
        "--extents",
        join(FIXTURES, "frag.filefrag.txt"),
        "--partition-start",
        "2048",
        "--json",
        "--no-db",
      ],
      { cwd: project },
    );
    expect(JSON.parse(bin.stdout)).toMatchObject({ events: 22, readBytes: 1703936, uniqueBytes: 1638400 });

    const script = `import { analyze, fromTrace } from "blkrx";
const s = await analyze(fromTrace(${JSON.stringify(join(FIXTURES, "direct-frag.bin"))}));
const n: number = s.events;
console.log(n);
`;
    writeFileSync(join(project, "use.ts"), script);
    writeFileSync(join(project, "use.mjs"), script.replace("const n: number", "const n"));
    const run = await execa("node", ["use.mjs"], { cwd: project });
    expect(run.stdout.trim()).toBe("22");
    const tsc = await execa(
      join(ROOT, "node_modules/.bin/tsc"),
      [
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "use.ts",
      ],
      { cwd: project, reject: false },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.exitCode).toBe(0);
  }, 240_000);
});
