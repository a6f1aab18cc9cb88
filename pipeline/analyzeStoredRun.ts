import { firstValueFrom, forkJoin, share } from "rxjs";
import { InputError } from "../model/errors.js";
import type { Summary } from "../model/summary.js";
import { summarize } from "../operators/summarize.js";
import { analyzeEvents } from "./analyze.js";
import type { AnalyzeCliOptions } from "./commands/analyze.js";
import { latencyOf, printSummary } from "./runAnalyze.js";
import { type StoredRun, storedEvents, withStoredRun } from "./storedRun.js";

/**
 * `blkrx analyze --run ID`: analyze a stored run again, with the selection,
 * file range and gap thresholds it was stored with, and print the summary
 * as `analyze` of the trace printed it (`--json`: the same numbers). Nothing
 * is stored: the store is opened read-only. `--latency` needs the run's raw
 * events (run, live, or analyze --raw).
 *
 * @example await analyzeStoredRun(3, { ...DEFAULT_ANALYSIS_SETTINGS, db: "blkrx.duckdb", json: true });
 */
export async function analyzeStoredRun(id: number, options: AnalyzeCliOptions): Promise<Summary> {
  const db = options.db === false ? "./blkrx.duckdb" : options.db;
  const { summary, label } = await withStoredRun(db, id, async (store, run) => {
    if (options.latency && !run.hasRaw)
      throw new InputError(
        `Cannot follow request latency in run ${id}: it was stored without raw events (store it with analyze --raw, run or live)`,
      );
    const analysis = storedAnalysis(run);
    const events = storedEvents(store, run);
    const summarized = (source: typeof events) =>
      source.pipe(analyzeEvents(analysis), summarize(run.fileMap ? { fileMap: run.fileMap } : {}));
    let result: Summary;
    if (options.latency) {
      const by = options.latency === true ? "device" : options.latency;
      const shared = events.pipe(share());
      const [s, latency] = await firstValueFrom(
        forkJoin([summarized(shared), shared.pipe(latencyOf(run.fileMap, by, undefined, undefined))]),
      );
      result = { ...s, latency };
    } else {
      result = await firstValueFrom(summarized(events));
    }
    return { summary: { ...result, ...countsOf(run) }, label: String(run.params.label ?? `run ${id}`) };
  });
  await printSummary(summary, options, label);
  return summary;
}

/** The analysis options a run was stored with. */
function storedAnalysis(run: StoredRun) {
  return {
    ...run.settings,
    ...(run.fileMap ? { fileMap: run.fileMap } : {}),
  };
}

/** The loss and skip counts stored with the run (not in its events), as the original summary had them. */
function countsOf(run: StoredRun): Pick<Summary, "dropped" | "skipped"> {
  const { dropped, skipped } = run.params;
  return {
    ...(dropped !== null && dropped !== undefined ? { dropped: Number(dropped) } : {}),
    ...(skipped !== null && skipped !== undefined ? { skipped: Number(skipped) } : {}),
  };
}
