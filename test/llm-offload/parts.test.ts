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
  memoryPlan(run: Run, modelBytes: number, anonBytes: number, floorBytes: number): Record<string, number>;
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

  it("is the baseline and then one factor at a time (memory: factor and mechanism): 11 runs", () => {
    const plan = sweepPlan();
    expect(plan).toHaveLength(11);
    expect(plan[0]).toEqual({ varied: "baseline", ...BASELINE });
    for (const run of plan.slice(1)) {
      const changed = factors.filter((f) => run[f] !== BASELINE[f]);
      if (run.varied === "memory") expect(changed.every((f) => f === "mechanism" || f === "memoryFactor")).toBe(true);
      else expect(changed).toHaveLength(1);
    }
    const memory = plan.filter((r) => r.varied !== "threads" && r.varied !== "tokens" && r.varied !== "mmap");
    for (const mechanism of ["cgroup", "lock"]) {
      expect(
        memory
          .filter((r) => r.mechanism === mechanism && r.layout === "contiguous" && r.order === "quantize")
          .map((r) => r.memoryFactor)
          .sort(),
      ).toEqual([0.5, 0.8, 1.5]);
    }
  });

  it("gives a cgroup factor × model + the runner's anonymous memory, and never locks into the floor", () => {
    const cgroup = memoryPlan(
      { ...BASELINE, mechanism: "cgroup", memoryFactor: 0.5 },
      100 * MIB,
      150 * MIB,
      4 * 2 ** 30,
    );
    expect(cgroup).toEqual({ targetBytes: 200 * MIB, limitBytes: 200 * MIB });
    const lock = memoryPlan({ ...BASELINE, mechanism: "lock", memoryFactor: 0.5 }, 100 * MIB, 150 * MIB, 4 * 2 ** 30);
    expect(Number(lock.availableBeforeLock) - (lock.lockBytes ?? 0)).toBeGreaterThanOrEqual(200 * MIB + 4 * 2 ** 30);
    const huge = memoryPlan({ ...BASELINE, mechanism: "lock", memoryFactor: 1.5 }, 2 ** 50, 0, 4 * 2 ** 30);
    expect(huge.lockBytes).toBe(0);
  });
});
