import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CACHE_DIR, repeatedTrace, repeatsFor, SEED_FLAGS } from "../inputs.js";
import { interleaved } from "../processRun.js";
import type { BenchRow } from "../report.js";
import { type BenchContext, blkrxCommand } from "./context.js";

const GOAL = "store cost";
/** Targets of issue 13 item 6: the default analyze (store on) within 1.25× of --no-db, at most 150 MB. */
const MAX_RATIO = 1.25;
const MAX_RSS_MB = 150;
/** A process that only loads DuckDB and stores an empty run (bench/storeFloor.ts). */
const STORE_FLOOR = fileURLToPath(new URL("../storeFloor.js", import.meta.url));

/**
 * What the run store costs the default `blkrx analyze` (no `--db`: the store
 * is ./blkrx.duckdb in the working directory, removed before each run) on
 * the 5M-record bench trace, against `--no-db` in the same rounds
 * (interleaved, best wall time of each, largest peak RSS): wall-time ratio
 * (target ≤ 1.25×) and peak RSS (target ≤ 150 MB). CPU seconds go in the
 * notes: on a shared machine they move less than wall time. An INFO row
 * times `--no-db` while a second process does only the store's fixed part
 * (load DuckDB, create the store, commit an empty run): the least any
 * DuckDB store costs the analysis on this machine.
 *
 * @example await storeGoals({ quick: true, log: console.error })
 */
export async function storeGoals(ctx: BenchContext): Promise<BenchRow[]> {
  const trace = repeatedTrace(repeatsFor(ctx.quick ? 1e6 : 5e6));
  const cwd = mkdtempSync(join(CACHE_DIR, "store-"));
  const db = join(cwd, "blkrx.duckdb");
  const args = ["analyze", trace.path, ...SEED_FLAGS, "--json"];
  const rounds = ctx.quick ? 2 : 5;
  const noDbCommand = blkrxCommand([...args, "--no-db"]);
  // `node storeFloor.js DIR & blkrx analyze … --no-db; wait`, timed as one command.
  const floorThenAnalyze = 'node "$1" "$2" & shift 2; "$@"; status=$?; wait; exit $status';
  try {
    const best = await interleaved(
      {
        noDb: noDbCommand,
        store: {
          ...blkrxCommand(args),
          cwd,
          before: () => {
            for (const suffix of ["", ".wal"]) if (existsSync(db + suffix)) rmSync(db + suffix);
          },
        },
        besideFloor: {
          cmd: "bash",
          args: ["-c", floorThenAnalyze, "bash", STORE_FLOOR, cwd, noDbCommand.cmd, ...noDbCommand.args],
          before: () => {
            for (const suffix of ["", ".wal"]) rmSync(join(cwd, `floor.duckdb${suffix}`), { force: true });
          },
        },
      },
      { noDb: rounds, store: rounds, besideFloor: rounds },
      ctx.log,
    );
    const { noDb, store, besideFloor } = best;
    if (!noDb || !store || !besideFloor) throw new Error("store goal: a command did not run");
    const stored = (JSON.parse(store.stdout) as { events?: number }).events ?? 0;
    const what = `default analyze (store on), ${(trace.records / 1e6).toFixed(1)}M records, ${stored.toLocaleString("en")} stored`;
    const ratio = store.wallS / noDb.wallS;
    const rssRatio = store.maxRssMB / noDb.maxRssMB;
    const cpu = `CPU ${store.cpuS.toFixed(2)} s vs ${noDb.cpuS.toFixed(2)} s, best of ${rounds}`;
    return [
      {
        goal: GOAL,
        measure: `${what}: wall time`,
        value: store.wallS,
        unit: "s",
        baseline: { name: "--no-db", value: noDb.wallS, unit: "s" },
        ratio,
        target: `≤ ${MAX_RATIO}×`,
        status: ratio <= MAX_RATIO ? "PASS" : "FAIL",
        note: cpu,
      },
      {
        goal: GOAL,
        measure: `${what}: peak RSS`,
        value: store.maxRssMB,
        unit: "MB",
        baseline: { name: "--no-db", value: noDb.maxRssMB, unit: "MB" },
        ratio: rssRatio,
        target: `≤ ${MAX_RSS_MB} MB`,
        status: store.maxRssMB <= MAX_RSS_MB ? "PASS" : "FAIL",
      },
      {
        goal: GOAL,
        measure: "--no-db while another process only loads DuckDB and stores an empty run (the store's fixed part)",
        value: besideFloor.wallS,
        unit: "s",
        baseline: { name: "--no-db alone", value: noDb.wallS, unit: "s" },
        ratio: besideFloor.wallS / noDb.wallS,
        target: "–",
        status: "INFO",
        note: `CPU of both ${besideFloor.cpuS.toFixed(2)} s; the least any DuckDB store costs here, before one event is stored`,
      },
    ];
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
