import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

/** The study example's pure parts (plain .mjs outside the build: imported by path at run time). */
const EXAMPLE = join(ROOT, "examples/llm-offload");

interface LlamaLog {
  mappedBytes: number | null;
  repackBytes: number | null;
  modelCpuBytes: number | null;
  kvBytes: number | null;
  computeBytes: number | null;
  outputBytes: number | null;
}
type Run = Record<string, string | number | boolean>;
const { parseLlamaLog } = (await import(join(EXAMPLE, "llamaLog.mjs"))) as { parseLlamaLog(lines: string[]): LlamaLog };
const { BASELINE, sweepPlan, memoryPlan } = (await import(join(EXAMPLE, "sweep.mjs"))) as {
  BASELINE: Run;
  sweepPlan(): Run[];
  memoryPlan(run: Run, modelBytes: number, anonBytes: number, lockBytes: number): Record<string, number>;
};
interface Part {
  part: string;
  bytes: number;
  how: string;
}
const { memoryBreakdown } = (await import(join(EXAMPLE, "breakdown.mjs"))) as {
  memoryBreakdown(input: unknown): { parts: Part[]; sum: number; peak: number; ratio: number } | null;
};

const MIB = 2 ** 20;

describe("llama.cpp's log (node-llama-cpp 3.21.1, ci model, context 512)", () => {
  // Lines as llama.cpp printed them for the 107,899,584-byte ci model.
  const lines = [
    "load_tensors: loading model tensors, this can take a while... (load_mode = mmap)",
    "load_tensors:   CPU_Mapped model buffer size =   100.72 MiB",
    "load_tensors:   CPU_REPACK model buffer size =    46.69 MiB",
    "llama_context:        CPU  output buffer size =     0.12 MiB",
    "llama_kv_cache:        CPU KV buffer size =    16.00 MiB",
    "llama_kv_cache: size =   16.00 MiB (   512 cells,   8 layers,  1/1 seqs), K (f16):    8.00 MiB, V (f16):    8.00 MiB",
    "sched_reserve:        CPU compute buffer size =    66.50 MiB",
  ];

  it("gives each buffer in bytes, KV equal to 2 × n_layer × n_ctx × n_embd_kv × 2", () => {
    expect(parseLlamaLog(lines)).toEqual({
      mappedBytes: Math.round(100.72 * MIB),
      repackBytes: Math.round(46.69 * MIB),
      modelCpuBytes: null,
      kvBytes: 2 * 8 * 512 * 1024 * 2,
      computeBytes: Math.round(66.5 * MIB),
      outputBytes: Math.round(0.12 * MIB),
    });
  });

  it("counts a --no-mmap CPU copy apart from the mapping, and says null for what was not logged", () => {
    const r = parseLlamaLog(["load_tensors:          CPU model buffer size =    55.60 MiB"]);
    expect(r.modelCpuBytes).toBe(Math.round(55.6 * MIB));
    expect(r.mappedBytes).toBeNull();
    expect(r.kvBytes).toBeNull();
  });
});

describe("the sweep plan", () => {
  const factors = ["layout", "order", "mechanism", "memoryFactor", "threads", "tokens", "mmap"];

  it("is the baseline and then one factor at a time (memory: factor and mechanism; eval order also at 0.5×): 12 runs", () => {
    const plan = sweepPlan();
    expect(plan).toHaveLength(12);
    expect(plan[0]).toEqual({ varied: "baseline", ...BASELINE });
    for (const run of plan.slice(1)) {
      const changed = factors.filter((f) => run[f] !== BASELINE[f]);
      if (run.varied === "memory") expect(changed.every((f) => f === "mechanism" || f === "memoryFactor")).toBe(true);
      else if (run.varied === "order" && run.memoryFactor === 0.5) expect(changed).toEqual(["order", "memoryFactor"]);
      else expect(changed).toHaveLength(1);
    }
    const memory = plan.filter((r) => r.varied === "memory" || r.varied === "baseline");
    for (const mechanism of ["cgroup", "lock"]) {
      expect(
        memory
          .filter((r) => r.mechanism === mechanism)
          .map((r) => r.memoryFactor)
          .sort(),
      ).toEqual([0.5, 0.8, 1.5]);
    }
    // The eval-order 0.5× run has its quantize-order twin: the 0.5× cgroup memory run.
    expect(plan.filter((r) => r.mechanism === "cgroup" && r.memoryFactor === 0.5).map((r) => r.order)).toEqual([
      "quantize",
      "eval",
    ]);
  });

  it("gives a cgroup factor × model + the runner's anonymous memory; a lock its parent cgroup of target + lock", () => {
    const cgroup = memoryPlan({ ...BASELINE, mechanism: "cgroup", memoryFactor: 0.5 }, 100 * MIB, 150 * MIB, 128 * MIB);
    expect(cgroup).toEqual({ targetBytes: 200 * MIB, limitBytes: 200 * MIB });
    const lock = memoryPlan({ ...BASELINE, mechanism: "lock", memoryFactor: 0.5 }, 100 * MIB, 150 * MIB, 128 * MIB);
    expect(lock).toEqual({ targetBytes: 200 * MIB, lockBytes: 128 * MIB, parentLimitBytes: 328 * MIB });
  });
});

