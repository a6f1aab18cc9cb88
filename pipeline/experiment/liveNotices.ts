import { writeFileSync } from "node:fs";
import type { LiveStats } from "../../sources/liveFraming.js";

/**
 * Say on stderr that tracing is armed — "blkrx: tracing loop0 (tracefs) —
 * ready" — and, with `readyFile`, write that file (its content is the same
 * line), so a script can start its workload only once nothing will be missed.
 *
 * @example announceReady("loop0", stats, "/tmp/ready");
 */
export function announceReady(device: string, stats: LiveStats, readyFile?: string): void {
  const line = `tracing ${device} (${stats.tracer ?? "tracer"}) — ready`;
  process.stderr.write(`blkrx: ${line}\n`);
  if (readyFile !== undefined) writeFileSync(readyFile, `${line}\n`);
}

/** How often new losses are reported while tracing, ms. */
const REPORT_MS = 1000;

/**
 * Report losses loudly while tracing: whenever the source's `stats.dropped`
 * grew, one line on stderr with how many, since when (seconds after tracing
 * started) and what to do. Returns a function that stops watching and
 * reports any losses not yet said.
 *
 * @example const stop = watchDrops(stats); ...; stop();
 */
export function watchDrops(stats: LiveStats, write: (line: string) => void = stderrLine): () => void {
  let said = 0;
  const report = (): void => {
    if (stats.dropped <= said) return;
    const since =
      stats.firstDropNs !== undefined && stats.startedNs !== undefined
        ? ` since ${((stats.firstDropNs - stats.startedNs) / 1e9).toFixed(1)} s`
        : "";
    const buffer = stats.bufferKb !== undefined ? ` (now ${stats.bufferKb} KiB per CPU)` : "";
    write(
      `blkrx: WARNING: ${stats.dropped.toLocaleString("en-US")} events lost${since} (+${(stats.dropped - said).toLocaleString("en-US")}): the kernel or the reader could not keep up; every count below misses them; a larger --buffer-size${buffer} may help`,
    );
    said = stats.dropped;
  };
  const timer = setInterval(report, REPORT_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    report();
  };
}

function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}
