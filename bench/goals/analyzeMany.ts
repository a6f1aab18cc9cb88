import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved } from "../processRun.js";
import { atLeast, type BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";

/** Wall seconds for `workers` threads each spinning the same pure-CPU loop (no I/O, no allocation). */
async function spin(workers: number): Promise<number> {
  const code =
    "let x = 0; for (let i = 0; i < 1e9; i++) x = (x + i) | 0; require('node:worker_threads').parentPort.postMessage(x);";
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const w = new Worker(code, { eval: true });
      await new Promise((resolve) => w.once("message", resolve));
      await w.terminate();
    }),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Multi-run throughput: `blkrx analyze-many` over several copies of a
 * multi-million-record trace with `--jobs 1` and `--jobs N` (N = cores),
 * whole processes, interleaved, best of N. Target: ≥ 1.6× on 2 cores.
 * Also checks that both print the same NDJSON, and calibrates what the
 * machine gives right now: N threads of a pure-CPU loop against one, in the
 * same rounds (when other work holds the cores, that ceiling is below N).
 *
 * @example await analyzeManyGoal({ quick: true, log: console.error })
 */
export async function analyzeManyGoal(ctx: BenchContext): Promise<BenchRow[]> {
  const cores = availableParallelism();
  // Runs long enough that worker start-up (loading RxJS) and JIT warm-up do not dominate.
  const trace = repeatedTrace(repeatsFor(ctx.quick ? 5e6 : 10e6));
  const inputs = new Array<string>(ctx.quick ? 6 : 8).fill(trace.path);
  const args = (jobs: number) => ["analyze-many", ...inputs, ...SEED_FLAGS, "--json", "--jobs", String(jobs)];
  let ceiling = 0;
  const best: Awaited<ReturnType<typeof interleaved>> = {};
  for (let r = 0; r < (ctx.quick ? 2 : 3); r++) {
    const one = await spin(1);
    const all = await spin(cores);
    ceiling = Math.max(ceiling, (cores * one) / all);
    ctx.log(`  CPU ceiling round ${r + 1}: ${cores} spinning threads get ${((cores * one) / all).toFixed(2)}× one`);
    const round = await interleaved(
      { one: blkrxCommand(args(1)), all: blkrxCommand(args(cores)) },
      { one: 1, all: 1 },
      ctx.log,
    );
    for (const [k, v] of Object.entries(round)) {
      const b = best[k];
      best[k] = b && b.wallS <= v.wallS ? b : v;
    }
  }
  const one = best.one?.wallS ?? Number.NaN;
  const all = best.all?.wallS ?? Number.NaN;
  const same = best.one?.stdout === best.all?.stdout;
  const records = inputs.length * trace.records;
  return [
    {
      ...atLeast(
        {
          goal: "analyze-many",
          measure: `${inputs.length} runs × ${(trace.records / 1e6).toFixed(1)}M records, --jobs ${cores}, wall`,
          value: records / all,
          unit: "ev/s",
          baseline: { name: "--jobs 1", value: records / one, unit: "ev/s" },
          target: `≥ 1.6× on ${cores} cores`,
        },
        one / all,
        1.6,
      ),
      note: `machine ceiling now: ${ceiling.toFixed(2)}× (pure-CPU threads, same run)`,
      ...(same ? {} : { status: "FAIL" as const, note: "--jobs 1 and --jobs N printed different results" }),
    },
  ];
}