describe("the memory breakdown at the peak sample", () => {
  // Shapes as measured for the ci model (context 512): compute buffer 66.5 MiB reserved in its own mapping, 0.5 MiB of
  // it touched; KV 16 MiB inside a malloc arena (no mapping of its own); repack 46.7 MiB in one mapping that the
  // kernel merged with a 4 MiB neighbour.
  const llama = { repackBytes: 46.7 * MIB, kvBytes: 16 * MIB, computeBytes: 66.5 * MIB, outputBytes: 0.12 * MIB };
  const marks = { runtime: { t: 2 }, model: { t: 8 }, context: { t: 9 } };
  const runtime = { t: 2, rss: 90 * MIB, jsHeap: 30 * MIB };

  it("counts each buffer by its own mapping's resident bytes (at most its size), else its size, and sums the parts", () => {
    const atPeak = {
      t: 12,
      rss: 290 * MIB,
      file: 99 * MIB,
      jsHeap: 48 * MIB,
      anonVmas: [
        { size: 8 * MIB, rss: 0.1 * MIB },
        { size: 50.7 * MIB, rss: 50 * MIB },
        { size: 66.5 * MIB + 4096, rss: 0.5 * MIB },
      ],
    };
    const b = memoryBreakdown({ atPeak, runtime, llama, marks });
    const bytes = Object.fromEntries(b?.parts.map((p) => [p.part, p.bytes]) ?? []);
    expect(bytes).toEqual({
      "runtime before the model": 90 * MIB,
      "model pages (mapping)": 99 * MIB,
      "JS heap growth": 18 * MIB,
      repack: 46.7 * MIB,
      "KV cache": 16 * MIB,
      compute: 0.5 * MIB,
      output: 0.12 * MIB,
    });
    expect(b?.sum).toBeCloseTo((90 + 99 + 18 + 46.7 + 16 + 0.5 + 0.12) * MIB, 0);
    expect(b?.ratio).toBeCloseTo((b?.sum ?? 0) / (290 * MIB), 9);
  });

  it("adds what the unmatched large mappings gained since the runtime sample, less the arena buffers and JS growth", () => {
    const at = (start: number, size: number, rss: number) => ({ start: start * MIB, size: size * MIB, rss: rss * MIB });
    const atPeak = {
      t: 12,
      rss: 300 * MIB,
      file: 99 * MIB,
      jsHeap: 48 * MIB,
      anonVmas: [
        at(0, 6, 5.9), // a mapping of the runtime's (5 MiB then): gained 0.9
        at(100, 42.8, 40), // a malloc arena made since (the KV cache's 16 MiB are in it): gained 40
        at(200, 50.7, 50), // repack's (matched)
        at(300, 66.5 + 4096 / MIB, 0.5), // compute's (matched)
        at(400, 8, 0.1), // a new thread's stack: gained 0.1
      ],
    };
    const before = { ...runtime, anonVmas: [at(0, 6, 5), at(500, 8, 3)] };
    const b = memoryBreakdown({ atPeak, runtime: before, llama, marks });
    const other = b?.parts.find((p) => p.part === "other anonymous growth");
    // 0.9 + 40 + 0.1 gained, less KV 16 and output 0.12 (reported sizes, in arenas) and 18 of JS heap growth.
    expect(other?.bytes).toBeCloseTo((0.9 + 40 + 0.1 - 16 - 0.12 - 18) * MIB, 0);
    // Without the runtime sample's mappings (runs stored before they were kept) there is no such part.
    const old = memoryBreakdown({ atPeak, runtime, llama, marks });
    expect(old?.parts.some((p) => p.part === "other anonymous growth")).toBe(false);
  });

  it("counts nothing for buffers the peak came before (peak during load), and for a large one without a mapping", () => {
    const atPeak = {
      t: 5,
      rss: 230 * MIB,
      file: 100 * MIB,
      jsHeap: 31 * MIB,
      anonVmas: [{ size: 46.7 * MIB, rss: 30 * MIB }],
    };
    const b = memoryBreakdown({ atPeak, runtime, llama, marks });
    const how = Object.fromEntries(b?.parts.map((p) => [p.part, [p.bytes, p.how]]) ?? []);
    expect(how.repack).toEqual([30 * MIB, "resident bytes of its own mapping"]);
    expect(how["KV cache"]).toEqual([0, "not made yet at the peak"]);
    expect(how.compute).toEqual([0, "not made yet at the peak"]);
    const late = memoryBreakdown({ atPeak: { ...atPeak, t: 20, anonVmas: [] }, runtime, llama, marks });
    expect(late?.parts.find((p) => p.part === "compute")?.how).toBe("not made yet at the peak"); // ≥ 32 MiB: always mapped
    expect(late?.parts.find((p) => p.part === "KV cache")).toMatchObject({
      bytes: 16 * MIB,
      how: "reported size (in a malloc arena)",
    });
  });
});
