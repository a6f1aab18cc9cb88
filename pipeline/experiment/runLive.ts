import type { Readable } from "node:stream";
import { firstValueFrom, fromEvent, identity, merge, Observable, take, takeUntil, tap } from "rxjs";
import { type AnalysisSettings, analysisSettings } from "../../model/analysisSettings.js";
import type { EventBatch } from "../../model/batch.js";
import { InputError, newSkipCounter } from "../../model/errors.js";
import type { FileMap } from "../../model/fileMap.js";
import type { Summary } from "../../model/summary.js";
import { describeSelection, SelectionTally, whyNothingKept } from "../../operators/selectionTally.js";
import { summarize } from "../../operators/summarize.js";
import { renderSummary } from "../../sinks/summaryTable.js";
import { TraceFile } from "../../sinks/traceFile.js";
import { detectFormat, type TraceFormat } from "../../sources/detectFormat.js";
import { fromTrace } from "../../sources/fromTrace.js";
import {
  type Backpressure,
  holdWhileBusy,
  LiveDecoder,
  type LiveStats,
  newLiveStats,
} from "../../sources/liveFraming.js";
import { liveTrace, type TracerChoice } from "../../sources/liveSource.js";
import { requireRoot } from "../../sources/tracefsLive.js";
import { analyzeEvents } from "../analyze.js";
import { discoverFile, lbaWindow, maxRequestSectors, type TraceTarget, targetOfDeviceName } from "../device.js";
import { deviceOfOption, requireOneDevice } from "../deviceOption.js";
import { fileMapFromOptions } from "../fileMapFromOptions.js";
import { LIVE_STORE_MEMORY, openStoreForCli } from "../openStoreForCli.js";
import { peaksLine } from "../ownPeakRss.js";
import { keepRawRecords } from "./keepRawRecords.js";
import { announceReady, watchDrops } from "./liveNotices.js";
import { withLiveView } from "./withLiveView.js";

/** Options of `blkrx live` as commander parses them. */
export interface LiveCliOptions extends AnalysisSettings {
  file?: string;
  device?: string;
  duration?: number;
  extents?: string;
  partitionStart?: number;
  fileSize?: number;
  tracer: TracerChoice;
  kernelFilter?: boolean;
  json?: boolean;
  format?: TraceFormat;
  lenient?: boolean;
  view?: boolean;
  /** True when --view was given on the command line (draw even when stderr is not a terminal). */
  viewGiven?: boolean;
  db: string | false;
  label?: string;
  /** Write the raw trace here as binary blk_io_trace. */
  saveTrace?: string;
  /** Kernel trace buffer per CPU, KiB. */
  bufferSize?: number;
  /** Write this file once the tracer is armed. */
  readyFile?: string;
  verbose?: boolean;
}

/**
 * The `blkrx live` command. Without an input it traces the disk holding
 * `--file` (or `--device`) until `--duration` seconds pass or Ctrl-C; with an
 * input (`-` for a pipe such as `blktrace -d DEV -o -` or `blkparse -i -`) it
 * reads that as records arrive. Either way a status line (events/s, MiB read,
 * unique, coverage, drops) redraws on a terminal, the raw and analyzed
 * events are stored (and the raw trace saved with `saveTrace`) as they
 * arrive, so memory stays flat however long it runs; losses are said on
 * stderr as they happen; then the final summary is printed.
 *
 * @example await runLive(undefined, { ...DEFAULT_ANALYSIS_SETTINGS, device: "loop0", duration: 2, tracer: "auto", db: false }, false);
 */
