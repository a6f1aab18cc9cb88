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
  /** Where the fallback note goes. @default process.stderr */
  note?: (message: string) => void;
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
  const note = options.note ?? ((m: string) => process.stderr.write(`blkrx: ${m}\n`));
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
