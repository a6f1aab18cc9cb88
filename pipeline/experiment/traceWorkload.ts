import { firstValueFrom, identity, tap } from "rxjs";
import type { AnalysisSettings } from "../../model/analysisSettings.js";
import { InputError } from "../../model/errors.js";
import type { FileMap } from "../../model/fileMap.js";
import type { Summary } from "../../model/summary.js";
import { phasesBy } from "../../operators/phases.js";
import { SelectionTally, whyNothingKept } from "../../operators/selectionTally.js";
import { summarize } from "../../operators/summarize.js";
import { TraceFile } from "../../sinks/traceFile.js";
import { type LiveStats, newLiveStats } from "../../sources/liveFraming.js";
import { liveTrace } from "../../sources/liveSource.js";
import { analyzeEvents } from "../analyze.js";
import { lbaWindow, maxRequestSectors, type TraceTarget } from "../device.js";
import type { CliStore } from "../openStoreForCli.js";
import type { MemoryCgroup } from "./cgroup.js";
import { keepRawRecords } from "./keepRawRecords.js";
import { announceReady, watchDrops } from "./liveNotices.js";
import { readCachedBytes } from "./memorySampling.js";
import { PhaseClock } from "./phaseClock.js";
import { PhaseSummaries } from "./phaseSummaries.js";
import type { ExperimentOptions } from "./runExperiment.js";
import { runWorkload, type WorkloadRun } from "./workload.js";

/** The run's summary and what was measured around the workload. */
export interface Traced {
  summary: Summary;
  stats: LiveStats;
  run: WorkloadRun;
  cachedBefore: number;
  cachedAfter: number;
}

/**
 * Trace while the workload runs, streaming: each batch is stored raw (and
 * saved with --save-trace), given its phase, analyzed, stored and folded
 * into the summaries as it arrives, so memory stays flat however long the
 * run. The workload starts once the tracer is armed (the "ready" line).
 * SIGINT/SIGTERM stop the workload; the trace then ends normally.
 */
export async function traceWorkload(
  options: ExperimentOptions,
  target: TraceTarget,
  fileMap: FileMap | undefined,
  cgroup: MemoryCgroup | undefined,
  marker: RegExp | undefined,
  analysis: AnalysisSettings,
  writer: CliStore | undefined,
): Promise<Traced> {
  const stats = newLiveStats();
  const cachedBefore = readCachedBytes();
  const split = marker !== undefined || (options.phaseAt?.length ?? 0) > 0;
  const clock = split ? new PhaseClock(stats, options.phaseAt ?? [], marker ? "start" : "phase 0") : undefined;
  const perPhase = split ? new PhaseSummaries(fileMap) : undefined;
  const saved = options.saveTrace !== undefined ? new TraceFile(options.saveTrace) : undefined;
  let workload: ReturnType<typeof runWorkload> | undefined;
  let interrupted = false;
  let signals = 0;
  let releaseEarly: () => void = () => {};
  const early = new Promise<void>((resolve) => {
    releaseEarly = resolve;
  });
  const onSignal = (): void => {
    interrupted = true;
    signals++;
    if (workload) workload.interrupt(signals > 1);
    else releaseEarly();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stopWatching = watchDrops(stats);
  let finished: Promise<WorkloadRun> | undefined;
  let summary: Summary;
  const tally = new SelectionTally();
  try {
    const lba =
      options.kernelFilter && fileMap ? { lba: lbaWindow(fileMap, maxRequestSectors(target.disk)) } : undefined;
    let stopTracing: () => void = () => {};
    const stop = new Promise<void>((resolve) => {
      stopTracing = resolve;
    });
    void early.then(stopTracing);
    const source = liveTrace({
      device: target.disk,
      tracer: options.tracer ?? "auto",
      stats,
      stop,
      signals: false,
      ...(options.verbose ? { verbose: true } : {}),
      ...(options.bufferKb !== undefined ? { bufferKb: options.bufferKb } : {}),
      ...(lba ?? {}),
      ...(writer ? { backpressure: writer } : {}),
      onStart: () => {
        announceReady(target.disk, stats);
        if (interrupted) return;
        const [cmd = "", ...args] = options.command;
        const [file, argv] = cgroup ? cgroup.wrap(cmd, args) : [cmd, args];
        workload = runWorkload(file, argv, {
          ...(marker ? { marker, onMarker: (ns: number, line: string) => clock?.mark(ns, line) } : {}),
          echo: options.echo ?? process.stderr,
        });
        clock?.start(workload.startNs);
        finished = workload.done;
        void finished.then(stopTracing, stopTracing);
      },
    });
    summary = await firstValueFrom(
      source.pipe(
        keepRawRecords(stats, writer, saved),
        clock ? phasesBy((t) => clock.phaseOf(t)) : identity,
        analyzeEvents({ ...analysis, tally, ...(fileMap ? { fileMap } : {}) }),
        tap((b) => {
          writer?.append(b);
          perPhase?.add(b);
        }),
        summarize(fileMap ? { fileMap } : {}),
      ),
    );
  } catch (error: unknown) {
    await writer?.abort();
    throw error;
  } finally {
    stopWatching();
    saved?.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (!finished) {
    await writer?.abort();
    throw new InputError("the run was interrupted before the workload started");
  }
  const run = await finished;
  run.interrupted ||= interrupted;
  if (perPhase && clock) summary.phases = perPhase.result(clock.phaseNames(), clock.startsNs());
  const why = whyNothingKept(tally, summary.events, { ...analysis, inFile: fileMap !== undefined });
  if (why) (options.note ?? ((m: string) => process.stderr.write(`blkrx: ${m}\n`)))(why);
  return { summary, stats, run, cachedBefore, cachedAfter: readCachedBytes() };
}
