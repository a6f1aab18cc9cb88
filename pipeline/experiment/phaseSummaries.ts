import { type EventBatch, takeRows } from "../../model/batch.js";
import type { FileMap } from "../../model/fileMap.js";
import type { PhaseSummary } from "../../model/summary.js";
import { SummaryAccumulator } from "../../operators/summaryAccumulator.js";

/**
 * Per-phase summaries of analyzed batches that carry a `phase` column: each
 * phase gets its own accumulator (events, bytes, unique sectors within the
 * phase, gap classes), made when its first event arrives, so phases may be
 * opened while the trace streams. An event's gap to its predecessor counts
 * in the event's own phase, so events and every gap count add up to the
 * whole run's.
 *
 * @example const per = new PhaseSummaries(fileMap); batches.forEach((b) => per.add(b)); per.result(["load", "infer"], [0, 2e9]);
 */
export class PhaseSummaries {
  private readonly accs: SummaryAccumulator[] = [];

  constructor(private readonly fileMap?: FileMap) {}

  /** Fold one analyzed batch in, split by its phase column (all phase 0 without one). */
  add(batch: EventBatch): void {
    if (batch.length === 0) return;
    const phase = batch.phase;
    if (!phase) {
      this.acc(0).add(batch);
      return;
    }
    let last = 0;
    for (let i = 0; i < batch.length; i++) last = Math.max(last, phase[i] as number);
    const rows = new Uint32Array(batch.length);
    for (let k = 0; k <= last; k++) {
      let n = 0;
      for (let i = 0; i < batch.length; i++) if (phase[i] === k) rows[n++] = i;
      if (n > 0) this.acc(k).add(takeRows(batch, rows, n));
    }
  }

  /** One PhaseSummary per named phase, in order (a phase without events has zero counts). */
  result(names: readonly string[], startsNs: readonly number[]): PhaseSummary[] {
    return names.map((name, k) => ({ ...this.acc(k).summary(), name, startNs: startsNs[k] ?? 0 }));
  }

  private acc(k: number): SummaryAccumulator {
    while (this.accs.length <= k) this.accs.push(new SummaryAccumulator(this.fileMap));
    return this.accs[k] as SummaryAccumulator;
  }
}
