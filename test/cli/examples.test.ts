import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

describe("examples run and print the fixture's real numbers", () => {
  it("replay.ts", async () => {
    const r = await execa("node", [`${ROOT}dist/examples/replay.js`]);
    expect(r.stdout).toContain("events 243, read 275730432 B, unique 91910144 B");
    expect(r.stdout).toContain("coverage 91.3 %, each unique byte read 3.00×");
    expect(r.stdout).toContain("backward seeks: physical 6, logical 2");
  });
  it("custom-operator.ts", async () => {
    const r = await execa("node", [`${ROOT}dist/examples/custom-operator.js`]);
    expect(r.stdout).toBe("requests >= 1 MiB: 77 (100663296 bytes); per-event count agrees: true");
  });
});
