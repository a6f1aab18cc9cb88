/**
 * `npm run bench [-- --quick] [-- --json] [-- --only replay,memory,...]`:
 * the speed and scale goals of issue 5, each measured against a baseline
 * in the same run (interleaved, best of N), printed as a table (or JSON)
 * with the ratio and PASS/FAIL/SKIPPED. Inputs are generated once under
 * /tmp/blkrx-bench (BLKRX_BENCH_DIR) from test/fixtures/pressure-frag.bin.
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { analyzeManyGoal } from "./goals/analyzeMany.js";
import type { BenchContext, Goal } from "./goals/context.js";
import { datasetGoals } from "./goals/datasets.js";
import { duckdbGoals } from "./goals/duckdb.js";
import { ggufGoal } from "./goals/gguf.js";
import { linearityGoal } from "./goals/linearity.js";
import { liveGoal } from "./goals/live.js";
import { memoryGoals } from "./goals/memory.js";
import { plotGoals } from "./goals/plot.js";
import { replayGoals } from "./goals/replay.js";
import { storeGoals } from "./goals/store.js";
import { type BenchRow, renderRows } from "./report.js";

/** The goals in the order they run, by the name `--only` takes. */
export const GOALS: Record<string, Goal> = {
  replay: replayGoals,
  linearity: linearityGoal,
  memory: memoryGoals,
  duckdb: duckdbGoals,
  store: storeGoals,
  many: analyzeManyGoal,
  datasets: datasetGoals,
  live: liveGoal,
  gguf: ggufGoal,
  plot: plotGoals,
};

/**
 * Run the selected goals and return their rows (failed targets are rows,
 * not exceptions; a goal that crashes becomes one FAIL row with the error).
 *
 * @example const rows = await runBench(["replay"], { quick: true, log: () => {} });
 */
export async function runBench(names: readonly string[], ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const name of names) {
    const goal = GOALS[name];
    if (!goal) throw new TypeError(`bench: unknown goal "${name}" (expected ${Object.keys(GOALS).join(", ")})`);
    ctx.log(`bench: ${name}`);
    try {
      rows.push(...(await goal(ctx)));
    } catch (error: unknown) {
      const why = error instanceof Error ? error.message : String(error);
      rows.push({ goal: name, measure: "(crashed)", value: null, unit: "", target: "", status: "FAIL", note: why });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: "boolean" }, quick: { type: "boolean" }, only: { type: "string" } },
  });
  const names = values.only ? values.only.split(",").map((s) => s.trim()) : Object.keys(GOALS);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const machine = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? "?",
    node: process.version,
    loadAverageAtStart: loadavg()[0],
  };
  log(
    `bench on ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load ${machine.loadAverageAtStart?.toFixed(2)}`,
  );
  const rows = await runBench(names, { quick: values.quick === true, log });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ machine, quick: values.quick === true, rows }, null, 2)}\n`);
  } else {
    process.stdout.write(renderRows(rows));
  }
  if (rows.some((r) => r.status === "FAIL")) process.exitCode = 1;
}

await main();
