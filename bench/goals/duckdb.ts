import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, ROOT, repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved, runProcess } from "../processRun.js";
import { atLeast, type BenchRow, skipped } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";

const GOAL = "DuckDB store";

function removeDb(path: string): void {
  for (const suffix of ["", ".wal"]) if (existsSync(path + suffix)) rmSync(path + suffix);
}

/**
 * DuckDB run store: ingest rate of analyzed events (in-process, store time
 * only; target ≥ 1M events/s) and the whole-process time of
 * `blkrx analyze --db FRESH` against `--no-db` on the replay trace
 * (target ≤ 2×). SKIPPED when sinks/duckdb/runWriter is not built.
 *
 * @example await duckdbGoals({ quick: true, log: console.error })
 */
export async function duckdbGoals(ctx: BenchContext): Promise<BenchRow[]> {
  if (!existsSync(join(ROOT, "dist", "sinks", "duckdb", "runWriter.js"))) {
    const why = "sinks/duckdb/runWriter.ts is not there (not built)";
    return [skipped(GOAL, "ingest", "≥ 1M ev/s", why), skipped(GOAL, "analyze with / without DB", "≤ 2×", why)];
  }
  // Q events of the whole device: ~1.9M for the 10M-record trace, so the full run ingests ≥ 1M events.
  const ingestTrace = repeatedTrace(repeatsFor(ctx.quick ? 1e6 : 10e6));
  const ingestDb = join(CACHE_DIR, `ingest-${process.pid}.duckdb`);
  let bestRate = 0;
  let events = 0;
  for (let r = 0; r < (ctx.quick ? 1 : 3); r++) {
    const s = await runProcess({
      cmd: process.execPath,
      args: [join(ROOT, "dist", "bench", "inprocess.js"), "ingest", ingestTrace.path, ingestDb],
    });
    const m = JSON.parse(s.stdout) as { events: number; eventsPerSecond: number };
    ctx.log(`  ingest round ${r + 1}: ${m.events} events at ${(m.eventsPerSecond / 1e6).toFixed(2)}M ev/s`);
    bestRate = Math.max(bestRate, m.eventsPerSecond);
    events = m.events;
  }
  removeDb(ingestDb);
  const trace = repeatedTrace(repeatsFor(ctx.quick ? 1e6 : 5e6));
  const db = join(CACHE_DIR, `analyze-${process.pid}.duckdb`);
  const best = await interleaved(
    {
      noDb: blkrxCommand(["analyze", trace.path, ...SEED_FLAGS, "--no-db", "--json"]),
      withDb: {
        ...blkrxCommand(["analyze", trace.path, ...SEED_FLAGS, "--db", db, "--json"]),
        before: () => removeDb(db),
      },
    },
    { noDb: ctx.quick ? 2 : 4, withDb: ctx.quick ? 2 : 4 },
    ctx.log,
  );
  removeDb(db);
  const noDb = best.noDb?.wallS ?? Number.NaN;
  const withDb = best.withDb?.wallS ?? Number.NaN;
  const stored = (JSON.parse(best.withDb?.stdout ?? "{}") as { events?: number }).events ?? 0;
  return [
    atLeast(
      {
        goal: GOAL,
        measure: `ingest ${events.toLocaleString("en")} analyzed events (append + commit)`,
        value: bestRate,
        unit: "ev/s",
        target: "≥ 1M ev/s",
      },
      bestRate / 1e6,
      1,
    ),
    {
      goal: GOAL,
      measure: `analyze --db vs --no-db, ${(trace.records / 1e6).toFixed(1)}M records, ${stored.toLocaleString("en")} stored`,
      value: withDb,
      unit: "s",
      baseline: { name: "--no-db", value: noDb, unit: "s" },
      ratio: withDb / noDb,
      target: "≤ 2×",
      status: withDb / noDb <= 2 ? "PASS" : "FAIL",
    },
  ];
}
