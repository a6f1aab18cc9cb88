import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, ROOT, repeatedTrace, repeatsFor } from "../inputs.js";
import { runProcess } from "../processRun.js";
import { atLeast, type BenchRow, skipped } from "../report.js";
import type { BenchContext } from "./context.js";

const GOAL = "DuckDB store";

function removeDb(path: string): void {
  for (const suffix of ["", ".wal"]) if (existsSync(path + suffix)) rmSync(path + suffix);
}

/**
 * DuckDB run store: ingest rate of analyzed events (in-process, store time
 * only; target ≥ 1M events/s). What the store costs a whole `analyze` is
 * the `store` goal (goals/store.ts). SKIPPED when sinks/duckdb/runWriter is
 * not built.
 *
 * @example await duckdbGoals({ quick: true, log: console.error })
 */
export async function duckdbGoals(ctx: BenchContext): Promise<BenchRow[]> {
  if (!existsSync(join(ROOT, "dist", "sinks", "duckdb", "runWriter.js"))) {
    const why = "sinks/duckdb/runWriter.ts is not there (not built)";
    return [skipped(GOAL, "ingest", "≥ 1M ev/s", why)];
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
  ];
}
