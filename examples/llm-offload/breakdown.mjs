// The memory breakdown of a run's peak, from what was measured at the moment of the peak RSS sample: the runtime
// (node with llama.cpp's libraries loaded, before the model: its RSS then), the model's pages resident in the
// mapping, the growth of node's JavaScript heap since then (node-llama-cpp reads the GGUF metadata in JS), and
// each buffer llama.cpp reported, counted by what of it is resident: a buffer large enough to get its
// own anonymous mapping is found by size among the peak sample's mappings and counted by that mapping's resident
// bytes (llama.cpp reserves its compute buffer in full but touches only what a batch needs); a smaller one lives
// in a malloc arena and is counted at its reported size. The sum is compared with the peak RSS (smaps_rollup).

/** glibc serves every allocation this large with a mapping of its own (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit). */
const MMAP_ALWAYS_BYTES = 32 * 2 ** 20;

/**
 * Buffers llama.cpp logs, in the order the breakdown lists them: name, key of llamaLog.mjs's result, and the
 * sampler's mark at which the step that makes it begins (loading the model after "runtime", the context after "model").
 */
export const BUFFERS = [
  ["repack", "repackBytes", "runtime"],
  ["model copy (--no-mmap)", "modelCpuBytes", "runtime"],
  ["KV cache", "kvBytes", "model"],
  ["compute", "computeBytes", "model"],
  ["output", "outputBytes", "model"],
];

/**
 * Break the peak down. `atPeak`: the sampler's peak sample ({ t, rss, file, jsHeap, anonVmas: [{ size, rss }] });
 * `runtime`: the sample taken once llama.cpp's libraries were loaded, before the model ({ rss, jsHeap }); `llama`:
 * parseLlamaLog's sizes; `marks`: the sampler's marks ({ runtime, model, context }: samples with their time t). Returns the parts (bytes and how each was measured), their sum, the peak, sum / peak, and
 * what no part explains (peak − sum: llama.cpp's small allocations such as the vocabulary, thread stacks).
 *
 * @example memoryBreakdown({ atPeak: { rss: 300, file: 100, anonVmas: [{ size: 70, rss: 1 }] }, runtime: { rss: 90 }, llama: { computeBytes: 66 } }).sum // 191
 */
export function memoryBreakdown({ atPeak, runtime, llama, marks = {} }) {
  if (!atPeak || !runtime) return null;
  const parts = [
    { part: "runtime before the model", bytes: runtime.rss, how: "RSS once llama.cpp's libraries were loaded" },
    { part: "model pages (mapping)", bytes: atPeak.file, how: "Rss of the model's mapping" },
    {
      part: "JS heap growth",
      bytes: Math.max(0, (atPeak.jsHeap ?? 0) - (runtime.jsHeap ?? 0)),
      how: "V8 heap's resident size at the peak minus before the model",
    },
  ];
  const unused = [...(atPeak.anonVmas ?? [])].sort((a, b) => a.size - b.size);
  for (const [part, key, madeAfter] of BUFFERS) {
    const reported = llama?.[key];
    if (!reported) continue;
    // Its own mapping: the smallest unused one that holds it. The kernel merges neighbouring anonymous mappings,
    // so the mapping may be somewhat larger; what is resident of the buffer is at most its size.
    // Buffers under 4 MiB come from malloc's arenas, not mappings of their own.
    const slack = 2 ** 21 + reported / 8;
    const i = reported < 2 ** 22 ? -1 : unused.findIndex((v) => v.size >= reported && v.size <= reported + slack);
    if (i >= 0) {
      const [vma] = unused.splice(i, 1);
      parts.push({ part, bytes: Math.min(vma.rss, reported), reported, how: "resident bytes of its own mapping" });
    } else if (reported >= MMAP_ALWAYS_BYTES || (marks[madeAfter] && atPeak.t < marks[madeAfter].t)) {
      // Not there at the peak: too large for an arena yet without a mapping, or the step that makes it had not
      // begun (the peak of a run under pressure can come during load, before the context exists).
      parts.push({ part, bytes: 0, reported, how: "not made yet at the peak" });
    } else parts.push({ part, bytes: reported, reported, how: "reported size (in a malloc arena)" });
  }
  const sum = parts.reduce((s, p) => s + p.bytes, 0);
  return { parts, sum, peak: atPeak.rss, ratio: atPeak.rss ? sum / atPeak.rss : null, unexplained: atPeak.rss - sum };
}
