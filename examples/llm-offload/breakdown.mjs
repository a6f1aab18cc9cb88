// The memory breakdown of a run's peak, from what was measured at the moment of the peak RSS sample: the runtime
// (node with llama.cpp's libraries loaded, before the model: its RSS then), the model's pages resident in the
// mapping, the growth of node's JavaScript heap since then (node-llama-cpp reads the GGUF metadata in JS), and
// each buffer llama.cpp reported, counted by what of it is resident: a buffer large enough to get its
// own anonymous mapping is found by size among the peak sample's mappings and counted by that mapping's resident
// bytes (llama.cpp reserves its compute buffer in full but touches only what a batch needs); a smaller one lives
// in a malloc arena and is counted at its reported size. What the other large anonymous mappings gained since the
// runtime sample (malloc arenas of llama.cpp's threads) is one more part. The sum is compared with the peak RSS
// (smaps_rollup).

/** How a buffer living in a malloc arena is counted (other anonymous growth leaves such buffers out). */
const IN_ARENA = "reported size (in a malloc arena)";
/** The part of the JS heap's growth (other anonymous growth leaves it out too). */
const JS_HEAP_GROWTH = "JS heap growth";

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
 * what no part explains (peak − sum: what the mappings under 1 MiB gained).
 *
 * @example memoryBreakdown({ atPeak: { rss: 300, file: 100, anonVmas: [{ size: 70, rss: 1 }] }, runtime: { rss: 90 }, llama: { computeBytes: 66 } }).sum // 191
 */
export function memoryBreakdown({ atPeak, runtime, llama, marks = {} }) {
  if (!atPeak || !runtime) return null;
  const parts = [
    { part: "runtime before the model", bytes: runtime.rss, how: "RSS once llama.cpp's libraries were loaded" },
    { part: "model pages (mapping)", bytes: atPeak.file, how: "Rss of the model's mapping" },
    {
      part: JS_HEAP_GROWTH,
      bytes: Math.max(0, (atPeak.jsHeap ?? 0) - (runtime.jsHeap ?? 0)),
      how: "V8 heap's resident size at the peak minus before the model",
    },
  ];
  // Buffers made by the time of the peak sample; the rest count 0 (the peak of a run under pressure can come during
  // load, before the context exists). A buffer's step has begun once the mark before it was taken.
  const present = [];
  for (const [part, key, madeAfter] of BUFFERS) {
    const reported = llama?.[key];
    if (!reported) continue;
    if (marks[madeAfter] && atPeak.t < marks[madeAfter].t) {
      parts.push({ part, bytes: 0, reported, how: "not made yet at the peak" });
    } else present.push({ part, reported });
  }
  // Each large buffer has a mapping of its own, but the kernel merges neighbouring anonymous mappings: at study size
  // repack, KV cache and compute buffer were one 5,091.5 MiB mapping (= their sum). So find, for each
  // set of buffers the mapping that holds exactly that set (plus page rounding and small neighbours); what is
  // resident of it, at most the set's size, is theirs. Buffers under 4 MiB live in malloc's arenas.
  const unused = [...(atPeak.anonVmas ?? [])];
  let mappable = present.filter((b) => b.reported >= 4 * 2 ** 20);
  for (;;) {
    // The tightest fit first: the (set, mapping) pair with the least room left over.
    let best;
    for (const set of subsets(mappable)) {
      const total = set.reduce((s, b) => s + b.reported, 0);
      for (const vma of unused) {
        const room = vma.size - total;
        if (room >= 0 && room <= 2 ** 21 + total / 8 && (!best || room < best.room)) best = { set, total, vma, room };
      }
    }
    if (!best) break;
    const { set, total, vma } = best;
    unused.splice(unused.indexOf(vma), 1);
    parts.push({
      part: set.map((b) => b.part).join(" + "),
      bytes: Math.min(vma.rss, total),
      reported: total,
      how: set.length === 1 ? "resident bytes of its own mapping" : "resident bytes of their one (merged) mapping",
    });
    mappable = mappable.filter((b) => !set.includes(b));
  }
  for (const b of present.filter((x) => !parts.some((p) => p.part.split(" + ").includes(x.part)))) {
    if (b.reported >= MMAP_ALWAYS_BYTES) {
      // Too large for an arena, yet no mapping holds it: not made at the moment of the peak.
      parts.push({ part: b.part, bytes: 0, reported: b.reported, how: "not made yet at the peak" });
    } else parts.push({ part: b.part, bytes: b.reported, reported: b.reported, how: IN_ARENA });
  }
  const other = otherAnonGrowth(unused, runtime, parts);
  if (other > 0) {
    parts.push({
      part: "other anonymous growth",
      bytes: other,
      how: "resident bytes gained since the runtime sample by the large anonymous mappings no buffer was matched to (malloc arenas of llama.cpp's threads, thread stacks), less the buffers counted in arenas and the JS heap growth",
    });
  }
  const sum = parts.reduce((s, p) => s + p.bytes, 0);
  return { parts, sum, peak: atPeak.rss, ratio: atPeak.rss ? sum / atPeak.rss : null, unexplained: atPeak.rss - sum };
}

/**
 * What the large anonymous mappings left unmatched gained between the runtime sample and the peak (a mapping absent
 * at the runtime sample gained all its resident bytes), less what other parts already count in such mappings: the
 * buffers counted at their reported size (they live in malloc arenas, which are these mappings) and the JS heap's
 * growth. 0 when the runtime sample has no mappings to compare with (runs stored before they were kept).
 */
function otherAnonGrowth(unmatched, runtime, parts) {
  if (!runtime.anonVmas || unmatched.some((vma) => vma.start === undefined)) return 0;
  const before = new Map(runtime.anonVmas.map((vma) => [vma.start, vma.rss]));
  const gained = unmatched.reduce((sum, vma) => sum + Math.max(0, vma.rss - (before.get(vma.start) ?? 0)), 0);
  const counted = parts
    .filter((p) => p.how === IN_ARENA || p.part === JS_HEAP_GROWTH)
    .reduce((sum, p) => sum + p.bytes, 0);
  return Math.max(0, gained - counted);
}

/** Every non-empty subset of `items` (at most 5 buffers: 31 sets). */
function subsets(items) {
  const out = [];
  for (let mask = 1; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out;
}
