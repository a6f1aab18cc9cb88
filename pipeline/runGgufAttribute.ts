import type { Summary } from "../model/summary.js";
import type { TensorAttribution } from "../model/tensorAttribution.js";
import type { GgufAttributeCliOptions } from "./commands/gguf.js";
import { runAnalyze } from "./runAnalyze.js";

/**
 * `blkrx gguf attribute INPUT... --model M.gguf`: an alias of
 * `blkrx analyze INPUT... --gguf M.gguf --no-db` (one code path): the analyze
 * summary plus spec v2's `tensors` and `backward`.
 *
 * @example await runGgufAttribute(["trace.bin"], { ...DEFAULT_ANALYSIS_SETTINGS, model: "m.gguf", top: 10, json: true });
 */
export async function runGgufAttribute(
  inputs: string[],
  options: GgufAttributeCliOptions,
): Promise<Summary & Partial<TensorAttribution>> {
  const { model, ...rest } = options;
  return runAnalyze(inputs, { ...rest, gguf: model, db: false }, false);
}
