import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blkrx } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-attr-"));
const model = join(dir, "m.gguf");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  // ~95 MiB, about the size of the fixtures' 96 MiB file
  const r = await blkrx(
    ["gguf", "synth", "--out", model, "--layers", "6", "--embd", "1024", "--ff", "2816"].concat([
      "--heads",
      "16",
      "--kv-heads",
      "16",
      "--vocab",
      "8000",
      "--type",
      "q8_0",
    ]),
  );
  expect(r.exitCode, r.stderr).toBe(0);
});

interface Result {
  events: number;
  readBytes: number;
  uniqueBytes: number;
  fileSectors: number;
  gaps: { logical: { backward: number } };
  tensors: { name: string; offset: number | null; bytes: number; readBytes: number; uniqueBytes: number }[];
  backward: { from: string; to: string; count: number }[];
}

describe("blkrx gguf attribute", () => {
  for (const [trace, extents] of [
    ["pressure-frag.bin", "frag.filefrag.txt"],
    ["mmap-contig.bin", "contig.filefrag.txt"],
  ] as const) {
    it(`${trace}: regions add up to analyze's readBytes and uniqueBytes; transitions to its backward gaps`, async () => {
      const args = [trace, "--extents", extents, "--partition-start", "2048"];
      const r = await blkrx(["gguf", "attribute", ...args, "--model", model, "--json"]);
      expect(r.exitCode, r.stderr).toBe(0);
      const a = JSON.parse(r.stdout) as Result;
      const plain = JSON.parse((await blkrx(["analyze", ...args, "--json", "--no-db"])).stdout) as Result;
      expect(a.readBytes).toBe(plain.readBytes);
      expect(a.events).toBeGreaterThan(0);
      expect(a.tensors.reduce((s, t) => s + t.readBytes, 0)).toBe(plain.readBytes);
      expect(a.tensors.reduce((s, t) => s + t.uniqueBytes, 0)).toBe(plain.uniqueBytes);
      expect(a.backward.reduce((s, b) => s + b.count, 0)).toBe(plain.gaps.logical.backward);
      expect(a.tensors.reduce((s, t) => s + t.bytes, 0)).toBe(a.fileSectors * 512);
      expect(a.tensors.map((t) => t.name).slice(0, 2)).toEqual(["(header)", "output.weight"]);
      expect(r.stderr).toMatch(/note: the extents describe a file of 100663296 bytes but .* has \d+ bytes/);
    });
  }

  it("prints the layer × group table, the transitions and the first reads", async () => {
    const r = await blkrx(
      ["gguf", "attribute", "pressure-frag.bin", "--extents", "frag.filefrag.txt"].concat([
        "--partition-start",
        "2048",
        "--model",
        model,
      ]),
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/reads per tensor, as multiples of its size/);
    expect(r.stdout).toMatch(/│ 5 +│ 3\.0 /);
    expect(r.stdout).toMatch(/top backward transitions \(2 backward seeks\)/);
    expect(r.stdout).toMatch(/when each group was first read/);
  });

  it("analyze --gguf prints what gguf attribute prints (one code path), with exact numbers", async () => {
    const args = ["pressure-frag.bin", "--extents", "frag.filefrag.txt", "--partition-start", "2048", "--json"];
    const r = await blkrx(["analyze", ...args, "--gguf", model, "--no-db"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const viaAttribute = await blkrx(["gguf", "attribute", ...args, "--model", model]);
    expect(r.stdout).toBe(viaAttribute.stdout);
    const a = JSON.parse(r.stdout) as Result;
    expect(a.readBytes).toBe(275730432);
    expect(a.backward).toEqual([{ from: "(end)", to: "output.weight", count: 2 }]);
    expect(a.tensors.find((t) => t.name === "blk.5.attn_q.weight")).toEqual({
      name: "blk.5.attn_q.weight",
      layer: 5,
      group: "attn_q",
      offset: 88091840,
      bytes: 1114112,
      readBytes: 3 * 1114112,
      uniqueBytes: 1114112,
      firstReadNs: 149947461,
    });
    const table = await blkrx(["analyze", ...args.slice(0, -1), "--gguf", model, "--no-db", "--top", "1"]);
    expect(table.stdout).toMatch(/│ 5 +│ 3\.0 /);
    expect(table.stdout).toMatch(/│ \(end\) │ output\.weight │ 2 +│ 100\.0 /);
  });

  it("refuses a model that is not GGUF in one sentence", async () => {
    const r = await blkrx(["gguf", "attribute", "pressure-frag.bin", "--model", "frag.filefrag.txt"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^blkrx: frag\.filefrag\.txt at byte 0: expected a GGUF file \(magic "GGUF"\)/);
  });
});
