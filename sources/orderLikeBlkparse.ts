import { isTimedRecord, MESSAGE_ACTION } from "../model/actions.js";
import type { EventBatch } from "../model/batch.js";
import { BatchBuilder } from "../model/batchBuilder.js";
import { GENESIS_RECORDS } from "./binaryDecoder.js";
import { DEFAULT_ORDER_WINDOW, orderWithinWindow } from "./orderByTime.js";

/** Rows per emitted batch. */
const OUT_BATCH = 8192;

/**
 * Order one binary stream the way `blkparse -i -` prints it (and so the
 * order `btt` reads from its `-d` dump). blkparse reads 512 timed records
 * at a time (notes aside), sorts them by time, device and sequence, and
 * prints them while each CPU's sequence numbers follow on; at the first that
 * does not (the tracefs stream numbers nothing, lost events leave gaps) it
 * holds everything until the input ends and prints it sorted. So a raw
 * `blktrace -o -` stream, where each CPU's records come in chunks, is sorted
 * within each read only: a record of CPU 1 stamped before one of CPU 0 that
 * an earlier read printed comes after it, as btt sees it.
 *
 * Here each read is sorted and emitted while the sequences follow on; from
 * the first break on, the rest is ordered by `orderWithinWindow` (bounded
 * memory), which equals blkparse's final sort unless records are more than
 * `window` apart. Notes (process names, timestamps) pass at once, as
 * blkparse handles them when it reads them. Stays a pass-through for inputs
 * `isBinary` rejects at the first batch (text is already in printed order
 * or carries no sequences).
 *
 * @example for await (const b of orderLikeBlkparse(decoded)) use(b);
 */
export async function* orderLikeBlkparse(
  source: AsyncIterable<EventBatch>,
  window = DEFAULT_ORDER_WINDOW,
  isBinary: () => boolean = () => true,
): AsyncGenerator<EventBatch> {
  const it = source[Symbol.asyncIterator]();
  const reads = new ReadOrder();
  try {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const batch = r.value;
      if (!isBinary()) {
        yield* orderWithinWindow(chain([batch], it), window);
        return;
      }
      for (let i = 0; i < batch.length; i++) {
        const held = reads.add(batch, i);
        if (held) {
          yield* reads.drain();
          const rest = Uint32Array.from({ length: batch.length - i - 1 }, (_, k) => i + 1 + k);
          yield* orderWithinWindow(chain([held, takeSome(batch, rest)], it), window);
          return;
        }
      }
      yield* reads.drain();
    }
    yield* reads.finish();
  } finally {
    await it.return?.();
  }
}

/** The read-by-read state: the current read of up to 512 timed records and each CPU's last sequence shown. */
class ReadOrder {
  private read = new BatchBuilder(GENESIS_RECORDS);
  private out = new BatchBuilder(OUT_BATCH);
  private readonly ready: EventBatch[] = [];
  private readonly order = new Uint32Array(GENESIS_RECORDS);
  /** device → cpu → last sequence shown. */
  private readonly last = new Map<number, Map<number, number>>();

  /**
   * Take row `i`; when it completes a read, sort and show it. Returns the rows
   * held back (sorted) when a sequence number does not follow on, else undefined.
   */
  add(batch: EventBatch, i: number): EventBatch | undefined {
    if (!isTimedRecord(batch.action[i] as number)) {
      this.emit(batch, i);
      return undefined;
    }
    this.read.appendRow(batch, i);
    return this.read.full ? this.show(false) : undefined;
  }

  /** Batches ready to go out. */
  *drain(): Generator<EventBatch> {
    yield* this.ready.splice(0);
  }

  /** Input ended: show the last read whatever the sequences (blkparse's forced pass), then everything. */
  *finish(): Generator<EventBatch> {
    this.show(true);
    if (this.out.length > 0) this.ready.push(this.out.seal());
    yield* this.drain();
  }

  /** Sort the read; show rows while sequences follow on; return the rest when one does not. */
  private show(force: boolean): EventBatch | undefined {
    const read = this.read.seal();
    const n = read.length;
    const order = this.order.subarray(0, n);
    for (let k = 0; k < n; k++) order[k] = k;
    const { time, device, sequence } = read;
    order.sort(
      (a, b) =>
        (time[a] as number) - (time[b] as number) ||
        (device[a] as number) - (device[b] as number) ||
        (sequence[a] as number) - (sequence[b] as number) ||
        a - b,
    );
    for (let k = 0; k < n; k++) {
      const row = order[k] as number;
      if (!force && !this.followsOn(read, row)) {
        if (this.out.length > 0) this.ready.push(this.out.seal());
        return takeSome(read, order.slice(k));
      }
      this.emit(read, row);
    }
    return undefined;
  }

  /**
   * blkparse's `check_sequence` for a stream: a CPU's first record is shown
   * whatever its number; then only the next number; a MESSAGE is not checked.
   * Records the number when shown.
   */
  private followsOn(batch: EventBatch, row: number): boolean {
    if ((batch.action[row] as number) === MESSAGE_ACTION) return true;
    const device = batch.device[row] as number;
    let cpus = this.last.get(device);
    if (!cpus) {
      cpus = new Map();
      this.last.set(device, cpus);
    }
    const cpu = batch.cpu[row] as number;
    const seq = batch.sequence[row] as number;
    const last = cpus.get(cpu);
    if (last !== undefined && seq !== (last + 1) >>> 0) return false;
    cpus.set(cpu, seq);
    return true;
  }

  private emit(batch: EventBatch, row: number): void {
    this.out.appendRow(batch, row);
    if (this.out.full) this.ready.push(this.out.seal());
  }
}

/** Rows `rows` of a batch, in that order, as a new batch. */
function takeSome(batch: EventBatch, rows: Uint32Array): EventBatch {
  const b = new BatchBuilder(Math.max(rows.length, 1));
  for (const r of rows) b.appendRow(batch, r);
  return b.seal();
}

/** Some batches, then the rest of an iterator. */
async function* chain(first: EventBatch[], it: AsyncIterator<EventBatch>): AsyncGenerator<EventBatch> {
  yield* first;
  for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
}
