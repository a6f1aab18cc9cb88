import { readdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { Observable } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { InputError } from "../model/errors.js";
import {
  acquireTraceLock,
  deviceTracePath,
  type KernelStateSnapshot,
  readSetting,
  restoreKernelState,
  snapshotKernelState,
  TRACEFS,
  type TraceLock,
  writeSetting,
} from "./kernelState.js";
import { DEFAULT_BUFFER_KB, DROP_POLL_MS } from "./liveDefaults.js";
import {
  type Backpressure,
  holdWhileBusy,
  LiveDecoder,
  type LiveStats,
  newLiveStats,
  noteDropped,
} from "./liveFraming.js";
import { onStopSignals } from "./liveSignals.js";

/** Options for {@link tracefsLive} (shared by every live source). */
export interface LiveSourceOptions {
  /** Whole-disk device to trace: "loop0" or "/dev/loop0". */
  device: string;
  /** Kernel-side filter: only events whose start sector is in [start, end] (`trace/start_lba`, `end_lba`). */
  lba?: { start: number; end: number };
  /** When this settles, tracing stops, the last records are drained and the Observable completes. */
  stop?: PromiseLike<unknown>;
  /** Stop gracefully on SIGINT/SIGTERM (a second signal exits at once, after restoring). @default true */
  signals?: boolean;
  /** Filled in while tracing: dropped events, first record time, tracer. */
  stats?: LiveStats;
  /** Called once tracing is on (start the workload here). */
  onStart?: () => void;
  /**
   * Kernel buffer per CPU, KiB: tracefs `buffer_size_kb`, blktrace `-b` (with
   * `-n` {@link BLKTRACE_SUBBUFFERS} sub-buffers). @default DEFAULT_BUFFER_KB
   */
  bufferKb?: number;
  /** tracefs mount point. @default "/sys/kernel/tracing" */
  tracefs?: string;
  /** Pause reading while the consumer is busy (the kernel buffer holds the trace meanwhile). */
  backpressure?: Backpressure;
}

/** Whole-disk name from "loop0" or "/dev/loop0". */
export function deviceName(device: string): string {
  return device.replace(/^\/dev\//, "");
}

/**
 * Trace a block device live through the kernel's tracefs `blk` tracer and
 * emit its records as EventBatches as they arrive. Subscribing mounts
 * tracefs if needed, enables `/sys/block/DEV/trace/enable`, selects the
 * `blk` tracer with the `bin` and `nocontext-info` options and the `mono`
 * clock, and reads `trace_pipe` through a child `cat` (a blocked read of
 * trace_pipe cannot be cancelled in-process; killing `cat` always can).
 * Stopping (the `stop` promise, SIGINT/SIGTERM) switches tracing off, drains
 * what the kernel still buffers, then completes. Teardown — on complete,
 * error, unsubscribe or process exit — kills the reader and restores every
 * setting it changed. Refuses a second session: tracefs tracing is global.
 *
 * @example
 * const stats = newLiveStats();
 * tracefsLive({ device: "loop0", stats, stop: sleep(2000) }).subscribe((b) => console.log(b.length));
 */
export function tracefsLive(options: LiveSourceOptions): Observable<EventBatch> {
  return new Observable<EventBatch>((subscriber) => {
    const device = deviceName(options.device);
    const tracefs = options.tracefs ?? TRACEFS;
    const stats = options.stats ?? newLiveStats();
    const locks: TraceLock[] = [];
    let snap: KernelStateSnapshot | undefined;
    let reader: ReturnType<typeof startReader> | undefined;
    let decoder: LiveDecoder | undefined;
    let cleaned = false;
    let stopping = false;
    const baseline = new Map<string, number>();
    let dropPoll: NodeJS.Timeout | undefined;
    // The per-CPU overrun counters and the in-stream LOST lines report the same losses; keep the larger.
    const pollDrops = (): void => {
      if (!decoder) return;
      noteDropped(stats, Math.max(droppedSince(tracefs, baseline), decoder.lostInStream));
    };

    const cleanup = (): void => {
      if (cleaned) return;
      cleaned = true;
      clearInterval(dropPoll);
      decoder?.close();
      disposeSignals();
      process.off("exit", cleanup);
      reader?.child.kill("SIGKILL");
      if (snap) {
        const problems = restoreKernelState(snap);
        for (const p of problems) process.stderr.write(`blkrx: ${p}\n`);
      }
      for (const lock of locks) lock.release();
    };

    const stop = async (): Promise<void> => {
      if (stopping || cleaned || !reader) return;
      stopping = true;
      try {
        writeSetting(join(tracefs, "tracing_on"), "0");
        await drain(tracefs);
        reader.child.kill("SIGTERM");
        await reader.ended;
        clearInterval(dropPoll);
        for (const b of decoder?.close() ?? []) subscriber.next(b);
        pollDrops();
        cleanup();
        subscriber.complete();
      } catch (error: unknown) {
        subscriber.error(error);
      }
    };

    const disposeSignals = options.signals === false ? () => {} : onStopSignals(() => void stop(), cleanup);

    try {
      requireRoot();
      locks.push(
        acquireTraceLock("tracefs", "another blkrx session is using the kernel's blk tracer, which is global"),
        acquireTraceLock(`dev-${device}`, `another blkrx session is already tracing ${device}`),
      );
      snap = snapshotKernelState(device, tracefs);
      process.on("exit", cleanup);
      if (snap.enable !== "0") {
        throw new InputError(`block tracing is already enabled on ${device} by another tool (trace/enable is 1)`);
      }
      if (snap.tracer !== "nop") {
        throw new InputError(
          `the kernel tracer "${snap.tracer}" is in use; blkrx needs current_tracer to be nop (if nothing else is tracing, a killed session left it: echo nop > ${tracefs}/current_tracer)`,
        );
      }
      if (!readSetting(join(tracefs, "available_tracers")).split(/\s+/).includes("blk")) {
        throw new InputError(
          "this kernel has no blk tracer (CONFIG_BLK_DEV_IO_TRACE), so blkrx cannot trace live; replaying a saved trace still works",
        );
      }
      const bufferKb = options.bufferKb ?? DEFAULT_BUFFER_KB;
      configure(tracefs, device, options.lba, bufferKb);
      stats.bufferKb = bufferKb;
      for (const [cpu, n] of readDropCounters(tracefs)) baseline.set(cpu, n);
      decoder = new LiveDecoder(`${tracefs}/trace_pipe`, stats, (b) => subscriber.next(b));
      const live = decoder;
      reader = startReader(tracefs, (chunk, stream) => {
        try {
          for (const batch of live.push(chunk)) subscriber.next(batch);
          holdWhileBusy(stream, options.backpressure);
        } catch (error: unknown) {
          subscriber.error(error);
        }
      });
      reader.ended.then(
        () => {
          // The reader died on its own (e.g. Ctrl-C reached its process group): finish normally.
          if (!stopping && !cleaned) void stop();
        },
        () => {},
      );
      writeSetting(join(tracefs, "tracing_on"), "1");
      dropPoll = setInterval(pollDrops, DROP_POLL_MS);
      dropPoll.unref();
      stats.tracer = "tracefs";
      stats.startedNs = Number(process.hrtime.bigint());
      options.stop?.then(
        () => void stop(),
        () => void stop(),
      );
      options.onStart?.();
    } catch (error: unknown) {
      cleanup();
      subscriber.error(error);
    }
    return cleanup;
  });
}

/** Throw the one-sentence error for a non-root user. */
export function requireRoot(): void {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new InputError(
      "live tracing needs root (or CAP_SYS_ADMIN), tracefs mounted at /sys/kernel/tracing and a kernel with the blk tracer; run blkrx as root or with sudo",
    );
  }
}

function configure(tracefs: string, device: string, lba: LiveSourceOptions["lba"], bufferKb: number): void {
  const set = (name: string, value: string): void => writeSetting(join(tracefs, name), value);
  set("tracing_on", "0");
  try {
    set("buffer_size_kb", String(bufferKb));
  } catch (error: unknown) {
    throw new InputError(
      `the kernel refused a trace buffer of ${bufferKb} KiB per CPU (--buffer-size ${bufferKb}): ${error instanceof Error ? error.message : error}; try a smaller --buffer-size`,
      { cause: error },
    );
  }
  set("trace_clock", "mono");
  set("trace", "");
  writeSetting(deviceTracePath(device, "enable"), "1");
  if (lba) {
    writeSetting(deviceTracePath(device, "start_lba"), String(Math.max(0, Math.floor(lba.start))));
    writeSetting(deviceTracePath(device, "end_lba"), String(Math.ceil(lba.end)));
  }
  set("current_tracer", "blk");
  set("options/bin", "1");
  set("options/context-info", "0");
}

function startReader(tracefs: string, onChunk: (chunk: Uint8Array, stream: NodeJS.ReadableStream) => void) {
  const child = execa("cat", [join(tracefs, "trace_pipe")], {
    buffer: false,
    stdin: "ignore",
    stderr: "ignore",
    reject: false,
    // Our own exit handler kills it: execa's signal-exit hook would re-raise SIGINT and skip the graceful stop.
    cleanup: false,
  });
  const out = child.stdout;
  out.on("data", (chunk: Buffer) => onChunk(chunk, out));
  const ended = new Promise<void>((resolve) => {
    let pending = 2;
    const done = (): void => {
      if (--pending === 0) resolve();
    };
    child.stdout.once("close", done);
    void child.then(done, done);
  });
  return { child, ended };
}

/** Wait (≤ 2 s) until the kernel buffers hold no unread entries, so killing the reader loses nothing. */
async function drain(tracefs: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    let entries = 0;
    for (const cpu of cpuDirs(tracefs)) {
      const m = /^entries:\s*(\d+)/m.exec(readSetting(join(tracefs, "per_cpu", cpu, "stats")));
      entries += Number(m?.[1] ?? 0);
    }
    if (entries === 0) break;
    await delay(20);
  }
  await delay(50);
}

function cpuDirs(tracefs: string): string[] {
  return readdirSync(join(tracefs, "per_cpu")).filter((d) => /^cpu\d+$/.test(d));
}

/** Per-CPU overrun + dropped counters. */
function readDropCounters(tracefs: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const cpu of cpuDirs(tracefs)) {
    const text = readSetting(join(tracefs, "per_cpu", cpu, "stats"));
    const overrun = Number(/^overrun:\s*(\d+)/m.exec(text)?.[1] ?? 0);
    const dropped = Number(/^dropped events:\s*(\d+)/m.exec(text)?.[1] ?? 0);
    counts.set(cpu, overrun + dropped);
  }
  return counts;
}

function droppedSince(tracefs: string, baseline: Map<string, number>): number {
  let total = 0;
  for (const [cpu, n] of readDropCounters(tracefs)) total += Math.max(0, n - (baseline.get(cpu) ?? 0));
  return total;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
