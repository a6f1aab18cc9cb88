import { phaseAt } from "../../operators/phases.js";
import type { LiveStats } from "../../sources/liveFraming.js";

/**
 * Phase boundaries of a `blkrx run`, on one clock. The trace's records carry
 * CLOCK_MONOTONIC times (tracefs with `trace_clock` mono, blktrace's
 * ktime_get), and so do the workload's start and the instants its marker
 * lines are read (process.hrtime), so boundaries are kept as monotonic
 * instants and an event's phase is found from its batch time plus the first
 * record's timestamp. Phase starts are reported in ns since the workload
 * started: `--phase-at 0.3` starts its phase at exactly 300,000,000, and
 * everything before the workload started (and up to the first boundary) is
 * phase 0. Markers may be added while the trace streams: an event read
 * before its marker line was seen has an earlier time, so it stays in the
 * earlier phase either way.
 *
 * @example const clock = new PhaseClock(stats, [0.3, 0.6]); clock.start(nowNs); batch.pipe(phasesBy((t) => clock.phaseOf(t)));
 */
export class PhaseClock {
  private readonly instants: number[] = [];
  private readonly names: string[];
  private originNs: number | undefined;

  /**
   * @param stats the live source's stats (gives the first record's timestamp)
   * @param atSeconds `--phase-at` seconds after the workload starts; empty for marker phases
   * @param firstName name of phase 0 ("phase 0" for --phase-at, "start" for markers)
   */
  constructor(
    private readonly stats: LiveStats,
    private readonly atSeconds: readonly number[],
    firstName: string,
  ) {
    this.names = [firstName, ...atSeconds.map((_, k) => `phase ${k + 1}`)];
  }

  /** The workload started at this CLOCK_MONOTONIC instant (ns): fixes the `--phase-at` boundaries. */
  start(originNs: number): void {
    this.originNs = originNs;
    for (const s of this.atSeconds) this.instants.push(originNs + Math.round(s * 1e9));
  }

  /** A marker line was seen at this CLOCK_MONOTONIC instant (ns): a new phase named by it starts. */
  mark(ns: number, name: string): void {
    const last = this.instants[this.instants.length - 1];
    this.instants.push(last !== undefined && ns < last ? last : ns);
    this.names.push(name);
  }

  /** Phase of an event at this batch time (ns since the first record). */
  phaseOf(batchTime: number): number {
    return phaseAt(this.instants, batchTime + (this.stats.firstRecordNs ?? 0));
  }

  /** Phase names, in order. */
  phaseNames(): string[] {
    return this.names.slice(0, this.instants.length + 1);
  }

  /** Phase start times in ns since the workload started (phase 0 starts at 0). */
  startsNs(): number[] {
    const origin = this.originNs ?? 0;
    return [0, ...this.instants.map((t) => Math.max(0, t - origin))];
  }
}
