import { readFileSync } from "node:fs";

/**
 * This process's peak resident set so far (VmHWM of /proc/self/status), in
 * bytes; undefined where /proc is not there.
 *
 * @example const peak = ownPeakRssBytes(); // 72_351_744
 */
export function ownPeakRssBytes(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes as decimal megabytes with one decimal ("157.3"), the unit of issue 13's bound. */
export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/**
 * The `--verbose` line on what tracing cost in memory: this process's peak
 * and, when the run was stored by a store writer process, that one's.
 *
 * @example process.stderr.write(peaksLine(store?.writerPeakRssBytes?.())); // "blkrx: tracer peak RSS 72.4 MB; store writer peak RSS 121.0 MB\n"
 */
export function peaksLine(writerPeakBytes: number | undefined): string {
  const own = ownPeakRssBytes();
  const tracer = own === undefined ? "unknown" : `${megabytes(own)} MB`;
  const writer = writerPeakBytes === undefined ? "" : `; store writer peak RSS ${megabytes(writerPeakBytes)} MB`;
  return `blkrx: tracer peak RSS ${tracer}${writer}\n`;
}
