/** Generation speed parsed from a workload's output. */
export interface TokenTiming {
  /** Tokens generated (llama.cpp's eval "runs"). */
  tokens: number;
  /** Tokens per second as llama.cpp reports it for the eval phase. */
  tokensPerSecond: number;
}

const EVAL =
  /(?:^|[^t] )eval time =\s*([\d.]+) ms \/\s*(\d+) (?:runs|tokens)\s*\(\s*[\d.]+ ms per token,\s*([\d.]+) tokens per second\)/m;

/**
 * Parse llama.cpp's timing lines (`llama_print_timings:` or
 * `llama_perf_context_print:` "eval time = X ms / N runs (..., T tokens per
 * second)"), skipping the "prompt eval time" line. Undefined when absent.
 *
 * @example parseLlamaTimings("llama_perf_context_print:        eval time =    1234.50 ms /    99 runs   (   12.47 ms per token,    80.19 tokens per second)") // { tokens: 99, tokensPerSecond: 80.19 }
 */
export function parseLlamaTimings(output: string): TokenTiming | undefined {
  for (const line of output.split("\n")) {
    if (/prompt eval time/.test(line)) continue;
    const m = EVAL.exec(line);
    if (m) return { tokens: Number(m[2]), tokensPerSecond: Number(m[3]) };
  }
  return undefined;
}

/**
 * Tokens/s for a run: `--tokens N` over the wall time when given, else the
 * llama.cpp timing lines of the output, else undefined.
 *
 * @example tokenTiming({ tokens: 100, wallSeconds: 20, output: "" }) // { tokens: 100, tokensPerSecond: 5 }
 */
export function tokenTiming(input: { tokens?: number; wallSeconds: number; output: string }): TokenTiming | undefined {
  if (input.tokens !== undefined) {
    return { tokens: input.tokens, tokensPerSecond: input.wallSeconds > 0 ? input.tokens / input.wallSeconds : 0 };
  }
  return parseLlamaTimings(input.output);
}
