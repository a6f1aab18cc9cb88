import { writeFileSync } from "node:fs";
import { execa } from "execa";
import { firstValueFrom, identity, tap } from "rxjs";
import type { ActionLetter } from "../../model/actions.js";
import { InputError } from "../../model/errors.js";
import type { FileMap } from "../../operators/fileMap.js";
import { phasesBy } from "../../operators/phases.js";
import type { Direction } from "../../operators/select.js";
import { SelectionTally, whyNothingKept } from "../../operators/selectionTally.js";
import { summarize } from "../../operators/summarize.js";
import type { Summary } from "../../operators/summaryTypes.js";
import { TraceFile } from "../../sinks/traceFile.js";
import { type LiveStats, newLiveStats } from "../../sources/liveFraming.js";
import { liveTrace, type TracerChoice } from "../../sources/liveSource.js";
import { analyzeEvents } from "../analyze.js";
import { discoverFile, lbaWindow, maxRequestSectors, type TraceTarget, targetOfDeviceName } from "../device.js";
import { type CliStore, LIVE_STORE_MEMORY, openStoreForCli } from "../openStoreForCli.js";
import { peaksLine } from "../ownPeakRss.js";
import { createMemoryCgroup, type MemoryCgroup } from "./cgroup.js";
import { collectEvery, LIVE_COLLECT_ROWS } from "./leanMemory.js";
import { announceReady, watchDrops } from "./liveNotices.js";
import { type RssSample, readCachedBytes } from "./memorySampling.js";
import { type MlockHelper, startMlockHelper } from "./mlockHelper.js";
import { PhaseClock } from "./phaseClock.js";
import { PhaseSummaries } from "./phaseSummaries.js";
import { tokenTiming } from "./tokens.js";
import { runWorkload, type WorkloadRun } from "./workload.js";

/** Options of one experiment run (`blkrx run`). */
export interface ExperimentOptions {
  /** The workload: command and arguments. */
  command: readonly string[];
  /** The file whose reads are measured (extents, device and partition are discovered). */
  file?: string;
  /** Device to trace (default: the disk holding `file`). */
  device?: string;
  label?: string;
  dropCaches?: boolean;
  /** Run the workload in a cgroup with this memory limit (bytes). */
  memLimit?: number;
  /** Lock this many bytes of RAM in a helper process while the workload runs. */
  lock?: number;
  /** Tokens the workload generates (tokens/s = tokens / wall time). */
  tokens?: number;
  /** Split into phases at each output line matching this regular expression. */
  phaseMarker?: string;
  /** Split into phases at these seconds after the workload started. */
  phaseAt?: readonly number[];
  tracer?: TracerChoice;
  /** Use the kernel's start_lba/end_lba filter around the file's sectors. */
  kernelFilter?: boolean;
  action?: ActionLetter;
  rw?: Direction;
  small?: number;
  medium?: number;
  /** DuckDB path, or false for none. */
  db: string | false;
  dbIsDefault?: boolean;
  /** Where a note on an empty result goes ("kept 0 events: ..."). @default process.stderr */
  note?: (message: string) => void;
  /** Write the raw trace here as binary blk_io_trace (blkparse, btt read it). */
  saveTrace?: string;
  /** Kernel trace buffer per CPU, KiB. @default DEFAULT_BUFFER_KB */
  bufferKb?: number;
  /** Print notes that are otherwise said once per boot. */
  verbose?: boolean;
  /** Where the workload's output is echoed. @default process.stderr */
  echo?: NodeJS.WritableStream;
}

/** What a run measured: the summary plus the run metrics stored beside it. */
export interface ExperimentResult extends Summary {
  label: string;
  device: string;
  tracer: string;
  wallSeconds: number;
  exitCode: number;
  interrupted: boolean;
  pageCacheDeltaBytes: number;
  peakRssBytes: number;
  peakRssFileBytes: number;
  peakRssAnonBytes: number;
  tokens?: number;
  tokensPerSecond?: number;
  memLimitBytes?: number;
  lockedBytes?: number;
  runId?: number;
}

