#!/usr/bin/env node
// The study's workload: real llama.cpp (node-llama-cpp's library API) loads a GGUF model, prints a marker line
// when loading is done (for `blkrx run --phase-marker`), generates exactly N tokens, and writes a JSON stats file:
// llama.cpp's own buffer sizes (parsed from its log) and memory sampled every ~100 ms (file-backed RSS of the model
// mapping, anonymous RSS, the cgroup's memory.stat). Plain .mjs so blkrx's TypeScript build never imports it.
//
//   node llama-run.mjs --model M.gguf --stats out.json [--tokens 10] [--threads 2] [--context 512] [--no-mmap]
import { realpathSync, statSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { memoryBreakdown } from "./breakdown.mjs";
import { parseLlamaLog } from "./llamaLog.mjs";
import { LOADED_MARKER } from "./marker.mjs";
import { startMemorySampler } from "./memorySampler.mjs";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    stats: { type: "string" },
    tokens: { type: "string", default: "10" },
    threads: { type: "string", default: "2" },
    context: { type: "string", default: "512" },
    "no-mmap": { type: "boolean", default: false },
    prompt: { type: "string", default: "The quick brown fox" },
    "interval-ms": { type: "string", default: "100" },
  },
});
if (!values.model || !values.stats) {
  process.stderr.write("llama-run.mjs needs --model M.gguf and --stats OUT.json\n");
  process.exit(2);
}
const modelPath = realpathSync(values.model);
const tokens = positive("--tokens", values.tokens);
const threads = positive("--threads", values.threads);
const contextSize = positive("--context", values.context);
const useMmap = !values["no-mmap"];

const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
const logLines = [];
const sampler = startMemorySampler(modelPath, positive("--interval-ms", values["interval-ms"]));
const t0 = performance.now();
const llama = await getLlama({
  gpu: false,
  build: "never",
  logLevel: LlamaLogLevel.info,
  logger: (_level, message) => {
    for (const line of message.split("\n")) if (line.trim() !== "") logLines.push(line);
  },
});
sampler.mark("runtime"); // node with llama.cpp's libraries, before the model: the breakdown's first part
const model = await llama.loadModel({ modelPath, useMmap, gpuLayers: 0, ignoreMemorySafetyChecks: true });
sampler.mark("model");
const context = await model.createContext({ contextSize, threads, ignoreMemorySafetyChecks: true });
sampler.mark("context");
const loadSeconds = (performance.now() - t0) / 1000;
process.stdout.write(`${LOADED_MARKER} in ${loadSeconds.toFixed(3)} s\n`);

// Exactly `tokens` tokens: the sequence's evaluate() generator never stops on end-of-generation by itself.
const sequence = context.getSequence();
const t1 = performance.now();
let generated = 0;
for await (const _token of sequence.evaluate(model.tokenize(values.prompt), { temperature: 0 })) {
  generated++;
  if (generated >= tokens) break;
}
const generateSeconds = (performance.now() - t1) / 1000;
process.stdout.write(`generated ${generated} tokens in ${generateSeconds.toFixed(3)} s\n`);
const memory = sampler.stop();
const llamaBuffers = parseLlamaLog(logLines);

const stats = {
  model: modelPath,
  modelBytes: statSync(modelPath).size,
  useMmap,
  threads,
  contextSize,
  tokens: generated,
  loadSeconds,
  generateSeconds,
  tokensPerSecond: generateSeconds > 0 ? generated / generateSeconds : null,
  nLayer: model.fileInfo.metadata?.llama?.block_count ?? null,
  nEmbd: model.fileInfo.metadata?.llama?.embedding_length ?? null,
  nHead: model.fileInfo.metadata?.llama?.attention?.head_count ?? null,
  nHeadKv: model.fileInfo.metadata?.llama?.attention?.head_count_kv ?? null,
  llama: llamaBuffers,
  memory,
  breakdown: memoryBreakdown({
    atPeak: memory.atPeakRss,
    runtime: memory.marks.runtime,
    llama: llamaBuffers,
    marks: memory.marks,
  }),
  logLines: logLines.filter((l) => /buffer size|llama_kv_cache: size|load_mode|n_ctx /.test(l)),
};
writeFileSync(values.stats, `${JSON.stringify(stats, null, 2)}\n`);
await context.dispose();
await model.dispose();
await llama.dispose();

function positive(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`llama-run.mjs: ${name} expects a positive integer, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}
