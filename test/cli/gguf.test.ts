import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GGMLQuantizationType, gguf } from "@huggingface/gguf";
import { afterAll, describe, expect, it } from "vitest";
import { PRESETS, SYNTH_ORDERS, SYNTH_TYPES, type SynthOptions, synthPlan } from "../../pipeline/gguf/synthPlan.js";
import { ggufHeaderBytes } from "../../sinks/gguf/ggufHeaderBytes.js";
import { blkrx } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-gguf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Region {
  name: string;
  layer: number | null;
  group: string;
  type: string | null;
  shape: number[] | null;
  offset: number | null;
  bytes: number;
}

/** What @huggingface/gguf says: tensors with type names and absolute offsets, in file order. */
async function libraryTensors(path: string) {
  const parsed = await gguf(path, { allowLocalFile: true });
  return parsed.tensorInfos
    .map((t) => ({
      name: t.name,
      type: GGMLQuantizationType[t.dtype],
      shape: t.shape.map(Number),
      offset: Number(parsed.tensorDataOffset + t.offset),
    }))
    .sort((a, b) => a.offset - b.offset);
}

async function blkrxRegions(path: string): Promise<Region[]> {
  const r = await blkrx(["gguf", "tensors", path, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as Region[];
}

/** blkrx's tensor list equals the library's, and the regions tile the file exactly. */
async function expectSameAsLibrary(path: string): Promise<Region[]> {
  const regions = await blkrxRegions(path);
  const tensors = regions.filter((r) => r.type !== null);
  expect(tensors.map(({ name, type, shape, offset }) => ({ name, type, shape, offset }))).toEqual(
    await libraryTensors(path),
  );
  expect(regions[0]?.name).toBe("(header)");
  expect(regions.slice(-2).map((r) => r.name)).toEqual(["(padding)", "(end)"]);
  const total = regions.reduce((sum, r) => sum + r.bytes, 0);
  expect(total).toBe(Math.ceil(statSync(path).size / 512) * 512);
  return regions;
}

const VARIANTS = [...SYNTH_TYPES.map((type) => ({ type, mix: undefined })), { type: "f16", mix: "q4_k_m" }] as const;

describe("blkrx gguf synth + tensors (tiny, written in full)", () => {
  for (const { type, mix } of VARIANTS) {
    for (const order of SYNTH_ORDERS) {
      it(`lists the same tensors, types and offsets as @huggingface/gguf: ${mix ?? type}, ${order} order`, async () => {
        const out = join(dir, `tiny-${mix ?? type}-${order}.gguf`);
        const args = ["gguf", "synth", "--out", out, "--order", order, "--type", type, ...(mix ? ["--mix", mix] : [])];
        const w = await blkrx(args);
        expect(w.exitCode, w.stderr).toBe(0);
        expect(w.stderr).toMatch(/^blkrx: wrote .*: 21 tensors, \d+ bytes \(\d+ sectors\)/);
        const regions = await expectSameAsLibrary(out);
        expect(regions.find((r) => r.name === "blk.1.attn_k.weight")).toMatchObject({
          layer: 1,
          group: "attn_k",
          shape: [256, 128],
        });
        rmSync(out);
      });
    }
  }

  it("is byte-identical for the same seed and differs for another", async () => {
    const a = join(dir, "a.gguf");
    const b = join(dir, "b.gguf");
    const c = join(dir, "c.gguf");
    await blkrx(["gguf", "synth", "--out", a, "--type", "q4_k", "--seed", "5"]);
    await blkrx(["gguf", "synth", "--out", b, "--type", "q4_k", "--seed", "5"]);
    await blkrx(["gguf", "synth", "--out", c, "--type", "q4_k", "--seed", "6"]);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });
});

describe("blkrx gguf tensors on llama-2-7b layouts (header written, data left sparse)", () => {
  for (const { type, mix } of VARIANTS) {
    for (const order of SYNTH_ORDERS) {
      it(`agrees with @huggingface/gguf: ${mix ?? type}, ${order} order`, async () => {
        const o = { ...PRESETS["llama-2-7b"], type, order, seed: 1, ...(mix ? { mix } : {}) } as SynthOptions;
        const plan = synthPlan(o);
        const { bytes, layout } = ggufHeaderBytes(plan.metadata, plan.tensors);
        const out = join(dir, `7b-${mix ?? type}-${order}.gguf`);
        writeFileSync(out, bytes);
        truncateSync(out, layout.fileBytes);
        const regions = await expectSameAsLibrary(out);
        expect(regions.filter((r) => r.type !== null)).toHaveLength(291);
        if (mix) {
          const q6 = regions.filter((r) => r.type === "Q6_K").map((r) => r.name);
          expect(q6).toHaveLength(33);
          expect(q6).toContain("output.weight");
          expect(Math.abs(layout.fileBytes - 7_970_712 * 512)).toBeLessThanOrEqual(2 ** 20);
        }
        rmSync(out);
      });
    }
  }
});

describe("blkrx gguf tensors: bad input is one sentence and exit 1", () => {
  const good = join(dir, "good.gguf");
  const cases: [string, (path: string) => void, RegExp][] = [
    [
      "a non-GGUF file",
      (p) => writeFileSync(p, "hello, not a model\n"),
      /at byte 0: expected a GGUF file \(magic "GGUF"\), found "hell"/,
    ],
    [
      "a cut header",
      (p) => writeFileSync(p, readFileSync(good).subarray(0, 1000)),
      /at byte 1000: expected a complete GGUF header .*cut short/,
    ],
    [
      "an unsupported version",
      (p) => {
        const b = readFileSync(good);
        b.writeUInt32LE(7, 4);
        writeFileSync(p, b);
      },
      /at byte 4: expected GGUF version 2 or 3, found version 7/,
    ],
    [
      "a tensor range past the end of the file",
      (p) => writeFileSync(p, readFileSync(good).subarray(0, statSync(good).size - 4096)),
      /expected tensor blk\.1\.ffn_up\.weight \(\d+ bytes\) inside the file, found it ends at byte \d+, past the end of the file/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(`reports ${what}`, async () => {
      await blkrx(["gguf", "synth", "--out", good, "--type", "q8_0"]);
      const bad = join(dir, "bad.gguf");
      make(bad);
      const r = await blkrx(["gguf", "tensors", bad]);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(bad);
      expect(r.stderr).toMatch(message);
    });
  }

  it("rejects a shape the type cannot store, naming the options", async () => {
    const r = await blkrx([
      "gguf",
      "synth",
      "--out",
      join(dir, "x.gguf"),
      "--type",
      "q4_k",
      "--embd",
      "96",
      "--heads",
      "4",
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /^blkrx: Cannot store token_embd\.weight as --type q4_k: its rows of 96 values are not a multiple of 256$/,
    );
  });
});

describe("blkrx gguf synth: --out problems", () => {
  it("names the file when its directory does not exist, and leaves nothing behind", async () => {
    const out = join(dir, "no-such-dir", "m.gguf");
    const r = await blkrx(["gguf", "synth", "--out", out]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`blkrx: cannot write ${out}: its directory does not exist`);
  });

  it("refuses to replace a device or a directory (the file is renamed into place)", async () => {
    for (const out of ["/dev/null", dir]) {
      const r = await blkrx(["gguf", "synth", "--out", out]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(`blkrx: cannot write ${out}: it exists and is not a regular file`);
    }
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });
});

describe("blkrx gguf tensors (table)", () => {
  it("prints one row per region in file order with type, shape, offset and bytes", async () => {
    const out = join(dir, "table.gguf");
    await blkrx(["gguf", "synth", "--out", out, "--mix", "q4_k_m", "--order", "eval"]);
    const r = await blkrx(["gguf", "tensors", out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const names = [...r.stdout.matchAll(/^│ (\S+)/gm)].map((m) => m[1]);
    expect(names.slice(0, 4)).toEqual(["name", "(header)", "token_embd.weight", "blk.0.attn_norm.weight"]);
    expect(names.slice(-4)).toEqual(["output_norm.weight", "output.weight", "(padding)", "(end)"]);
    expect(r.stdout).toMatch(/│ output\.weight +│ +- │ output +│ Q6_K │ 256 x 1024 │ +\d+ │ +215040 │/);
  });
});
