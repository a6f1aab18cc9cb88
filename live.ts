/**
 * blkrx/live: tracing a block device as it happens (root, tracefs or
 * blktrace). Its own entry because it starts processes (execa), which costs
 * start-up time that replaying a saved trace with `import "blkrx"` does not need.
 * The teardown of every live source stops tracing and restores the kernel settings.
 *
 * @example
 * import { analyzeEvents, liveView, summarize } from "blkrx";
 * import { liveTrace, newLiveStats } from "blkrx/live";
 *
 * const stats = newLiveStats();
 * const stop = new Promise<void>((resolve) => setTimeout(resolve, 5000));
 * liveTrace({ device: "/dev/nvme0n1", stats, stop })
 *   .pipe(analyzeEvents(), liveView({ dropped: () => stats.dropped }), summarize())
 *   .subscribe((summary) => console.log(summary.events, "events,", stats.dropped, "dropped"));
 */
export { BLKTRACE_SUBBUFFERS, blktraceLive, hasBlktrace, TracerUnavailableError } from "./sources/blktraceLive.js";
export { DEFAULT_BUFFER_KB } from "./sources/liveDefaults.js";
export { type Backpressure, type LiveStats, newLiveStats } from "./sources/liveFraming.js";
export { type LiveTraceOptions, liveTrace, oncePerBoot, type TracerChoice } from "./sources/liveSource.js";
export { type LiveSourceOptions, tracefsLive } from "./sources/tracefsLive.js";
