/**
 * blkrx: block-I/O traces to answers. Sources give Observables of event
 * batches, operators transform and reduce them, sinks print or store them.
 *
 * @example
 * import { fromTrace, analyzeEvents, summarize, parseFilefrag } from "blkrx";
 */
export * from "./model/index.js";
export * from "./operators/index.js";
export { type AnalyzeOptions, analyze, analyzeEvents } from "./pipeline/analyze.js";
export { synthGguf } from "./pipeline/gguf/synthGguf.js";
export {
  type LlamaShape,
  PRESETS as LLAMA_PRESETS,
  type SynthOptions,
  type SynthPlan,
  synthPlan,
  useMoreBits,
} from "./pipeline/gguf/synthPlan.js";
export { type PlotSourceOptions, plotInputsOf } from "./pipeline/plotInputs.js";
export * from "./sinks/index.js";
export * from "./sources/index.js";
