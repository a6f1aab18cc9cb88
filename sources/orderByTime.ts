import type { EventBatch } from "../model/batch.js";
import { BatchBuilder } from "../model/batchBuilder.js";

/** Events held back to re-order a merged stream. @default 65536 */
export const DEFAULT_ORDER_WINDOW = 65536;

/**
 * Re-order one merged stream (tracefs `bin` output, `blkparse -d` dumps) by
 * time within a bounded window, as blkparse does: batches that are already
 * in order pass through untouched (the common case, no copy); otherwise up
 * to `window` events are held and released in stable time order. An event
 * later than the window can repair stays where it came, rather than
 * buffering without bound.
 *
 * @example for await (const b of orderWithinWindow(decoded, 65536)) use(b);
 */
export async function* orderWithinWindow(
  source: AsyncIterable<EventBatch>,
  window = DEFAULT_ORDER_WINDOW,
): AsyncGenerator<EventBatch> {
  let last = Number.NEGATIVE_INFINITY;
  let pending: EventBatch[] = [];
  let held = 0;
  for await (const batch of source) {
    if (batch.length === 0) continue;
    if (held === 0 && sortedAfter(batch, last)) {
      last = batch.time[batch.length - 1] as number;
      yield batch;
      continue;
    }
    pending.push(batch);
    held += batch.length;
    if (held >= 2 * window) {
      const [out, rest] = releaseSorted(pending, held - window);
      pending = [rest];
      held = rest.length;
      last = out.time[out.length - 1] as number;
      yield out;
    }
  }
  if (held > 0) {
    const [out] = releaseSorted(pending, held);
    yield out;
  }
}

function sortedAfter(batch: EventBatch, last: number): boolean {
  const t = batch.time;
  if ((t[0] as number) < last) return false;
  for (let i = 1; i < batch.length; i++) if ((t[i] as number) < (t[i - 1] as number)) return false;
  return true;
}

/** Stable-sort the held batches by time; split into the first `count` rows and the rest. */
function releaseSorted(batches: EventBatch[], count: number): [EventBatch, EventBatch] {
  const refs: [EventBatch, number][] = [];
  for (const b of batches) for (let i = 0; i < b.length; i++) refs.push([b, i]);
  refs.sort((x, y) => (x[0].time[x[1]] as number) - (y[0].time[y[1]] as number)); // Array#sort is stable
  const out = new BatchBuilder(count);
  const rest = new BatchBuilder(Math.max(refs.length - count, 1));
  refs.forEach(([b, i], k) => {
    (k < count ? out : rest).appendRow(b, i);
  });
  return [out.seal(), rest.seal()];
}
