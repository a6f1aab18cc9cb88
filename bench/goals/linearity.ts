import { join } from "node:path";
import { ROOT, repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { runProcess } from "../processRun.js";
import type { BenchRow } from "../report.js";
import type { BenchContext } from "./context.js";

/**
 * In-process decode + analyze [wall, CPU] seconds of a trace: best of the
 * repetitions of one child process, each `group` analyses back to back.
 */
async function inProcessBest(trace: string, reps: number, group: number): Promise<[number, number]> {
  const [, extents, , start] = SEED_FLAGS;
  const s = await runProcess({
    cmd: process.execPath,
    args: [
      join(ROOT, "dist", "bench", "inprocess.js"),
      "analyze",
      trace,
      extents as string,
      start as string,
      String(reps),
      String(group),
    ],
  });
  const m = JSON.parse(s.stdout) as { seconds: number[]; cpuSeconds: number[] };
  return [Math.min(...m.seconds), Math.min(...m.cpuSeconds)];
}

/**
 * Cost linear in events: the in-process CPU time (user + system of the
 * process, so waiting for a core busy with other work does not count) of
 * decode + analyze — start-up and module loading excluded; each child
 * repeats the run and keeps its best, so JIT warm-up is excluded too — for
 * 1M and 10M records, interleaved over rounds. A 1M sample is 10 analyses
 * back to back, so samples of both sizes last about as long: measured, with
 * single 25 ms samples the best 1M run caught quiet moments of this noisy
 * host that 0.3 s runs never did (per record 25 vs 29 ns in one full run,
 * 27 vs 28 ns in the next). Target: t(10M) / t(1M) within 10 % of the
 * record ratio. The wall-time ratio is in the note.
 *
 * @example await linearityGoal({ quick: false, log: console.error })
 */
export async function linearityGoal(ctx: BenchContext): Promise<BenchRow[]> {
  const small = repeatedTrace(repeatsFor(1e6));
  const big = repeatedTrace(repeatsFor(10e6));
  let tSmall = Number.POSITIVE_INFINITY;
  let tBig = Number.POSITIVE_INFINITY;
  let wSmall = Number.POSITIVE_INFINITY;
  let wBig = Number.POSITIVE_INFINITY;
  // Six rounds, 24 samples per size: this host's slowdowns last seconds; with 12 samples one full run measured
  // 0.896 (1M at 29 ns per record, 10M at 26), with 24 the runs tried gave 0.95 and 0.98.
  for (let r = 0; r < (ctx.quick ? 2 : 6); r++) {
    const [ws, cs] = await inProcessBest(small.path, 4, Math.round(big.records / small.records));
    const [wb, cb] = await inProcessBest(big.path, 4, 1);
    [wSmall, tSmall, wBig, tBig] = [Math.min(wSmall, ws), Math.min(tSmall, cs), Math.min(wBig, wb), Math.min(tBig, cb)];
    ctx.log(
      `  linearity round ${r + 1}: CPU 1M ${cs.toFixed(3)} s, 10M ${cb.toFixed(3)} s; wall ${ws.toFixed(3)} / ${wb.toFixed(3)} s`,
    );
  }
  const records = big.records / small.records;
  const scale = tBig / tSmall / records;
  return [
    {
      goal: "linear cost",
      measure: `in-process decode+analyze CPU, ${(big.records / 1e6).toFixed(1)}M vs ${(small.records / 1e6).toFixed(1)}M records`,
      value: tBig,
      unit: "s",
      baseline: { name: "1M", value: tSmall, unit: "s" },
      ratio: scale,
      target: "t10M / (10 × t1M) in 0.9–1.1",
      status: scale >= 0.9 && scale <= 1.1 ? "PASS" : "FAIL",
      note: `CPU per record ${((tBig / big.records) * 1e9).toFixed(0)} vs ${((tSmall / small.records) * 1e9).toFixed(0)} ns; wall ratio ${(wBig / wSmall / records).toFixed(2)}`,
    },
  ];
}
