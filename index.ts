/**
 * blkrx: block-I/O traces to answers. Sources give Observables of event
 * batches, operators transform and reduce them, sinks print them. This entry
 * loads no native code and starts no process: the DuckDB run store is
 * `blkrx/store`, live tracing is `blkrx/live`, chart rendering (vega, resvg)
 * is loaded only by the CLI's `plot`. The published entry is one bundle with
 * its own copy of RxJS (Node loads the rxjs package's 223 files in ~250 ms on
 * a slow machine): its Observables work with your rxjs (`pipe`, `from`,
 * `mergeMap`, `firstValueFrom`), but are not `instanceof` your `Observable`;
 * test with `isObservable`.
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
export { type LiveViewOptions, liveView, renderLiveLine } from "./sinks/liveView.js";
export * from "./sources/index.js";
