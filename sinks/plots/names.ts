/**
 * Plot names, apart from their (heavier) spec builders so that the CLI's
 * option parsing loads nothing else. registry.ts has one entry per name.
 */
export const VEGA_PLOT_NAMES = [
  "offset",
  "coverage",
  "throughput",
  "gaps",
  "sizes",
  "latency",
  "latency-time",
  "gguf-layers",
  "gguf-groups",
] as const;

/** The plots that need `--gguf MODEL.gguf` (left out of the default set without it). */
export const GGUF_PLOT_NAMES: readonly string[] = ["gguf-layers", "gguf-groups"];

/** Names `--only` accepts: the vega-lite plots and the density access map. */
export const PLOT_NAMES: readonly string[] = [...VEGA_PLOT_NAMES, "access"];