/**
 * Run one experiment: discover the file's extents and device, optionally drop
 * caches, start live tracing, run the workload once the tracer is armed
 * (inside a memory-limited cgroup with `memLimit`, or beside an mlock helper
 * with `lock`), sample page cache and the workload's RSS, analyze (with
 * phases when asked) and store the events as they arrive, stop tracing when
 * the workload exits, and resolve to the run's numbers. Memory stays flat
 * whatever the run's length; losses are reported on stderr as they happen. SIGINT or
 * SIGTERM stop the workload early; what was traced so far is still analyzed
 * and stored (`interrupted: true`).
 *
 * @example const r = await runExperiment({ command: ["python3", "w.py"], file: "/mnt/f.bin", dropCaches: true, db: false });
 */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  if (options.command.length === 0) throw new InputError("blkrx run needs a command after --");
  if (options.memLimit !== undefined && options.lock !== undefined) {
    throw new InputError("give either --mem-limit or --lock, not both");
  }
  const marker = options.phaseMarker === undefined ? undefined : compileMarker(options.phaseMarker);
  const { target, fileMap } = await resolveTarget(options);
  const label = options.label ?? options.command.join(" ");
  if (options.dropCaches) await dropCaches();
  let cgroup: MemoryCgroup | undefined;
  let helper: MlockHelper | undefined;
  try {
    if (options.memLimit !== undefined) cgroup = createMemoryCgroup(options.memLimit);
    if (options.lock !== undefined) helper = await startMlockHelper(options.lock);
    const analysis = {
      action: options.action ?? "D",
      rw: options.rw ?? "read",
      small: options.small ?? 256,
      medium: options.medium ?? 2048,
    } as const;
    // Events spill to a file while the workload runs; DuckDB loads only to store them after it (spilledStore.ts).
    const writer = await openStoreForCli(
      options.db,
      options.dbIsDefault ?? false,
      {
        label,
        commandLine: ["blkrx", ...process.argv.slice(2)].join(" "),
        source: "live",
        device: target.disk,
        ...(fileMap ? { fileMap, ...(fileMap.path ? { filePath: fileMap.path } : {}) } : {}),
        ...analysis,
      },
      { memoryLimit: LIVE_STORE_MEMORY, spill: true },
    );
    const traced = await traceWorkload(options, target, fileMap, cgroup, marker, analysis, writer);
    const { run, summary, stats } = traced;
    summary.dropped = stats.dropped;
    const wallSeconds = (run.endNs - run.startNs) / 1e9;
    const timing = tokenTiming({
      ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
      wallSeconds,
      output: run.timingLines.join("\n"),
    });
    const result: ExperimentResult = {
      ...summary,
      label,
      device: target.disk,
      tracer: stats.tracer ?? "none",
      wallSeconds,
      exitCode: run.exitCode,
      interrupted: run.interrupted,
      pageCacheDeltaBytes: traced.cachedAfter - traced.cachedBefore,
      ...peakFields(run.peak),
      ...(timing ? { tokens: timing.tokens, tokensPerSecond: timing.tokensPerSecond } : {}),
      ...(options.memLimit !== undefined ? { memLimitBytes: options.memLimit } : {}),
      ...(options.lock !== undefined ? { lockedBytes: options.lock } : {}),
    };
    if (writer) {
      const runId = await writer.commit(summary, {
        dropped: result.dropped ?? 0,
        wallSeconds,
        pageCacheDeltaBytes: result.pageCacheDeltaBytes,
        peakRssBytes: result.peakRssBytes,
        ...(timing ? { tokens: timing.tokens, tokensPerSecond: timing.tokensPerSecond } : {}),
        ...(options.memLimit !== undefined ? { memLimitBytes: options.memLimit } : {}),
        ...(options.lock !== undefined ? { lockedBytes: options.lock } : {}),
      });
      if (runId !== undefined) result.runId = runId;
    }
    if (options.verbose) process.stderr.write(peaksLine(writer?.writerPeakRssBytes?.()));
    return result;
  } finally {
    cgroup?.remove();
    await helper?.stop();
  }
}

/** The run's summary and what was measured around the workload. */
interface Traced {
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
async function traceWorkload(
  options: ExperimentOptions,
  target: TraceTarget,
  fileMap: FileMap | undefined,
  cgroup: MemoryCgroup | undefined,
  marker: RegExp | undefined,
  analysis: Required<Pick<ExperimentOptions, "action" | "rw" | "small" | "medium">>,
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
        collectEvery(LIVE_COLLECT_ROWS),
        tap((b) => {
          writer?.appendRaw(b);
          saved?.write(b, BigInt(stats.firstRecordNs ?? 1e9));
        }),
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

async function resolveTarget(options: ExperimentOptions): Promise<{ target: TraceTarget; fileMap?: FileMap }> {
  if (options.file) {
    const { target, fileMap } = await discoverFile(options.file, options.device);
    return { target, fileMap };
  }
  if (options.device) return { target: targetOfDeviceName(options.device) };
  throw new InputError("blkrx run needs --file PATH (or --device DEV) to know what to trace");
}

/**
 * Write back dirty pages and drop the page cache, dentries and inodes (`echo 3 > /proc/sys/vm/drop_caches`).
 *
 * @example await dropCaches();
 */
export async function dropCaches(): Promise<void> {
  await execa("sync");
  try {
    writeFileSync("/proc/sys/vm/drop_caches", "3\n");
  } catch (error: unknown) {
    throw new InputError("--drop-caches needs root (cannot write /proc/sys/vm/drop_caches)", { cause: error });
  }
}

function compileMarker(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error: unknown) {
    throw new InputError(`--phase-marker "${source}" is not a valid regular expression`, { cause: error });
  }
}

function peakFields(peak: RssSample): Pick<ExperimentResult, "peakRssBytes" | "peakRssFileBytes" | "peakRssAnonBytes"> {
  return { peakRssBytes: peak.rssBytes, peakRssFileBytes: peak.fileBytes, peakRssAnonBytes: peak.anonBytes };
}
