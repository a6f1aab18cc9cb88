import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { ROOT } from "./cli.js";

/**
 * Pack the repository (`npm pack`, so exactly what `files` ships, built
 * beforehand by `npm run build`) and install the tarball into a new project
 * with `npm install --offline`: the dependencies come from npm's cache, as a
 * user without network gets them. Returns the project folder.
 *
 * @example const project = await packedInstall(); await execa("node", ["-e", "import('blkrx')"], { cwd: project });
 */
export async function packedInstall(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-packed-"));
  const packed = await execa("npm", ["pack", "--pack-destination", dir, "--ignore-scripts"], { cwd: ROOT });
  const tarball = join(dir, packed.stdout.trim().split("\n").pop() ?? "");
  const project = join(dir, "user");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user", type: "module", private: true }));
  await execa("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], {
    cwd: project,
  });
  return project;
}
