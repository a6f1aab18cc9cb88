import { firstValueFrom, forkJoin, type Observable, type OperatorFunction, pipe, share, tap } from "rxjs";
import { analysisSettings } from "../model/analysisSettings.js";
import type { EventBatch } from "../model/batch.js";
import { newSkipCounter } from "../model/errors.js";
import type { FileMap } from "../model/fileMap.js";
import type { LatencyGrouping, LatencyReport } from "../model/latency.js";
import type { RequestBatch } from "../model/requests.js";
import type { Summary } from "../model/summary.js";
import type { TensorAttribution } from "../model/tensorAttribution.js";
import { latencySummary } from "../operators/latencySummary.js";
import { requestLifecycle } from "../operators/requestLifecycle.js";
import { sectorRange } from "../operators/sectorRange.js";
import { onDevice, rowsOnDevice, selectionFilter } from "../operators/select.js";
import { describeSelection, SelectionTally, whyNothingKept } from "../operators/selectionTally.js";
import { summarize } from "../operators/summarize.js";
import { TensorAttributionAccumulator } from "../operators/tensorAttribution.js";
import { progressFor } from "../sinks/progress.js";
import { fromTrace } from "../sources/fromTrace.js";
import { readGgufLayout } from "../sources/ggufHeader.js";
import { analyzeEvents } from "./analyze.js";
import type { AnalyzeCliOptions } from "./commands/analyze.js";
import { requireInputsOrRun } from "./commands/options.js";
import { deviceOfOption, requireOneDevice } from "./deviceOption.js";
import { fileMapFromOptions } from "./fileMapFromOptions.js";
import { ggufEndBytes } from "./ggufEndBytes.js";
import { type CliStore, openStoreForCli } from "./openStoreForCli.js";

/**
 * The `blkrx analyze` command: replay, analyze, store, print. With --json
 * stdout holds exactly the summary object; notes go to stderr.
 *
 * @example await runAnalyze(["x.bin"], { ...DEFAULT_ANALYSIS_SETTINGS, db: false, json: true }, false);
 */