export async function runLive(
  input: string | undefined,
  options: LiveCliOptions,
  dbIsDefault: boolean,
): Promise<Summary> {
  const stats = newLiveStats();
  const skips = options.lenient ? newSkipCounter() : undefined;
  let fileMap: FileMap | undefined;
  let source: Observable<EventBatch>;
  let target: TraceTarget | undefined;
  // The store is opened below; readers hold while its writer thread catches up.
  const backpressure: Backpressure = {
    busy: () => writer?.busy() ?? false,
    whenFree: () => writer?.whenFree() ?? Promise.resolve(),
  };
  const stopSignal = merge(fromEvent(process, "SIGINT"), fromEvent(process, "SIGTERM")).pipe(take(1));
  if (input !== undefined) {
    fileMap = await fileMapFromOptions(options);
    const binaryPipe = input === "-" && (options.format ?? (await peekFormat(process.stdin))) === "binary";
    source = (
      binaryPipe
        ? binaryStream(process.stdin, stats, backpressure)
        : fromTrace([input], {
            window: 1024,
            ...(options.format ? { format: options.format } : {}),
            ...(skips ? { lenient: skips } : {}),
          })
    ).pipe(takeUntil(stopSignal));
  } else {
    requireRoot();
    if (options.extents) throw new InputError("--extents is for a trace given as input; with live tracing use --file");
    if (options.file) {
      const found = await discoverFile(options.file, options.device);
      target = found.target;
      fileMap = options.fileSize !== undefined ? { ...found.fileMap, fileSize: options.fileSize } : found.fileMap;
    } else if (options.device) {
      target = targetOfDeviceName(options.device);
    } else {
      throw new InputError("blkrx live needs --file PATH or --device DEV (or a trace input such as - for stdin)");
    }
    const duration = options.duration !== undefined ? timer(options.duration * 1000) : undefined;
    const lba = options.kernelFilter && fileMap ? lbaWindow(fileMap, maxRequestSectors(target.disk)) : undefined;
    const disk = target.disk;
    source = liveTrace({
      device: disk,
      tracer: options.tracer,
      stats,
      ...(lba ? { lba } : {}),
      ...(options.bufferSize !== undefined ? { bufferKb: options.bufferSize } : {}),
      ...(options.verbose ? { verbose: true } : {}),
      ...(duration ? { stop: duration.elapsed } : {}),
      backpressure,
      onStart: () => {
        announceReady(disk, stats, options.readyFile);
        duration?.start();
      },
    });
  }
  const analysis = analysisSettings(options);
  // With an input, --device selects that device's events; live tracing already traces only that device.
  const device = input !== undefined && options.device !== undefined ? deviceOfOption(options.device) : undefined;
  const tally = new SelectionTally();
  const writer = await openStoreForCli(
    options.db,
    dbIsDefault,
    {
      label: options.label ?? (target ? `live ${target.disk}` : `live ${input}`),
      commandLine: ["blkrx", ...process.argv.slice(2)].join(" "),
      source: input === undefined ? "live" : "file",
      ...(target ? { device: target.disk } : {}),
      ...(fileMap ? { fileMap, ...(fileMap.path ? { filePath: fileMap.path } : {}) } : {}),
      ...analysis,
    },
    { memoryLimit: LIVE_STORE_MEMORY, spill: true },
  );
  // The events spill to a file while tracing; DuckDB loads only to store them at the end (see spilledStore.ts).
  const saved = options.saveTrace !== undefined ? new TraceFile(options.saveTrace) : undefined;
  const stopWatching = input === undefined ? watchDrops(stats) : () => {};
  let summary: Summary;
  try {
    summary = await firstValueFrom(
      source.pipe(
        keepRawRecords(stats, writer, saved),
        analyzeEvents({
          ...analysis,
          tally,
          ...(fileMap ? { fileMap } : {}),
          ...(device !== undefined ? { device } : {}),
        }),
        options.view === false
          ? identity
          : withLiveView(fileMap, {
              dropped: () => (input === undefined || stats.dropped > 0 ? stats.dropped : undefined),
              always: options.view === true && options.viewGiven === true,
            }),
        tap((b) => writer?.append(b)),
        summarize({ ...(fileMap ? { fileMap } : {}), ...(skips ? { skips } : {}) }),
      ),
    );
  } catch (error: unknown) {
    await writer?.abort();
    throw error;
  } finally {
    stopWatching();
    saved?.close();
  }
  const words = {
    action: options.action,
    rw: options.rw,
    inFile: fileMap !== undefined,
    ...(device !== undefined && options.device !== undefined ? { device: options.device } : {}),
  };
  try {
    if (input !== undefined)
      requireOneDevice(tally, { ...words, inputs: input, what: describeSelection(options.action, options.rw) });
  } catch (error: unknown) {
    await writer?.abort();
    throw error;
  }
  const why = whyNothingKept(tally, summary.events, words);
  if (why) process.stderr.write(`blkrx: ${why}\n`);
  if (input === undefined) summary.dropped = stats.dropped;
  const runId = await writer?.commit(summary, {
    ...(input === undefined ? { dropped: stats.dropped } : {}),
    ...(skips ? { skipped: skips.skipped } : {}),
  });
  if (runId !== undefined) process.stderr.write(`blkrx: stored run ${runId} in ${options.db}\n`);
  if (options.verbose) process.stderr.write(peaksLine(writer?.writerPeakRssBytes?.()));
  // The stored run's id is the one extra key (absent with --no-db): a script can query the store for the run it made.
  if (options.json) process.stdout.write(`${JSON.stringify(runId === undefined ? summary : { ...summary, runId })}\n`);
  else process.stdout.write(renderSummary(summary, options.label ?? (target ? target.disk : String(input))));
  return summary;
}

