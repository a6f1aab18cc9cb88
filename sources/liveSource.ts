import { catchError, type Observable, throwError } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { blktraceLive, TracerUnavailableError } from "./blktraceLive.js";
import { newLiveStats } from "./liveFraming.js";
import { type LiveSourceOptions, tracefsLive } from "./tracefsLive.js";

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
  return blktraceLive(opts).pipe(
    catchError((error: unknown) => {
      if (!(error instanceof TracerUnavailableError)) return throwError(() => error);
      note(`${error.message}; tracing with tracefs instead`);
      return tracefsLive(opts);
    }),
  );
}
