import { GGML_TYPES, type GgmlTypeInfo, type GgmlTypeName } from "../../model/ggmlTypes.js";
import { LLAMA_LAYER_EVAL_ORDER } from "../../model/ggufLayout.js";
import type { GgufValue, TensorSpec } from "../../sinks/gguf/ggufHeaderBytes.js";
import { BOS_ID, EOS_ID, llamaVocab, UNK_ID } from "./llamaVocab.js";

/** Shape of a llama model. */
export interface LlamaShape {
  layers: number;
  embd: number;
  ff: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  ctx: number;
}

/** Tensor types `--type` accepts (lower case as typed). */
export const SYNTH_TYPES = ["f32", "f16", "q8_0", "q4_0", "q4_k", "q6_k"] as const;
export type SynthType = (typeof SYNTH_TYPES)[number];
/** Mixes `--mix` accepts. */
export const SYNTH_MIXES = ["q4_k_m"] as const;
export type SynthMix = (typeof SYNTH_MIXES)[number];
/** `quantize`: llama-quantize's file order; `eval`: the order llama.cpp evaluates tensors per token. */
export const SYNTH_ORDERS = ["quantize", "eval"] as const;
export type SynthOrder = (typeof SYNTH_ORDERS)[number];

/** Known model shapes for `--preset`. */
export const PRESETS: Readonly<Record<string, LlamaShape>> = {
  /** A few MB; quantizable by every type (rows are multiples of 256). */
  tiny: { layers: 2, embd: 256, ff: 512, heads: 4, kvHeads: 2, vocab: 1024, ctx: 512 },
  /** llama-2-7b(-chat): with --mix q4_k_m the study's file. */
  "llama-2-7b": { layers: 32, embd: 4096, ff: 11008, heads: 32, kvHeads: 32, vocab: 32000, ctx: 4096 },
};

/** Everything that decides a synthetic model's bytes. */
export interface SynthOptions extends LlamaShape {
  /** Type of the weight matrices (norms are always F32); ignored when `mix` is set. */
  type: SynthType;
  mix?: SynthMix;
  order: SynthOrder;
  seed: number;
}

/** What to write: metadata in order and tensors in file order. */
export interface SynthPlan {
  metadata: [string, GgufValue][];
  tensors: TensorSpec[];
}

/**
 * The metadata and tensors of a llama model with random weights, as
 * llama.cpp's loader requires them (llama.* hyperparameters, a SentencePiece
 * vocabulary, `token_embd`/`output`/`output_norm` and nine tensors per layer).
 *
 * @example synthPlan({ ...PRESETS.tiny, type: "q8_0", order: "quantize", seed: 1 }).tensors[0].name // "output.weight"
 */
export function synthPlan(o: SynthOptions): SynthPlan {
  checkShape(o);
  const headDim = o.embd / o.heads;
  const kvDim = headDim * o.kvHeads;
  const shapes: Record<string, number[]> = {
    attn_norm: [o.embd],
    attn_q: [o.embd, o.embd],
    attn_k: [o.embd, kvDim],
    attn_v: [o.embd, kvDim],
    attn_output: [o.embd, o.embd],
    ffn_norm: [o.embd],
    ffn_gate: [o.embd, o.ff],
    ffn_up: [o.embd, o.ff],
    ffn_down: [o.ff, o.embd],
  };
  const typeOf = o.mix
    ? (name: string, shape: number[], layer: number) => q4kmType(o, name, shape, layer)
    : pureType(o.type);
  const spec = (name: string, shape: number[], layer = -1): TensorSpec => ({
    name,
    shape,
    type: typeOf(name, shape, layer),
  });
  const top = {
    token_embd: spec("token_embd.weight", [o.embd, o.vocab]),
    output_norm: spec("output_norm.weight", [o.embd]),
    output: spec("output.weight", [o.embd, o.vocab]),
  };
  const layers = Array.from({ length: o.layers }, (_, i) =>
    LLAMA_LAYER_EVAL_ORDER.map((g) => spec(`blk.${i}.${g}.weight`, shapes[g] as number[], i)),
  );
  const tensors =
    o.order === "eval"
      ? [top.token_embd, ...layers.flat(), top.output_norm, top.output]
      : [top.output, top.output_norm, top.token_embd, ...layers.flatMap((l) => [...l].sort(byName))];
  return { metadata: metadataOf(o, headDim), tensors };
}

function byName(a: TensorSpec, b: TensorSpec): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function checkShape(o: SynthOptions): void {
  for (const key of ["layers", "embd", "ff", "heads", "kvHeads", "vocab", "ctx"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) {
      throw new RangeError(`Cannot make a model with --${flag(key)} ${o[key]}: it must be a positive integer`);
    }
  }
  if (o.embd % o.heads !== 0) {
    throw new RangeError(`Cannot split --embd ${o.embd} into --heads ${o.heads}: it must be a multiple of the heads`);
  }
  if (o.heads % o.kvHeads !== 0) {
    throw new RangeError(`Cannot share --heads ${o.heads} among --kv-heads ${o.kvHeads}: it must be a multiple`);
  }
}