/** A promise that settles `ms` after `start()` is called (duration counts from when tracing is on). */
function timer(ms: number): { elapsed: Promise<void>; start: () => void } {
  let start: () => void = () => {};
  const elapsed = new Promise<void>((resolve) => {
    start = () => setTimeout(resolve, ms);
  });
  return { elapsed, start };
}

/** Detect the format of a stream from its first chunk, then put the chunk back. */
async function peekFormat(stream: Readable): Promise<TraceFormat | undefined> {
  const chunk = await new Promise<Buffer | null>((resolve) => {
    const onReadable = (): void => {
      const c = stream.read() as Buffer | null;
      cleanup();
      resolve(c);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const cleanup = (): void => {
      stream.off("readable", onReadable);
      stream.off("end", onEnd);
    };
    stream.on("readable", onReadable);
    stream.on("end", onEnd);
  });
  if (!chunk) return undefined;
  stream.unshift(chunk);
  return detectFormat(chunk, "<stdin>");
}

/**
 * Binary records from a pipe (`blktrace -d DEV -o -`), emitted as soon as
 * each chunk completes them (the replay decoder batches thousands at a time).
 * Records keep their arrival order.
 */
function binaryStream(stream: Readable, stats: LiveStats, backpressure: Backpressure): Observable<EventBatch> {
  return new Observable<EventBatch>((subscriber) => {
    const decoder = new LiveDecoder("<stdin>", stats, (b) => subscriber.next(b));
    const onData = (chunk: Buffer): void => {
      try {
        for (const b of decoder.push(chunk)) subscriber.next(b);
        holdWhileBusy(stream, backpressure);
      } catch (error: unknown) {
        subscriber.error(error);
      }
    };
    const onEnd = (): void => {
      for (const b of decoder.close()) subscriber.next(b);
      // A tracer killed mid-write leaves half a record: keep every whole one, say so once, finish the run.
      if (decoder.pendingBytes > 0) {
        process.stderr.write(
          `blkrx: <stdin>: the trace ends inside a record (${decoder.pendingBytes} bytes dropped, as when the tracer is killed); the ${stats.records} complete records before it were kept\n`,
        );
      }
      subscriber.complete();
    };
    const onError = (error: Error): void => subscriber.error(error);
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", onError);
    return () => {
      decoder.close();
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.pause();
    };
  });
}
