import type { EventBatch } from "../model/batch.js";
import { BatchBuilder } from "../model/batchBuilder.js";

/**
 * Merge several time-ordered batch streams (the per-CPU files of a blktrace
 * set) into one, by time, like blkparse. Ties go to the earlier input, so the
 * merge is stable. Reads one batch ahead per input: memory stays bounded by
 * inputs × batch size.
 *
 * @example for await (const b of mergeByTime([cpu0, cpu1])) use(b);
 */
export async function* mergeByTime(sources: AsyncIterable<EventBatch>[], batchSize = 8192): AsyncGenerator<EventBatch> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  try {
    const heads: ({ batch: EventBatch; pos: number } | undefined)[] = await Promise.all(
      iterators.map((it) => nextNonEmpty(it)),
    );
    const out = new BatchBuilder(batchSize);
    for (;;) {
      let best = -1;
      let bestTime = Number.POSITIVE_INFINITY;
      for (let k = 0; k < heads.length; k++) {
        const h = heads[k];
        if (h && (h.batch.time[h.pos] as number) < bestTime) {
          best = k;
          bestTime = h.batch.time[h.pos] as number;
        }
      }
      if (best < 0) break;
      const head = heads[best] as { batch: EventBatch; pos: number };
      out.appendRow(head.batch, head.pos);
      head.pos++;
      if (head.pos >= head.batch.length) heads[best] = await nextNonEmpty(iterators[best] as AsyncIterator<EventBatch>);
      if (out.full) yield out.seal();
    }
    if (out.length > 0) yield out.seal();
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}

async function nextNonEmpty(it: AsyncIterator<EventBatch>): Promise<{ batch: EventBatch; pos: number } | undefined> {
  for (;;) {
    const r = await it.next();
    if (r.done) return undefined;
    if (r.value.length > 0) return { batch: r.value, pos: 0 };
  }
}
