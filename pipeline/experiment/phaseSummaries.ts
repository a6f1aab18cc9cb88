import { type EventBatch, takeRows } from "../../model/batch.js";
import type { FileMap } from "../../operators/fileMap.js";
import { SummaryAccumulator } from "../../operators/summaryAccumulator.js";
import type { PhaseSummary } from "../../operators/summaryTypes.js";

/**
 * Per-phase summaries of analyzed batches that carry a `phase` column: each
 * phase gets its own accumulator (events, bytes, unique sectors within the
 * phase, gap classes). An event's gap to its predecessor counts in the event's
 * own phase, so events and every gap count add up to the whole run's.
 *
 * @example const per = new PhaseSummaries(["load", "infer"], [0, 2e9], fileMap); batches.forEach((b) => per.add(b)); per.result();
 */
export class PhaseSummaries {
  private readonly accs: SummaryAccumulator[];

  constructor(
    private readonly names: readonly string[],
    private readonly startsNs: readonly number[],
    fileMap?: FileMap,
  ) {
    this.accs = names.map(() => new SummaryAccumulator(fileMap));
  }

  /** Fold one analyzed batch in, split by its phase column (all phase 0 without one). */
  add(batch: EventBatch): void {
    if (batch.length === 0) return;
    const phase = batch.phase;
    if (!phase) {
      this.accs[0]?.add(batch);
      return;
    }
    const rows = new Uint32Array(batch.length);
    for (let k = 0; k < this.accs.length; k++) {
      let n = 0;
      for (let i = 0; i < batch.length; i++) if (phase[i] === k) rows[n++] = i;
      if (n > 0) this.accs[k]?.add(takeRows(batch, rows, n));
    }
  }

  /** One PhaseSummary per phase, in order. */
  result(): PhaseSummary[] {
    return this.accs.map((acc, k) => ({
      ...acc.summary(),
      name: this.names[k] ?? `phase ${k}`,
      startNs: this.startsNs[k] ?? 0,
    }));
  }
}
