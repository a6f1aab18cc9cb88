import { type AnalysisSettings, analysisSettings } from "../../model/analysisSettings.js";
import { InputError } from "../../model/errors.js";
import type { TracerChoice } from "../../sources/liveSource.js";
import { type ExperimentOptions, runExperiment } from "./runExperiment.js";
import { renderStudyRow } from "./studyRow.js";

/** Options of `blkrx run` as commander parses them: the experiment's, with the marker as typed and the buffer in KiB. */
export interface RunCliOptions
  extends AnalysisSettings,
    Pick<
      ExperimentOptions,
      "file" | "device" | "label" | "dropCaches" | "memLimit" | "lock" | "tokens" | "kernelFilter" | "db" | "saveTrace"
    > {
  json?: boolean;
  phaseMarker?: string;
  phaseAt?: number[];
  tracer: TracerChoice;
  bufferSize?: number;
  verbose?: boolean;
}

/**
 * The `blkrx run` command: run the experiment, print the study's row (or,
 * with --json, exactly one JSON object on stdout: the summary plus run
 * metrics). Exit code 130 when interrupted, else the workload's when it failed.
 *
 * @example await runCommand(["python3", "w.py"], { ...DEFAULT_ANALYSIS_SETTINGS, file: "/mnt/f", tracer: "auto", db: false }, true);
 */
export async function runCommand(command: string[], options: RunCliOptions, dbIsDefault: boolean): Promise<void> {
  if (command.length === 0) throw new InputError("blkrx run needs a command after --");
  if (options.memLimit !== undefined && options.lock !== undefined) {
    throw new InputError("give either --mem-limit or --lock, not both");
  }
  const marker = options.phaseMarker === undefined ? undefined : compileMarker(options.phaseMarker);
  if (!options.file && !options.device) {
    throw new InputError("blkrx run needs --file PATH (or --device DEV) to know what to trace");
  }
  const result = await runExperiment({
    command,
    commandLine: ["blkrx", ...process.argv.slice(2)].join(" "),
    dbIsDefault,
    db: options.db,
    tracer: options.tracer,
    ...analysisSettings(options),
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.device !== undefined ? { device: options.device } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
    ...(options.dropCaches ? { dropCaches: true } : {}),
    ...(options.memLimit !== undefined ? { memLimit: options.memLimit } : {}),
    ...(options.lock !== undefined ? { lock: options.lock } : {}),
    ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
    ...(marker ? { phaseMarker: marker } : {}),
    ...(options.phaseAt !== undefined ? { phaseAt: options.phaseAt } : {}),
    ...(options.kernelFilter ? { kernelFilter: true } : {}),
    ...(options.saveTrace !== undefined ? { saveTrace: options.saveTrace } : {}),
    ...(options.bufferSize !== undefined ? { bufferKb: options.bufferSize } : {}),
    ...(options.verbose ? { verbose: true } : {}),
  });
  if (result.runId !== undefined) process.stderr.write(`blkrx: stored run ${result.runId} in ${options.db}\n`);
  if (result.interrupted)
    process.stderr.write("blkrx: the run was interrupted; the events traced so far were analyzed\n");
  else if (result.exitCode !== 0) process.stderr.write(`blkrx: the workload exited with code ${result.exitCode}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(renderStudyRow(result));
  process.exitCode = result.interrupted ? 130 : result.exitCode;
}

function compileMarker(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error: unknown) {
    throw new InputError(`--phase-marker "${source}" is not a valid regular expression`, { cause: error });
  }
}
