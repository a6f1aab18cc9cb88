import type { GapClassName } from "./batch.js";
import type { LatencyReport } from "./latency.js";

/** Counts of the five gap classes. */
export type GapCounts = Record<GapClassName, number>;

/** The analyze summary: exactly the JSON contract of spec/metrics.md, plus optional extra keys. */
export interface Summary {
  events: number;
  readBytes: number;
  uniqueBytes: number;
  uniqueSectors: number;
  fileBytes: number | null;
  fileSectors: number | null;
  coverage: number | null;
  extents: number | null;
  gaps: { physical: GapCounts; logical: GapCounts };
  /** Records skipped in lenient mode (present only when lenient). */
  skipped?: number;
  /** Events lost by the tracer (live sources). */
  dropped?: number;
  /** Time from the first to the last kept event, ns; null when no event was kept. */
  durationNs?: number | null;
  /** Per-phase summaries when the run was split into phases. */
  phases?: PhaseSummary[];
  /** Request latency report (`analyze --latency`). */
  latency?: LatencyReport;
}

/** The keys spec/metrics.md fixes in the JSON contract, in its order. */
export const CONTRACT_KEYS = [
  "events",
  "readBytes",
  "uniqueBytes",
  "uniqueSectors",
  "fileBytes",
  "fileSectors",
  "extents",
  "coverage",
  "gaps",
] as const satisfies readonly (keyof Summary)[];

/**
 * Just the contract keys of a summary (or of a parsed JSON object), for
 * exact comparison with an expected summary; extra keys (latency, phases,
 * skipped, ...) are left out.
 *
 * @example expect(contractOf(JSON.parse(stdout))).toEqual(contractOf(expected));
 */
export function contractOf(summary: object): Record<string, unknown> {
  const s = summary as Record<string, unknown>;
  return Object.fromEntries(CONTRACT_KEYS.map((k) => [k, s[k]]));
}

/** One phase of a run (e.g. load vs inference). */
export interface PhaseSummary extends Omit<Summary, "phases" | "skipped" | "dropped" | "latency"> {
  name: string;
  startNs: number;
}

/** A GapCounts object with every class at zero. */
export function zeroGaps(): GapCounts {
  return { sequential: 0, small: 0, medium: 0, large: 0, backward: 0 };
}
