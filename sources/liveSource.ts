import { closeSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catchError, defer, EMPTY, finalize, type Observable, throwError } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { blktraceLive, TracerUnavailableError } from "./blktraceLive.js";
import { newLiveStats } from "./liveFraming.js";
import { type LiveSourceOptions, tracefsLive } from "./tracefsLive.js";

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Which kernel interface traces: blktrace's relay files, tracefs's blk tracer, or blktrace with fallback. */
export type TracerChoice = "auto" | "blktrace" | "tracefs";

/** Options for {@link liveTrace}. */
export interface LiveTraceOptions extends LiveSourceOptions {
  /** @default "auto" */
  tracer?: TracerChoice;
  /** Where the fallback note goes. @default process.stderr, once per machine boot (see {@link oncePerBoot}) */
  note?: (message: string) => void;
  /** Say the fallback note every time, not once per boot. */
  verbose?: boolean;
}

/**
 * True the first time it is asked for `key` since the machine booted (a
 * marker file named by the kernel's boot id in the temp folder), false after
 * that; always true when the marker cannot be written or the boot id read.
 * Keeps a note that is the same on every run ("blktrace was refused …") to
 * once per boot.
 *
 * @example if (oncePerBoot("tracer-fallback")) process.stderr.write(note);
 */
export function oncePerBoot(key: string, dir: string = tmpdir()): boolean {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const fd = openSync(join(dir, `blkrx-${key}-${boot}`), "wx");
    closeSync(fd);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code !== "EEXIST";
  }
}

/**
 * A live trace of one whole-disk device as EventBatches. `tracer: "auto"`
 * tries blktrace first and, when it cannot start (not installed, or the
 * kernel refuses its relay files with EPERM), says so through `note` and
 * traces with tracefs instead; "blktrace" or "tracefs" forces one. Either
 * way the teardown stops tracing and restores the kernel settings.
 *
 * @example
 * const stats = newLiveStats();
 * liveTrace({ device: "/dev/sda", tracer: "auto", stats, stop: exited }).pipe(analyzeEvents({ fileMap }))
 */
export function liveTrace(options: LiveTraceOptions): Observable<EventBatch> {
  const tracer = options.tracer ?? "auto";
  const stats = options.stats ?? newLiveStats();
  const opts = { ...options, stats };
  if (tracer === "tracefs") return tracefsLive(opts);
  if (tracer === "blktrace") return blktraceLive(opts);
  const note =
    options.note ??
    ((m: string) => {
      if (options.verbose || oncePerBoot("tracer-fallback")) {
        process.stderr.write(`blkrx: ${m} (said once per boot; --verbose says it every time)\n`);
      }
    });
  return defer(() => {
    // Between blktrace's handlers going and tracefs's arriving, a SIGINT would
    // kill the process with the default action; this bridge listener covers the
    // gap, and a signal seen there means "stop" rather than "fall back".
    let interrupted = false;
    const bridge = (): void => {
      interrupted = true;
    };
    const guard = options.signals !== false;
    if (guard) for (const s of STOP_SIGNALS) process.on(s, bridge);
    return blktraceLive(opts).pipe(
      catchError((error: unknown) => {
        if (!(error instanceof TracerUnavailableError)) return throwError(() => error);
        if (interrupted) return EMPTY;
        note(`${error.message}; tracing with tracefs instead`);
        return tracefsLive(opts);
      }),
      finalize(() => {
        if (guard) for (const s of STOP_SIGNALS) process.off(s, bridge);
      }),
    );
  });
}
