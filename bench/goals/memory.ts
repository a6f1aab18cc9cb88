import { join } from "node:path";
import { ROOT, repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved, runProcess } from "../processRun.js";
import type { BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";

const MB = 1024 * 1024;

/**
 * Memory: peak RSS of `blkrx analyze` on a 10M-record trace read from a
 * file and streamed on stdin (target ≤ 150 MB), and the dedup structure's
 * memory after 1M random 4 KiB reads over a 1 TB range (target < 10 MB,
 * measured as the heap + ArrayBuffer delta with --expose-gc).
 *
 * @example await memoryGoals({ quick: true, log: console.error })
 */
export async function memoryGoals(ctx: BenchContext): Promise<BenchRow[]> {
  const big = repeatedTrace(repeatsFor(10e6));
  const flags = [...SEED_FLAGS, "--no-db", "--json"];
  const best = await interleaved(
    {
      file: blkrxCommand(["analyze", big.path, ...flags]),
      stdin: blkrxCommand(["analyze", "-", ...flags], big.path),
    },
    { file: ctx.quick ? 1 : 2, stdin: ctx.quick ? 1 : 2 },
    ctx.log,
  );
  const rows: BenchRow[] = (["file", "stdin"] as const).map((how) => {
    const rss = best[how]?.maxRssMB ?? Number.NaN;
    return {
      goal: "memory",
      measure: `peak RSS, analyze ${(big.records / 1e6).toFixed(1)}M records from ${how}`,
      value: rss,
      unit: "MB",
      target: "≤ 150 MB",
      status: rss <= 150 ? "PASS" : "FAIL",
    };
  });
  const reads = 1_000_000;
  const s = await runProcess({
    cmd: process.execPath,
    args: [
      "--expose-gc",
      join(ROOT, "dist", "bench", "inprocess.js"),
      "sectorset",
      String(reads),
      "8",
      String(2 ** 31),
    ],
  });
  const m = JSON.parse(s.stdout) as {
    heapDeltaBytes: number;
    storageBytes: number;
    estimateBytes: number;
    chunks: number;
  };
  rows.push({
    goal: "memory",
    measure: "SectorSet, 1M random 4 KiB reads over 1 TB",
    value: m.heapDeltaBytes / MB,
    unit: "MB",
    target: "< 10 MB",
    status: m.heapDeltaBytes < 10 * MB ? "PASS" : "FAIL",
    note: `storageBytes ${(m.storageBytes / MB).toFixed(1)} MB, estimate ${(m.estimateBytes / MB).toFixed(1)} MB, ${m.chunks} chunks`,
  });
  return rows;
}
