import type { GgufLayout } from "../../model/ggufLayout.js";
import { ggufHeaderBytes } from "../../sinks/gguf/ggufHeaderBytes.js";
import { writeGguf } from "../../sinks/gguf/writeGguf.js";
import { type SynthOptions, synthPlan } from "./synthPlan.js";

/**
 * Write a llama GGUF model with random weights to `path` (what `blkrx gguf
 * synth` does): plan, header, streamed tensor data. Resolves to the layout
 * written.
 *
 * @example const layout = await synthGguf("tiny.gguf", { ...PRESETS.tiny, type: "q8_0", order: "eval", seed: 1 });
 */
export async function synthGguf(
  path: string,
  options: SynthOptions,
  onProgress?: (written: number, total: number) => void,
): Promise<GgufLayout> {
  const plan = synthPlan(options);
  const { bytes, layout } = ggufHeaderBytes(plan.metadata, plan.tensors);
  await writeGguf(path, bytes, layout, {
    seed: options.seed,
    // norms scale their input: weights around 1 keep activations of the usual size
    centerOf: (t) => (t.name.endsWith("_norm.weight") ? 1 : 0),
    ...(onProgress ? { onProgress } : {}),
  });
  return layout;
}
