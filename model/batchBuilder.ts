import { allocColumns, type EventBatch, type MutableColumns, NUMERIC_COLUMNS, payloadOf, sealBatch } from "./batch.js";
import { PayloadArena } from "./payloadArena.js";

/**
 * Builds batches row by row from rows of other batches (merging per-CPU
 * files, re-ordering). Numeric columns are copied into preallocated typed
 * arrays; payload bytes and process names come along.
 *
 * @example
 * const b = new BatchBuilder(8192);
 * b.appendRow(batch, 3);
 * const out = b.seal();
 */
export class BatchBuilder {
  private cols: MutableColumns;
  private count = 0;
  private readonly payload: PayloadArena;
  private names: Map<number, string> | undefined;
  private lastNames: ReadonlyMap<number, string> | undefined;

  constructor(readonly capacity: number) {
    this.cols = allocColumns(capacity);
    this.payload = new PayloadArena(capacity);
  }

  /** Rows appended since the last seal. */
  get length(): number {
    return this.count;
  }

  /** True when the next append would exceed the capacity. */
  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Copy row `i` of `batch` to the end. */
  appendRow(batch: EventBatch, i: number): void {
    const k = this.count;
    for (const name of NUMERIC_COLUMNS) this.cols[name][k] = batch[name][i] as number;
    const pdu = payloadOf(batch, i);
    if (pdu.length > 0) this.payload.stage(pdu.length).set(pdu);
    this.payload.commit(k);
    if (batch.names && batch.names !== this.lastNames) {
      this.lastNames = batch.names;
      this.names ??= new Map();
      for (const [pid, comm] of batch.names) this.names.set(pid, comm);
    }
    this.count = k + 1;
  }

  /** The rows so far as a batch; the builder starts empty again. */
  seal(): EventBatch {
    const extra: Parameters<typeof sealBatch>[2] = {};
    const payload = this.payload.columns(this.count);
    if (payload) extra.payload = payload;
    if (this.names) extra.names = this.names;
    const out = sealBatch(this.cols, this.count, extra);
    this.cols = allocColumns(this.capacity);
    this.count = 0;
    this.payload.reset();
    this.names = undefined;
    this.lastNames = undefined;
    return out;
  }
}
