import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { FIXTURES } from "./fixtures.js";

/** Repository root and the compiled CLI that `npm test` builds first. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = `${ROOT}dist/cli/bin.js`;
export { FIXTURES };

/** Run the blkrx CLI as a user would (node dist/cli/bin.js ...), never throwing on a non-zero exit. */
export function blkrx(args: readonly string[], options: { cwd?: string; input?: string | Buffer } = {}) {
  return execa("node", [BIN, ...args], {
    cwd: options.cwd ?? FIXTURES,
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : {}),
    encoding: "utf8",
  });
}
