import type { GgmlTypeInfo } from "./ggmlTypes.js";

/** GGUF's default `general.alignment`. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** One tensor of a GGUF file, where its data lies. */
export interface GgufTensor {
  readonly name: string;
  readonly type: GgmlTypeInfo;
  /** Dimensions in ggml order (shape[0] = row length). */
  readonly shape: readonly number[];
  /** Absolute file offset of its first byte (data-section start + relative offset). */
  readonly offset: number;
  /** Bytes of its data (without alignment padding). */
  readonly bytes: number;
}

/** Where a GGUF file's tensors lie, as the header says. */
export interface GgufLayout {
  /** File offset of the data section (end of tensor infos rounded up to `alignment`). */
  readonly dataStart: number;
  readonly alignment: number;
  /** Tensors in file order (ascending offset). */
  readonly tensors: readonly GgufTensor[];
  /** Size of the file in bytes. */
  readonly fileBytes: number;
}

/** A named byte range of a GGUF file: a tensor or a pseudo-region. */
export interface GgufRegion {
  /** Tensor name, or `(header)`, `(padding)`, `(end)`. */
  readonly name: string;
  /** N for `blk.N.*` tensors, null otherwise. */
  readonly layer: number | null;
  /** Name without `blk.N.` and `.weight` (`attn_q`, `token_embd`); the name itself for pseudo-regions. */
  readonly group: string;
  /** ggml type name, null for pseudo-regions. */
  readonly type: string | null;
  /** ggml-order dimensions, null for pseudo-regions. */
  readonly shape: readonly number[] | null;
  /** Absolute file offset; null for `(padding)`, which sums every gap between tensors. */
  readonly offset: number | null;
  readonly bytes: number;
}

/** Pseudo-region names (spec v2). */
/**
 * A llama layer's tensor groups in the order llama.cpp evaluates them per token
 * (llama-quantize writes them sorted by name instead).
 *
 * @example LLAMA_LAYER_EVAL_ORDER.indexOf("attn_q") // 1
 */
export const LLAMA_LAYER_EVAL_ORDER: readonly string[] = [
  "attn_norm",
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_norm",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
];

export const HEADER_REGION = "(header)";
export const PADDING_REGION = "(padding)";
export const END_REGION = "(end)";

/**
 * Round `n` up to a multiple of `alignment`.
 *
 * @example alignUp(33, 32) // 64
 */
export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/**
 * Layer and group of a tensor name: `blk.3.attn_q.weight` → 3, `attn_q`;
 * `token_embd.weight` → null, `token_embd`.
 *
 * @example layerAndGroup("blk.12.ffn_down.weight") // { layer: 12, group: "ffn_down" }
 */
export function layerAndGroup(name: string): { layer: number | null; group: string } {
  const m = /^blk\.(\d+)\.(.*)$/.exec(name);
  const rest = m ? (m[2] as string) : name;
  return { layer: m ? Number(m[1]) : null, group: rest.endsWith(".weight") ? rest.slice(0, -7) : rest };
}

/**
 * The regions of a GGUF file in file order, as spec v2 names them: `(header)`
 * (bytes before the first tensor), every tensor, one `(padding)` entry summing
 * the bytes between tensors (offset null), and `(end)` (after the last tensor,
 * up to `endBytes`, by default the file size rounded up to whole 512-byte sectors).
 *
 * @example ggufRegions(layout).map((r) => r.name) // ["(header)", "output.weight", ..., "(padding)", "(end)"]
 */
export function ggufRegions(layout: GgufLayout, endBytes = Math.ceil(layout.fileBytes / 512) * 512): GgufRegion[] {
  const { tensors } = layout;
  const first = tensors[0]?.offset ?? layout.dataStart;
  const regions: GgufRegion[] = [pseudo(HEADER_REGION, 0, first)];
  let padding = 0;
  let end = first;
  for (const t of tensors) {
    padding += t.offset - end;
    regions.push({
      name: t.name,
      ...layerAndGroup(t.name),
      type: t.type.name,
      shape: t.shape,
      offset: t.offset,
      bytes: t.bytes,
    });
    end = t.offset + t.bytes;
  }
  regions.push({ ...pseudo(PADDING_REGION, 0, padding), offset: null });
  regions.push(pseudo(END_REGION, end, Math.max(0, endBytes - end)));
  return regions;
}

function pseudo(name: string, offset: number, bytes: number): GgufRegion {
  return { name, layer: null, group: name, type: null, shape: null, offset, bytes };
}