function flag(key: string): string {
  return key === "kvHeads" ? "kv-heads" : key;
}

function pureType(type: SynthType): (name: string, shape: number[]) => GgmlTypeInfo {
  const t = GGML_TYPES[type.toUpperCase() as GgmlTypeName];
  return (name, shape) => {
    if (shape.length === 1) return GGML_TYPES.F32;
    if ((shape[0] as number) % t.blockElements !== 0) {
      throw new RangeError(
        `Cannot store ${name} as --type ${type}: its rows of ${shape[0]} values are not a multiple of ${t.blockElements}`,
      );
    }
    return t;
  };
}

/** llama.cpp's `use_more_bits`: the first and last eighth of the layers and every third in between. */
export function useMoreBits(layer: number, layers: number): boolean {
  const eighth = Math.trunc(layers / 8);
  return layer < eighth || layer >= Math.trunc((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/**
 * The type llama-quantize gives a llama tensor for Q4_K_M (llama-quant.cpp):
 * norms F32, `output` Q6_K, `attn_v` and `ffn_down` Q6_K where
 * {@link useMoreBits} holds, the rest Q4_K; rows that are no multiple of 256
 * fall back as llama.cpp does (Q4_K → Q5_0, Q6_K and output → Q8_0, F16 below 32).
 */
function q4kmType(o: LlamaShape, name: string, shape: number[], layer: number): GgmlTypeInfo {
  if (shape.length === 1) return GGML_TYPES.F32;
  const row = shape[0] as number;
  if (name === "output.weight") return row % 256 === 0 ? GGML_TYPES.Q6_K : fallback(GGML_TYPES.Q8_0, row);
  let type: GgmlTypeInfo = GGML_TYPES.Q4_K;
  const group = name.replace(/^blk\.\d+\./, "").replace(/\.weight$/, "");
  if ((group === "attn_v" || group === "ffn_down") && useMoreBits(layer, o.layers)) type = GGML_TYPES.Q6_K;
  // LLM_TYPE_70B (80 layers with grouped-query attention) gets more bits in attn_v
  if (group === "attn_v" && o.layers === 80 && o.heads !== o.kvHeads && type === GGML_TYPES.Q4_K) {
    type = GGML_TYPES.Q5_K;
  }
  if (row % 256 === 0) return type;
  return fallback(type === GGML_TYPES.Q4_K ? GGML_TYPES.Q5_0 : GGML_TYPES.Q8_0, row);
}

function fallback(type: GgmlTypeInfo, row: number): GgmlTypeInfo {
  return row % type.blockElements === 0 ? type : GGML_TYPES.F16;
}

/** general.file_type (llama_ftype) of the mix or pure type. */
function fileType(o: SynthOptions): number {
  if (o.mix === "q4_k_m") return 15;
  return { f32: 0, f16: 1, q4_0: 2, q8_0: 7, q4_k: 14, q6_k: 18 }[o.type];
}

function metadataOf(o: SynthOptions, headDim: number): [string, GgufValue][] {
  const vocab = llamaVocab(o.vocab);
  const u32 = (value: number): GgufValue => ({ kind: "u32", value });
  const f32 = (value: number): GgufValue => ({ kind: "f32", value });
  const str = (value: string): GgufValue => ({ kind: "string", value });
  const quantized = o.mix !== undefined || !(o.type === "f32" || o.type === "f16");
  return [
    ["general.architecture", str("llama")],
    ["general.name", str(`blkrx synthetic llama ${o.layers}x${o.embd} ${o.mix ?? o.type} (${o.order} order)`)],
    ["general.file_type", u32(fileType(o))],
    ...(quantized ? [["general.quantization_version", u32(2)] as [string, GgufValue]] : []),
    ["llama.context_length", u32(o.ctx)],
    ["llama.embedding_length", u32(o.embd)],
    ["llama.block_count", u32(o.layers)],
    ["llama.feed_forward_length", u32(o.ff)],
    ["llama.rope.dimension_count", u32(headDim)],
    ["llama.rope.freq_base", f32(10000)],
    ["llama.attention.head_count", u32(o.heads)],
    ["llama.attention.head_count_kv", u32(o.kvHeads)],
    ["llama.attention.layer_norm_rms_epsilon", f32(1e-5)],
    ["llama.vocab_size", u32(o.vocab)],
    ["tokenizer.ggml.model", str("llama")],
    ["tokenizer.ggml.tokens", { kind: "string[]", value: vocab.tokens }],
    ["tokenizer.ggml.scores", { kind: "f32[]", value: vocab.scores }],
    ["tokenizer.ggml.token_type", { kind: "i32[]", value: vocab.types }],
    ["tokenizer.ggml.bos_token_id", u32(BOS_ID)],
    ["tokenizer.ggml.eos_token_id", u32(EOS_ID)],
    ["tokenizer.ggml.unknown_token_id", u32(UNK_ID)],
    ["tokenizer.ggml.add_bos_token", { kind: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { kind: "bool", value: false }],
  ];
}
