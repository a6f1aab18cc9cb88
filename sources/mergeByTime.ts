import type { EventBatch } from "../model/batch.js";
import { BatchBuilder } from "../model/batchBuilder.js";

/**
 * Merge several time-ordered batch streams (the per-CPU files of a blktrace
 * set) into one, by time, like blkparse. Ties go to the earlier input, so the
 * merge is stable. Reads one batch ahead per input: memory stays bounded by
 * inputs × batch size. `onRepeat(earlier, later)` (source indexes) hears of
 * each record identical to one of another source at the same time (same
 * device, cpu, sequence, action, sector and size): the mark of one trace
 * given twice, which a per-CPU set never has.
 *
 * @example for await (const b of mergeByTime([cpu0, cpu1])) use(b);
 */
export async function* mergeByTime(
  sources: AsyncIterable<EventBatch>[],
  batchSize = 8192,
  onRepeat?: (earlier: number, later: number) => void,
): AsyncGenerator<EventBatch> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const repeats = onRepeat ? new SameTimeRows(onRepeat) : undefined;
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
      repeats?.check(head.batch, head.pos, best);
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

/**
 * The rows merged so far at the current time, to find a row that repeats
 * one of another source. Same-time groups are short; at most 256 rows are
 * held (preallocated), so memory stays fixed and nothing is allocated per row.
 */
class SameTimeRows {
  private time = Number.NaN;
  private length = 0;
  private readonly source = new Uint32Array(256);
  private readonly sector = new Float64Array(256);
  private readonly bytes = new Uint32Array(256);
  private readonly action = new Uint32Array(256);
  private readonly device = new Uint32Array(256);
  private readonly cpu = new Uint32Array(256);
  private readonly sequence = new Uint32Array(256);

  constructor(private readonly onRepeat: (earlier: number, later: number) => void) {}

  check(batch: EventBatch, row: number, source: number): void {
    const time = batch.time[row] as number;
    if (time !== this.time) {
      this.time = time;
      this.length = 0;
    }
    const sector = batch.sector[row] as number;
    const bytes = batch.bytes[row] as number;
    const action = batch.action[row] as number;
    const device = batch.device[row] as number;
    const cpu = batch.cpu[row] as number;
    const sequence = batch.sequence[row] as number;
    for (let g = 0; g < this.length; g++) {
      if (
        this.source[g] !== source &&
        this.sector[g] === sector &&
        this.bytes[g] === bytes &&
        this.action[g] === action &&
        this.device[g] === device &&
        this.cpu[g] === cpu &&
        this.sequence[g] === sequence
      ) {
        this.onRepeat(this.source[g] as number, source);
        break;
      }
    }
    if (this.length === this.source.length) return;
    const g = this.length++;
    this.source[g] = source;
    this.sector[g] = sector;
    this.bytes[g] = bytes;
    this.action[g] = action;
    this.device[g] = device;
    this.cpu[g] = cpu;
    this.sequence[g] = sequence;
  }
}
