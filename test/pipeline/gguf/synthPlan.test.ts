import { describe, expect, it } from "vitest";
import { llamaVocab, MIN_VOCAB } from "../../../pipeline/gguf/llamaVocab.js";
import { PRESETS, type SynthOptions, synthPlan, useMoreBits } from "../../../pipeline/gguf/synthPlan.js";
import { ggufHeaderBytes } from "../../../sinks/gguf/ggufHeaderBytes.js";

const llama7b: SynthOptions = {
  ...PRESETS["llama-2-7b"],
  type: "f16",
  mix: "q4_k_m",
  order: "quantize",
  seed: 1,
} as SynthOptions;
const STUDY_SECTORS = 7_970_712;

describe("synthPlan", () => {
  it("gives llama-2-7b Q4_K_M llama.cpp's per-tensor types", () => {
    const { tensors } = synthPlan(llama7b);
    const typeOf = new Map(tensors.map((t) => [t.name, t.type.name]));
    expect(typeOf.get("output.weight")).toBe("Q6_K");
    expect(typeOf.get("token_embd.weight")).toBe("Q4_K");
    expect(typeOf.get("output_norm.weight")).toBe("F32");
    // use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2
    const more = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31];
    for (let i = 0; i < 32; i++) {
      const wide = more.includes(i) ? "Q6_K" : "Q4_K";
      expect(typeOf.get(`blk.${i}.attn_v.weight`), `layer ${i}`).toBe(wide);
      expect(typeOf.get(`blk.${i}.ffn_down.weight`), `layer ${i}`).toBe(wide);
      for (const g of ["attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"]) {
        expect(typeOf.get(`blk.${i}.${g}.weight`)).toBe("Q4_K");
      }
      for (const g of ["attn_norm", "ffn_norm"]) expect(typeOf.get(`blk.${i}.${g}.weight`)).toBe("F32");
    }
    expect(tensors).toHaveLength(291);
  });

  it("sizes llama-2-7b Q4_K_M as the study's file: 4,080,263,168 data bytes, within 1 MiB of 7,970,712 sectors", () => {
    const plan = synthPlan(llama7b);
    const { layout } = ggufHeaderBytes(plan.metadata, plan.tensors);
    expect(layout.fileBytes - layout.dataStart).toBe(4_080_263_168);
    expect(Math.abs(layout.fileBytes - STUDY_SECTORS * 512)).toBeLessThanOrEqual(2 ** 20);
  });

  it("writes llama-quantize's order (top tensors by name, then each layer by name) or evaluation order", () => {
    const names = (order: "quantize" | "eval") =>
      synthPlan({ ...PRESETS.tiny, type: "q8_0", order, seed: 1 } as SynthOptions).tensors.map((t) => t.name);
    expect(names("quantize").slice(0, 12)).toEqual([
      "output.weight",
      "output_norm.weight",
      "token_embd.weight",
      ...["attn_k", "attn_norm", "attn_output", "attn_q", "attn_v", "ffn_down", "ffn_gate", "ffn_norm", "ffn_up"].map(
        (g) => `blk.0.${g}.weight`,
      ),
    ]);
    const evalNames = names("eval");
    expect(evalNames.slice(0, 10)).toEqual([
      "token_embd.weight",
      ...["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"].map(
        (g) => `blk.0.${g}.weight`,
      ),
    ]);
    expect(evalNames.slice(-2)).toEqual(["output_norm.weight", "output.weight"]);
    expect([...evalNames].sort()).toEqual([...names("quantize")].sort());
  });

  it("follows llama.cpp's fallbacks when rows are no multiple of 256", () => {
    const { tensors } = synthPlan({ ...llama7b, layers: 8, embd: 320, heads: 5, kvHeads: 5, ff: 640, vocab: 512 });
    const typeOf = new Map(tensors.map((t) => [t.name, t.type.name]));
    expect(typeOf.get("output.weight")).toBe("Q8_0");
    expect(typeOf.get("blk.1.attn_q.weight")).toBe("Q5_0");
    expect(typeOf.get("blk.0.attn_v.weight")).toBe("Q8_0");
  });

  it("rejects shapes a type cannot store, naming the option", () => {
    expect(() =>
      synthPlan({
        ...PRESETS.tiny,
        embd: 96,
        heads: 4,
        kvHeads: 4,
        type: "q4_k",
        order: "eval",
        seed: 1,
      } as SynthOptions),
    ).toThrow(/token_embd\.weight as --type q4_k: its rows of 96 values are not a multiple of 256/);
    expect(() => synthPlan({ ...PRESETS.tiny, heads: 3, type: "f16", order: "eval", seed: 1 } as SynthOptions)).toThrow(
      /--heads 3/,
    );
  });

  it("use_more_bits picks 16 of 32 layers", () => {
    expect(Array.from({ length: 32 }, (_, i) => i).filter((i) => useMoreBits(i, 32))).toHaveLength(16);
  });
});

describe("llamaVocab", () => {
  it("is a SentencePiece vocabulary: specials, 256 byte tokens, unique pieces", () => {
    const v = llamaVocab(32000);
    expect(v.tokens.slice(0, 3)).toEqual(["<unk>", "<s>", "</s>"]);
    expect(v.tokens[3 + 0x0a]).toBe("<0x0A>");
    expect(Array.from(v.types.slice(3, MIN_VOCAB)).every((t) => t === 6)).toBe(true);
    expect(new Set(v.tokens).size).toBe(32000);
    expect(v.tokens).toContain("\u2581the".slice(0, 1));
    expect(Array.from(v.scores).every(Number.isFinite)).toBe(true);
    expect(() => llamaVocab(100)).toThrow(/at least 259/);
  });
});
