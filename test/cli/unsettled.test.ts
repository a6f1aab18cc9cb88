import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BIN, FIXTURES } from "../helpers/cli.js";

const STALL = fileURLToPath(new URL("../reliability/injectStall.mjs", import.meta.url));

describe("a bug that leaves the CLI's work unsettled", () => {
  it("is not a silent exit: one line on stderr says blkrx stopped without finishing", async () => {
    const r = await execa("node", ["--import", STALL, BIN, "analyze", "direct-contig.bin", "--no-db"], {
      cwd: FIXTURES,
      reject: false,
      timeout: 30_000,
    });
    expect(r.exitCode).toBe(13); // Node's code for an unsettled top-level await
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe(
      "blkrx: stopped without finishing: an internal wait never completed (a bug in blkrx; please report the command)",
    );
  });
});
