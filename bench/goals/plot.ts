import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved } from "../processRun.js";
import type { BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";

/** The plots of the trace's shape (no bio following): what the ≤ 10 s target is about. */
const SHAPE_PLOTS = "offset,coverage,throughput,gaps,sizes,access";

/**
 * Plotting long traces: `blkrx plot` of every trace-shape plot (offset,
 * coverage, throughput, gaps, sizes, access) as PNG on a 10M-record trace,
 * against `analyze --no-db` of the same trace in the same rounds (target
 * ≤ 10 s of the process's CPU time, user + system, best of the rounds: on this
 * shared 2-core host wall time mostly measures other processes; the best wall
 * time is in the note), its peak RSS against the same plots of a
 * 1M-record trace (bounded memory: ≤ 1.5× for 10× the records), and the
 * latency plots against `blkrx latency` (following bios is the cost; the
 * plots should add little: ≤ 1.5× CPU).
 *
 * @example await plotGoals({ quick: true, log: console.error })
 */
export async function plotGoals(ctx: BenchContext): Promise<BenchRow[]> {
  const big = repeatedTrace(repeatsFor(10e6));
  const small = repeatedTrace(repeatsFor(1e6));
  const out = mkdtempSync(join(tmpdir(), "blkrx-bench-plot-"));
  const plot = (trace: string, only: string) =>
    blkrxCommand(["plot", trace, ...SEED_FLAGS, "--only", only, "--format", "png", "--out", join(out, only)]);
  try {
    const runs = ctx.quick ? 1 : 2;
    const best = await interleaved(
      {
        analyze: blkrxCommand(["analyze", big.path, ...SEED_FLAGS, "--no-db", "--json"]),
        plot: plot(big.path, SHAPE_PLOTS),
        plotSmall: plot(small.path, SHAPE_PLOTS),
        latency: blkrxCommand(["latency", big.path, ...SEED_FLAGS, "--json"]),
        latencyPlots: plot(big.path, "latency,latency-time"),
      },
      { analyze: runs, plot: runs, plotSmall: runs, latency: runs, latencyPlots: runs },
      ctx.log,
    );
    const records = `${(big.records / 1e6).toFixed(1)}M records`;
    const p = best.plot;
    const a = best.analyze;
    const s = best.plotSmall;
    const l = best.latency;
    const lp = best.latencyPlots;
    if (!(p && a && s && l && lp)) throw new Error("plot bench: a command did not run");
    const memoryRatio = p.maxRssMB / s.maxRssMB;
    const latencyRatio = lp.cpuS / l.cpuS;
    return [
      {
        goal: "plot",
        measure: `blkrx plot --only ${SHAPE_PLOTS} --format png, ${records}`,
        value: p.cpuS,
        unit: "s CPU",
        baseline: { name: "analyze --no-db", value: a.cpuS, unit: "s CPU" },
        ratio: p.cpuS / a.cpuS,
        target: "≤ 10 s CPU",
        status: p.cpuS <= 10 ? "PASS" : "FAIL",
        note: `best wall ${p.wallS.toFixed(2)} s vs analyze ${a.wallS.toFixed(2)} s (load ${loadavg()[0]?.toFixed(1)})`,
      },
      {
        goal: "plot",
        measure: `peak RSS of the same plots, ${records} vs ${(small.records / 1e6).toFixed(1)}M`,
        value: p.maxRssMB,
        unit: "MB",
        baseline: { name: "1M records", value: s.maxRssMB, unit: "MB" },
        ratio: memoryRatio,
        target: "≤ 1.5× for 10× the records",
        status: memoryRatio <= 1.5 ? "PASS" : "FAIL",
      },
      {
        goal: "plot",
        measure: `blkrx plot --only latency,latency-time, ${records} (CPU)`,
        value: lp.cpuS,
        unit: "s",
        baseline: { name: "blkrx latency", value: l.cpuS, unit: "s" },
        ratio: latencyRatio,
        target: "≤ 1.5× CPU",
        status: latencyRatio <= 1.5 ? "PASS" : "FAIL",
        note: `wall ${lp.wallS.toFixed(2)} s vs ${l.wallS.toFixed(2)} s; peak RSS ${lp.maxRssMB.toFixed(0)} vs ${l.maxRssMB.toFixed(0)} MB`,
      },
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
