import { existsSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved, runProcess } from "../processRun.js";
import type { BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";
import { contract } from "./expected.js";

/** A 291-tensor llama layout (32 layers, Q8_0) about the size of the seed trace's 96 MiB file. */
const MODEL_ARGS = ["--preset", "llama-2-7b", "--embd", "512", "--ff", "1024", "--heads", "8", "--vocab", "4000"];

/**
 * The cost of tensor attribution: `blkrx analyze --gguf M` (analyze +
 * spec v2 tensors/backward over a 291-tensor layout) against plain `blkrx
 * analyze` on the same ≥5M-record trace (1M with --quick), whole processes,
 * interleaved, best of N. Target: at most 25 % more wall time. Also checks
 * that both print the same summary and that the regions' readBytes add up.
 *
 * @example const rows = await ggufGoal({ quick: true, log: console.error });
 */
export async function ggufGoal(ctx: BenchContext): Promise<BenchRow[]> {
  const trace = repeatedTrace(repeatsFor(ctx.quick ? 1e6 : 5e6));
  const model = join(CACHE_DIR, "bench-291-tensors.gguf");
  if (!existsSync(model)) {
    const made = await runProcess(blkrxCommand(["gguf", "synth", "--out", model, ...MODEL_ARGS, "--type", "q8_0"]));
    if (!existsSync(model)) throw new Error(`gguf synth failed: ${made.stdout}`);
  }
  const flags = [...SEED_FLAGS, "--json"];
  const rounds = ctx.quick ? 3 : 5;
  const best = await interleaved(
    {
      analyze: blkrxCommand(["analyze", trace.path, ...flags, "--no-db"]),
      attribute: blkrxCommand(["analyze", trace.path, ...flags, "--no-db", "--gguf", model]),
    },
    { analyze: rounds, attribute: rounds },
    ctx.log,
  );
  const a = best.analyze as (typeof best)[string];
  const t = best.attribute as (typeof best)[string];
  const plain = JSON.parse(a.stdout);
  const attributed = JSON.parse(t.stdout);
  const regions = attributed.tensors as { readBytes: number }[];
  const same =
    contract(plain) === contract(attributed) &&
    regions.length === 294 &&
    regions.reduce((s, r) => s + r.readBytes, 0) === plain.readBytes;
  const ratio = t.wallS / a.wallS;
  const size = `${trace.records.toLocaleString("en")} records`;
  return [
    {
      goal: "gguf attribution",
      measure: `analyze --gguf (291 tensors) vs analyze, ${size}, wall`,
      value: t.wallS,
      unit: "s",
      baseline: { name: "blkrx analyze", value: a.wallS, unit: "s" },
      ratio,
      target: "≤ 1.25×",
      status: ratio <= 1.25 && same ? "PASS" : "FAIL",
      ...(same ? {} : { note: "summaries differ or regions do not add up" }),
    },
    {
      goal: "gguf attribution",
      measure: "same, CPU time (user+sys)",
      value: t.cpuS,
      unit: "s",
      baseline: { name: "blkrx analyze", value: a.cpuS, unit: "s" },
      ratio: t.cpuS / a.cpuS,
      target: "(info)",
      status: "INFO",
    },
  ];
}
