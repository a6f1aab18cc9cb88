import { rmSync } from "node:fs";
import { join } from "node:path";
import { blkparseText, CACHE_DIR, ROOT, repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved, runProcess } from "../processRun.js";
import { atLeast, type BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";
import { contract, expectedFor, seedExpected } from "./expected.js";

/**
 * Replay speed, both as whole processes from start to exit, interleaved,
 * best of N: `blkrx analyze` on a ≥5M-record binary trace (1M with --quick)
 * against `blkparse -q -i - -o /dev/null`; `blkrx analyze` on the blkparse
 * text of the same trace against blkparse producing that text and against
 * bench/baseline_regex.py. Checks every summary against the expected one.
 *
 * @example const rows = await replayGoals({ quick: true, log: console.error });
 */
export async function replayGoals(ctx: BenchContext): Promise<BenchRow[]> {
  const trace = repeatedTrace(repeatsFor(ctx.quick ? 1e6 : 5e6));
  ctx.log(`replay: ${trace.records} records (${trace.path}); making its blkparse text if not cached`);
  const text = blkparseText(trace);
  const textOut = join(CACHE_DIR, `blkparse-out-${process.pid}.txt`);
  const flags = [...SEED_FLAGS, "--no-db", "--json"];
  const two = JSON.parse((await runProcess(blkrxCommand(["analyze", repeatedTrace(2).path, ...flags]))).stdout);
  const expected = contract(expectedFor(trace.repeats, seedExpected(), two));
  const slow = ctx.quick ? 1 : 2;
  const best = await interleaved(
    {
      blkrxBinary: blkrxCommand(["analyze", trace.path, ...flags]),
      blkparseDecode: { cmd: "blkparse", args: ["-q", "-i", "-", "-o", "/dev/null"], stdinFile: trace.path },
      blkrxText: blkrxCommand(["analyze", text, ...flags]),
      blkparseText: { cmd: "blkparse", args: ["-q", "-i", "-", "-o", textOut], stdinFile: trace.path },
      python: {
        cmd: "python3",
        args: [join(ROOT, "bench", "baseline_regex.py"), text, ...SEED_FLAGS],
      },
    },
    {
      blkrxBinary: ctx.quick ? 3 : 5,
      blkparseDecode: slow,
      blkrxText: ctx.quick ? 2 : 3,
      blkparseText: slow,
      python: slow,
    },
    ctx.log,
  );
  rmSync(textOut, { force: true });
  const b = best as Record<
    "blkrxBinary" | "blkparseDecode" | "blkrxText" | "blkparseText" | "python",
    (typeof best)[string]
  >;
  const n = trace.records;
  const size = `${n.toLocaleString("en")} records`;
  const binOk = contract(JSON.parse(b.blkrxBinary.stdout)) === expected;
  const textOk = contract(JSON.parse(b.blkrxText.stdout)) === expected;
  const pyOk = contract(JSON.parse(b.python.stdout)) === expected;
  const rate = (s: number) => n / s;
  return [
    atLeast(
      {
        goal: "binary replay",
        measure: `analyze binary, ${size}, wall`,
        value: b.blkrxBinary.wallS,
        unit: "s",
        baseline: { name: "blkparse -o /dev/null", value: b.blkparseDecode.wallS, unit: "s" },
        target: "",
      },
      b.blkparseDecode.wallS / b.blkrxBinary.wallS,
      20,
    ),
    {
      goal: "binary replay",
      measure: "same, CPU time (user+sys)",
      value: b.blkrxBinary.cpuS,
      unit: "s",
      baseline: { name: "blkparse", value: b.blkparseDecode.cpuS, unit: "s" },
      ratio: b.blkparseDecode.cpuS / b.blkrxBinary.cpuS,
      target: "(info)",
      status: "INFO",
    },
    atLeast(
      {
        goal: "binary replay",
        measure: "analyze binary, events/s (foundation)",
        value: rate(b.blkrxBinary.wallS),
        unit: "ev/s",
        baseline: { name: "blkparse decode", value: rate(b.blkparseDecode.wallS), unit: "ev/s" },
        target: "≥ 5× on ≥ 1M",
      },
      b.blkparseDecode.wallS / b.blkrxBinary.wallS,
      5,
    ),
    {
      goal: "text replay",
      measure: "analyze blkparse text, events/s",
      value: rate(b.blkrxText.wallS),
      unit: "ev/s",
      baseline: { name: "blkparse decode", value: rate(b.blkparseDecode.wallS), unit: "ev/s" },
      ratio: b.blkparseDecode.wallS / b.blkrxText.wallS,
      target: "(info)",
      status: "INFO",
    },
    atLeast(
      {
        goal: "text replay",
        measure: `analyze blkparse text (${size}), wall`,
        value: b.blkrxText.wallS,
        unit: "s",
        baseline: { name: "blkparse -o FILE", value: b.blkparseText.wallS, unit: "s" },
        target: "",
      },
      b.blkparseText.wallS / b.blkrxText.wallS,
      5,
    ),
    atLeast(
      {
        goal: "text replay",
        measure: "same text vs Python regex script",
        value: b.blkrxText.wallS,
        unit: "s",
        baseline: { name: "baseline_regex.py", value: b.python.wallS, unit: "s" },
        target: "",
      },
      b.python.wallS / b.blkrxText.wallS,
      20,
    ),
    {
      goal: "replay check",
      measure: `summaries = expected (${trace.repeats} × seed)`,
      value: null,
      unit: "",
      target: "binary, text, python equal",
      status: binOk && textOk && pyOk ? "PASS" : "FAIL",
      ...(binOk && textOk && pyOk ? {} : { note: `binary ${binOk}, text ${textOk}, python ${pyOk}` }),
    },
  ];
}
