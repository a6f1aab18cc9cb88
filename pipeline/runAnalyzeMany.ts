import { analysisSettings } from "../model/analysisSettings.js";
import { InputError } from "../model/errors.js";
import { type RunsTableRow, renderRunsTable } from "../sinks/runsTable.js";
import { analyzeMany, expandInputs, type RunOutcome, type RunSettings } from "./analyzeMany.js";
import { openManyRunStore } from "./analyzeManyStore.js";
import type { AnalyzeManyCliOptions } from "./commands/analyzeMany.js";
import { deviceOfOption } from "./deviceOption.js";
import { fileMapFromOptions } from "./fileMapFromOptions.js";

/**
 * The `blkrx analyze-many` command: expand the inputs, analyze them on
 * `--jobs` workers and print each outcome in input order as soon as it and
 * all before it are done (NDJSON with --json, else a table at the end).
 * Failed inputs print their error and make the exit code 1. With --db each
 * run is stored as it arrives (see {@link openManyRunStore}) and its JSON line has its `runId`.
 *
 * @example await runAnalyzeMany(["traces/"], { ...DEFAULT_ANALYSIS_SETTINGS, json: true, jobs: 2 });
 */
export async function runAnalyzeMany(inputs: string[], options: AnalyzeManyCliOptions): Promise<RunOutcome[]> {
  const fileMap = await fileMapFromOptions(options);
  const device = options.device !== undefined ? deviceOfOption(options.device) : undefined;
  const settings: RunSettings = {
    ...analysisSettings(options),
    ...(fileMap ? { fileMap } : {}),
    ...(options.format ? { format: options.format } : {}),
    ...(options.lenient ? { lenient: true } : {}),
    ...(device !== undefined && options.device !== undefined ? { device, deviceAsTyped: options.device } : {}),
    ...(options.splitBy === "device" ? { splitByDevice: true } : {}),
  };
  const runs = await expandInputs(inputs);
  if (runs.length === 0) throw new InputError(`${inputs.join(" ")}: no trace files found`);
  const store = options.db !== undefined ? await openManyRunStore(options.db, settings) : undefined;
  const outcomes: RunOutcome[] = [];
  for await (const outcome of analyzeMany(runs, settings, options.jobs !== undefined ? { jobs: options.jobs } : {})) {
    outcomes.push(outcome);
    if ("error" in outcome) {
      process.stderr.write(`blkrx: ${outcome.error}\n`);
      process.exitCode = 1;
    } else if (outcome.note !== undefined) process.stderr.write(`blkrx: ${outcome.input}: ${outcome.note}\n`);
    const runId = "summary" in outcome ? await store?.add(outcome) : undefined;
    if (options.json) {
      const line =
        "summary" in outcome
          ? {
              input: outcome.input,
              ...(outcome.device !== undefined ? { device: outcome.device } : {}),
              ...outcome.summary,
              ...(runId !== undefined ? { runId } : {}),
            }
          : outcome;
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
  if (store && options.db !== undefined) process.stderr.write(`blkrx: ${storedRuns(store.runIds, options.db)}\n`);
  if (!options.json) process.stdout.write(renderRunsTable(outcomes.map(tableRow)));
  return outcomes;
}

/** "stored runs 4-6 in runs.duckdb" (ids of one batch are consecutive unless another process stored runs meanwhile). */
function storedRuns(ids: readonly number[], db: string): string {
  if (ids.length === 0) return `stored no runs in ${db} (every input failed)`;
  if (ids.length === 1) return `stored run ${ids[0]} in ${db}`;
  const first = ids[0] as number;
  const last = ids[ids.length - 1] as number;
  const consecutive = last - first === ids.length - 1;
  return `stored ${ids.length} runs in ${db}: ${consecutive ? `${first}-${last}` : ids.join(", ")}`;
}

/** A run's table row, named by its input (and device, when split by device). */
function tableRow(outcome: RunOutcome): RunsTableRow {
  if ("error" in outcome) return { name: outcome.input, error: outcome.error };
  const name = outcome.device !== undefined ? `${outcome.input} ${outcome.device}` : outcome.input;
  return { name, summary: outcome.summary };
}