export async function runAnalyze(
  inputs: string[],
  options: AnalyzeCliOptions,
  dbIsDefault: boolean,
): Promise<Summary & Partial<TensorAttribution>> {
  requireInputsOrRun("analyze", inputs, options.run);
  if (options.run !== undefined) {
    const { analyzeStoredRun } = await import("./analyzeStoredRun.js");
    return analyzeStoredRun(options.run, options);
  }
  // the GGUF header is read while the extents and the store are opened
  const layoutLoad = options.gguf !== undefined ? readGgufLayout(options.gguf) : undefined;
  layoutLoad?.catch(() => undefined); // awaited below; a failure there is the one reported
  const fileMap = await fileMapFromOptions(options);
  const device = options.device !== undefined ? deviceOfOption(options.device) : undefined;
  const skips = options.lenient ? newSkipCounter() : undefined;
  const warnings: string[] = []; // printed now, and stored with the run
  const note = (message: string) => {
    warnings.push(message);
    process.stderr.write(`blkrx: ${message}\n`);
  };
  const tally = new SelectionTally();
  const analysis = {
    ...analysisSettings(options),
    tally,
    ...(fileMap ? { fileMap } : {}),
    ...(device !== undefined ? { device } : {}),
  };
  const writer = await openStoreForCli(options.db, dbIsDefault, {
    commandLine: ["blkrx", ...process.argv.slice(2)].join(" "),
    source: "file",
    ...(options.label !== undefined ? { label: options.label } : { label: inputs.join(" ") }),
    ...(fileMap ? { fileMap } : {}),
    ...(fileMap?.path ? { filePath: fileMap.path } : {}),
    ...analysisSettings(options),
    ...(options.device !== undefined ? { device: options.device } : {}),
  });
  let summary: Summary & Partial<TensorAttribution>;
  let attribution: TensorAttributionAccumulator | undefined;
  try {
    if (layoutLoad && options.gguf !== undefined) {
      const layout = await layoutLoad;
      attribution = new TensorAttributionAccumulator(layout, ggufEndBytes(layout, options.gguf, fileMap));
    }
  } catch (error: unknown) {
    await writer?.abort();
    throw error;
  }
  const progress = await progressFor(inputs);
  try {
    const events = fromTrace(inputs, {
      ...(options.format ? { format: options.format } : {}),
      ...(skips ? { lenient: skips } : {}),
      // The request lifecycle reads an X (split) record's new sector from its payload, and --raw stores them.
      payloads: (options.latency !== undefined && options.latency !== false) || options.raw === true,
      onRead: progress.read,
      note,
      // Without latency or raw storage, only the selected records are ever copied out of the decoder.
      ...(options.latency || options.raw
        ? {}
        : { keep: selectionFilter({ action: options.action, rw: options.rw, tally }) }),
    });
    const raw = options.raw ? writer : undefined;
    // With --device, the stored raw events are that device's, so sql/summary.sql over them gives this summary.
    const stored = (batch: EventBatch): EventBatch => (device === undefined ? batch : rowsOnDevice(batch, device));
    const trace = raw ? events.pipe(tap((batch) => raw.appendRaw(stored(batch)))) : events;
    const summarized = (source: Observable<EventBatch>) =>
      source.pipe(
        analyzeEvents(analysis),
        tap((batch) => {
          writer?.append(batch);
          attribution?.add(batch);
        }),
        summarize({ ...(fileMap ? { fileMap } : {}), ...(skips ? { skips } : {}) }),
      );
    if (options.latency) {
      const by = options.latency === true ? "device" : options.latency;
      const shared = trace.pipe(share());
      const [s, latency] = await firstValueFrom(
        forkJoin([summarized(shared), shared.pipe(latencyOf(fileMap, by, writer, device))]),
      );
      summary = { ...s, latency };
    } else {
      summary = await firstValueFrom(summarized(trace));
    }
    requireOneDevice(tally, {
      inputs: inputs.join(" "),
      inFile: fileMap !== undefined,
      what: describeSelection(options.action, options.rw),
      ...(options.device !== undefined ? { device: options.device } : {}),
    });
    if (attribution) summary = { ...summary, ...attribution.result() };
  } catch (error: unknown) {
    await writer?.abort();
    throw error;
  } finally {
    progress.stop();
  }
  const tensors =
    summary.tensors && summary.backward ? { tensors: { tensors: summary.tensors, backward: summary.backward } } : {};
  const runId = await writer?.commit(summary, { ...(skips ? { skipped: skips.skipped } : {}), warnings, ...tensors });
  if (runId !== undefined) process.stderr.write(`blkrx: stored run ${runId} in ${options.db}\n`);
  if (skips && skips.skipped > 0) {
    process.stderr.write(`blkrx: skipped ${skips.skipped} damaged record(s), e.g. ${skips.reasons.join("; ")}\n`);
  }
  const why = whyNothingKept(tally, summary.events, {
    action: options.action,
    rw: options.rw,
    inFile: fileMap !== undefined,
    ...(options.device !== undefined ? { device: options.device } : {}),
  });
  if (why) process.stderr.write(`blkrx: ${why}\n`);
  await printSummary(summary, options, options.label ?? inputs.join(" "), runId);
  return summary;
}

/**
 * Print an analyze summary as `--json` asks (exactly the object, plus `runId`
 * when this command stored the run) or as the tables (summary, then GGUF
 * attribution and latency when present).
 *
 * @example await printSummary(summary, { json: true }, "x.bin", 3);
 */
export async function printSummary(
  summary: Summary & Partial<TensorAttribution>,
  options: Pick<AnalyzeCliOptions, "json" | "top">,
  label: string,
  runId?: number,
): Promise<void> {
  // The stored run's id is the one extra key (absent with --no-db): a script can query the store for the run it made.
  if (options.json) process.stdout.write(`${JSON.stringify(runId === undefined ? summary : { ...summary, runId })}\n`);
  else {
    const { renderSummary } = await import("../sinks/summaryTable.js"); // cli-table3 only when a table is printed
    process.stdout.write(renderSummary(summary, label));
    if (summary.tensors && summary.backward) {
      const { renderAttribution } = await import("../sinks/gguf/attributionTables.js");
      process.stdout.write(
        renderAttribution({ tensors: summary.tensors, backward: summary.backward }, { top: options.top ?? 10 }),
      );
    }
    if (summary.latency) {
      const { renderLatency } = await import("../sinks/latencyTable.js");
      process.stdout.write(renderLatency(summary.latency));
    }
  }
}

/** The latency branch of `analyze --latency`: requests of the device and within the file range (if any), summarized by group. */
export function latencyOf(
  fileMap: FileMap | undefined,
  by: LatencyGrouping,
  store: CliStore | undefined,
  device: number | undefined,
): OperatorFunction<EventBatch, LatencyReport> {
  const requests = pipe(
    requestLifecycle(),
    tap((batch: RequestBatch) => store?.appendRequests(batch)),
    latencySummary({ by }),
  );
  const inRange = fileMap ? pipe(sectorRange(fileMap), requests) : requests;
  return device !== undefined ? pipe(onDevice(device), inRange) : inRange;
}
