import { type MonoTypeOperatorFunction, map } from "rxjs";
import type { EventBatch } from "../model/batch.js";

/** Where a run splits into phases. */
export interface PhaseSpec {
  /**
   * Phase start times in batch time (ns since the trace's first event), ascending.
   * Phase 0 runs until the first boundary; phase k starts at boundary k - 1.
   * Times may come from fixed offsets (`--phase-at`) or marker timestamps.
   */
  readonly boundaries: readonly number[];
  /** Phase names; defaults to "phase 0", "phase 1", ... */
  readonly names?: readonly string[];
}

/**
 * Names of the phases a spec makes (boundaries + 1 of them).
 *
 * @example phaseNames({ boundaries: [5e9] }) // ["phase 0", "phase 1"]
 */
export function phaseNames(spec: PhaseSpec): string[] {
  return Array.from({ length: spec.boundaries.length + 1 }, (_, k) => spec.names?.[k] ?? `phase ${k}`);
}

/**
 * Set each batch's `phase` column: the number of boundaries at or before the
 * event's time (so an event exactly at a boundary belongs to the new phase).
 * Throws RangeError when the boundaries are not ascending finite numbers.
 *
 * @example fromTrace(["run.bin"]).pipe(phases({ boundaries: [2_000_000_000], names: ["load", "infer"] }))
 */
export function phases(spec: PhaseSpec): MonoTypeOperatorFunction<EventBatch> {
  const bounds = Float64Array.from(spec.boundaries);
  for (let k = 0; k < bounds.length; k++) {
    const b = bounds[k] as number;
    if (!Number.isFinite(b) || (k > 0 && b < (bounds[k - 1] as number))) {
      throw new RangeError(
        `Cannot split into phases as boundaries must be ascending finite times: current value is [${spec.boundaries.join(", ")}]`,
      );
    }
  }
  if (bounds.length > 65534) throw new RangeError(`Cannot split into ${bounds.length + 1} phases: at most 65535`);
  return phasesBy((t) => phaseAt(bounds, t));
}

/**
 * Set each batch's `phase` column from `phaseOf(time)`, asked as each batch
 * passes: for phases whose boundaries become known while the trace streams
 * (a workload's marker line closes the current phase at the time it was seen).
 *
 * @example liveTrace(opts).pipe(phasesBy((t) => (t < markerNs ? 0 : 1)))
 */
export function phasesBy(phaseOf: (time: number) => number): MonoTypeOperatorFunction<EventBatch> {
  return map((batch) => {
    const phase = new Uint16Array(batch.length);
    for (let i = 0; i < batch.length; i++) phase[i] = phaseOf(batch.time[i] as number);
    return { ...batch, phase };
  });
}

/**
 * Index of the phase holding time t: the count of boundaries ≤ t (binary
 * search over ascending boundaries).
 *
 * @example phaseAt([10, 20], 15) // 1
 */
export function phaseAt(bounds: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bounds[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
