import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { blkrx, ROOT } from "../helpers/cli.js";

/** The dataset example commands of docs/inputs.md's format table, in table order. */
const DOC = readFileSync(`${ROOT}docs/inputs.md`, "utf8");
const COMMANDS = [...DOC.matchAll(/\| `npx blkrx ([^`]*examples\/datasets\/[^`]*)` +\|/g)].map((m) =>
  (m[1] as string).split(" "),
);

/** What each command must print: the real numbers of the example files. */
const EXPECTED: [RegExp, (stdout: string) => void][] = [
  [
    /usr\.msr\.csv/,
    (out) => {
      expect(out).toMatch(/usr\.msr\.csv │ 4 /); // four reads over two disks of host usr
      // --latency: reads and the write, by volume (the completion is ResponseTime × 100 ns after the issue).
      expect(out).toContain("msr:usr/0 (4 bios)");
      expect(out).toContain("msr:usr/1 (1 bios)");
      expect(out).toMatch(/msr:usr\/1 \(1 bios\)[\s\S]*D2C +│ 1 +│ 0\.009021000/);
    },
  ],
  [
    /alibaba\.csv/,
    (out) => {
      expect(out).toMatch(/alibaba\.csv alibaba:419 │ 3 /);
      expect(out).toMatch(/alibaba\.csv alibaba:420 │ 1 /);
    },
  ],
  [
    /tencent\.csv/,
    (out) => {
      const s = JSON.parse(out);
      expect([s.events, s.readBytes, s.gaps.physical.sequential, s.gaps.physical.backward]).toEqual([4, 36864, 1, 1]);
    },
  ],
  [
    /biosnoop\.txt/,
    (out) => {
      expect(out).toContain("all (device biosnoop:xvda1) (5 bios)");
      expect(out).toMatch(/D2C +│ 5 +│ 0\.000610000 │ 0\.000932000 │ 0\.001240000/);
    },
  ],
];

describe("docs/inputs.md's dataset examples run on examples/datasets and print the files' numbers", () => {
  it("the table has one example command per format", () => {
    expect(COMMANDS.map((c) => c.find((a) => a.includes("examples/datasets")))).toEqual([
      "examples/datasets/usr.msr.csv",
      "examples/datasets/alibaba.csv",
      "examples/datasets/tencent.csv",
      "examples/datasets/biosnoop.txt",
    ]);
  });
  for (const args of COMMANDS) {
    it(`blkrx ${args.join(" ")}`, async () => {
      const r = await blkrx(args, { cwd: ROOT });
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const check = EXPECTED.find(([re]) => args.some((a) => re.test(a)))?.[1];
      expect(check).toBeDefined();
      check?.(r.stdout);
    });
  }
});
