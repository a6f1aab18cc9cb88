import { rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SEED_FLAGS } from "../inputs.js";
import { msrInput } from "../msrInput.js";
import { interleaved } from "../processRun.js";
import { atLeast, type BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";
import { contract } from "./expected.js";

const GiB = 1024 ** 3;

/**
 * Public dataset scale: `blkrx analyze` of a 2 GiB MSR Cambridge CSV
 * (generated from the seed trace's D events, 100 MiB with --quick) against
 * bench/baseline_msr.py (Python's csv module computing the same summary),
 * interleaved, best of N, as whole processes; peak RSS of the analyze.
 * Both summaries must agree. The input is deleted afterwards unless
 * BLKRX_BENCH_KEEP is set (it is 2 GiB).
 *
 * @example const rows = await datasetGoals({ quick: true, log: console.error });
 */
export async function datasetGoals(ctx: BenchContext): Promise<BenchRow[]> {
  const csv = await msrInput(ctx.quick ? 100 * 1024 ** 2 : 2 * GiB);
  const size = `${(csv.bytes / GiB).toFixed(2)} GiB, ${(csv.records / 1e6).toFixed(1)}M records`;
  ctx.log(`datasets: MSR CSV ${csv.path} (${size})`);
  try {
    const best = await interleaved(
      {
        blkrx: blkrxCommand(["analyze", csv.path, ...SEED_FLAGS, "--no-db", "--json"]),
        python: { cmd: "python3", args: [join(ROOT, "bench", "baseline_msr.py"), csv.path, ...SEED_FLAGS] },
      },
      { blkrx: 2, python: 1 },
      ctx.log,
    );
    const b = best.blkrx;
    const p = best.python;
    if (!b || !p) throw new Error("datasets: a command did not run");
    const same = contract(JSON.parse(b.stdout)) === contract(JSON.parse(p.stdout));
    const note = same ? "summaries equal" : `summaries differ: blkrx ${b.stdout.trim()} python ${p.stdout.trim()}`;
    const speed = atLeast(
      {
        goal: "datasets",
        measure: `analyze MSR CSV, ${size}, wall`,
        value: b.wallS,
        unit: "s",
        baseline: { name: "python csv (baseline_msr.py)", value: p.wallS, unit: "s" },
        target: "",
        note,
      },
      p.wallS / b.wallS,
      5,
    );
    return [
      same ? speed : { ...speed, status: "FAIL" },
      {
        goal: "datasets",
        measure: `peak RSS, analyze MSR CSV ${size}`,
        value: b.maxRssMB,
        unit: "MB",
        target: "≤ 150 MB",
        status: b.maxRssMB <= 150 ? "PASS" : "FAIL",
      },
    ];
  } finally {
    if (!process.env.BLKRX_BENCH_KEEP) rmSync(csv.path, { force: true });
  }
}
