import { type AnalysisSettings, analysisSettings } from "../../model/analysisSettings.js";
import type { FileMap } from "../../model/fileMap.js";
import type { Summary } from "../../model/summary.js";
import type { TracerChoice } from "../../sources/liveSource.js";
import { discoverFile, type TraceTarget, targetOfDeviceName } from "../device.js";
import { LIVE_STORE_MEMORY, openStoreForCli } from "../openStoreForCli.js";
import { peaksLine } from "../ownPeakRss.js";
import { createMemoryCgroup, type MemoryCgroup } from "./cgroup.js";
import { dropCaches } from "./dropCaches.js";
import type { RssSample } from "./memorySampling.js";
import { type MlockHelper, startMlockHelper } from "./mlockHelper.js";
import { tokenTiming } from "./tokens.js";
import { traceWorkload } from "./traceWorkload.js";

/** Options of one experiment run (`blkrx run`). */
export interface ExperimentOptions extends Partial<AnalysisSettings> {
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
  /** Split into phases at each output line matching this. */
  phaseMarker?: RegExp;
  /** Split into phases at these seconds after the workload started. */
  phaseAt?: readonly number[];
  tracer?: TracerChoice;
  /** Use the kernel's start_lba/end_lba filter around the file's sectors. */
  kernelFilter?: boolean;
  /** DuckDB path, or false for none. */
  db: string | false;
  /** The command line stored with the run. @default the workload's command */
  commandLine?: string;
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
  if (options.command.length === 0) throw new TypeError("Cannot run an experiment: the workload command is empty");
  if (options.memLimit !== undefined && options.lock !== undefined) {
    throw new TypeError("Cannot run an experiment under both a memory limit and locked memory: give memLimit or lock");
  }
  const marker = options.phaseMarker;
  const { target, fileMap } = await resolveTarget(options);
  const label = options.label ?? options.command.join(" ");
  if (options.dropCaches) await dropCaches();
  let cgroup: MemoryCgroup | undefined;
  let helper: MlockHelper | undefined;
  try {
    if (options.memLimit !== undefined) cgroup = createMemoryCgroup(options.memLimit);
    if (options.lock !== undefined) helper = await startMlockHelper(options.lock);
    const analysis = analysisSettings(options);
    // Events spill to a file while the workload runs; DuckDB loads only to store them after it (spilledStore.ts).
    const writer = await openStoreForCli(
      options.db,
      options.dbIsDefault ?? false,
      {
        label,
        commandLine: options.commandLine ?? options.command.join(" "),
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

async function resolveTarget(options: ExperimentOptions): Promise<{ target: TraceTarget; fileMap?: FileMap }> {
  if (options.file) {
    const { target, fileMap } = await discoverFile(options.file, options.device);
    return { target, fileMap };
  }
  if (options.device) return { target: targetOfDeviceName(options.device) };
  throw new TypeError("Cannot run an experiment without knowing what to trace: give a file or a device");
}

function peakFields(peak: RssSample): Pick<ExperimentResult, "peakRssBytes" | "peakRssFileBytes" | "peakRssAnonBytes"> {
  return { peakRssBytes: peak.rssBytes, peakRssFileBytes: peak.fileBytes, peakRssAnonBytes: peak.anonBytes };
}
