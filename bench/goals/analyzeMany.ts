import { availableParallelism } from "node:os";
import { repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved } from "../processRun.js";
import { atLeast, type BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";

/**
 * Multi-run throughput: `blkrx analyze-many` over several copies of a
 * multi-million-record trace with `--jobs 1` and `--jobs N` (N = cores),
 * whole processes, interleaved, best of N. Target: ≥ 1.6× on 2 cores.
 * Also checks that both print the same NDJSON.
 *
 * @example await analyzeManyGoal({ quick: true, log: console.error })
 */
export async function analyzeManyGoal(ctx: BenchContext): Promise<BenchRow[]> {
  const cores = availableParallelism();
  const trace = repeatedTrace(repeatsFor(ctx.quick ? 1e6 : 5e6));
  const inputs = new Array<string>(ctx.quick ? 8 : 6).fill(trace.path);
  const args = (jobs: number) => ["analyze-many", ...inputs, ...SEED_FLAGS, "--json", "--jobs", String(jobs)];
  const best = await interleaved(
    { one: blkrxCommand(args(1)), all: blkrxCommand(args(cores)) },
    { one: ctx.quick ? 2 : 3, all: ctx.quick ? 2 : 3 },
    ctx.log,
  );
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
      ...(same ? {} : { status: "FAIL" as const, note: "--jobs 1 and --jobs N printed different results" }),
    },
  ];
}
