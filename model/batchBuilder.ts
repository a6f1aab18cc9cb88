import { allocColumns, type EventBatch, type MutableColumns, NUMERIC_COLUMNS, payloadOf, sealBatch } from "./batch.js";
import { PayloadArena } from "./payloadArena.js";

/**
 * Builds batches row by row into preallocated typed-array columns: rows
 * copied from other batches (merging per-CPU files, re-ordering), or rows a
 * decoder writes field by field into {@link BatchBuilder.cols} at index
 * {@link BatchBuilder.length} and then {@link BatchBuilder.commit}s. Payload
 * bytes and process names come along.
 *
 * @example
 * const b = new BatchBuilder(8192);
 * b.appendRow(batch, 3);
 * b.cols.sector[b.length] = 2048; b.commit();
 * const out = b.seal();
 */
export class BatchBuilder {
  private columns: MutableColumns;
  private count = 0;
  private readonly payload: PayloadArena;
  private names: Map<number, string> | undefined;
  private lastNames: ReadonlyMap<number, string> | undefined;

  constructor(readonly capacity: number) {
    this.columns = allocColumns(capacity);
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

  /** The columns being filled: write the next row at index {@link length}, then {@link commit} it. */
  get cols(): MutableColumns {
    return this.columns;
  }

  /** Reserve `len` payload bytes for the row being written; returns the view to fill. */
  stage(len: number): Uint8Array {
    return this.payload.stage(len);
  }

  /** Drop the payload bytes staged for a row that is not committed. */
  discardStaged(): void {
    this.payload.discard();
  }

  /** The row written at index {@link length} is complete: it gets the staged payload. */
  commit(): void {
    this.payload.commit(this.count);
    this.count++;
  }

  /** Remember `pid`'s command name for the batch being built. */
  nameProcess(pid: number, name: string): void {
    this.names ??= new Map();
    if (this.names.get(pid) !== name) this.names.set(pid, name);
  }

  /** Copy row `i` of `batch` to the end. */
  appendRow(batch: EventBatch, i: number): void {
    const k = this.count;
    for (const name of NUMERIC_COLUMNS) this.columns[name][k] = batch[name][i] as number;
    const pdu = payloadOf(batch, i);
    if (pdu.length > 0) this.payload.stage(pdu.length).set(pdu);
    if (batch.names && batch.names !== this.lastNames) {
      this.lastNames = batch.names;
      this.names ??= new Map();
      for (const [pid, comm] of batch.names) this.names.set(pid, comm);
    }
    this.commit();
  }

  /** The rows so far as a batch; the builder starts empty again. */
  seal(): EventBatch {
    const extra: Parameters<typeof sealBatch>[2] = {};
    const payload = this.payload.columns(this.count);
    if (payload) extra.payload = payload;
    if (this.names) extra.names = this.names;
    const out = sealBatch(this.columns, this.count, extra);
    this.columns = allocColumns(this.capacity);
    this.count = 0;
    this.payload.reset();
    this.names = undefined;
    this.lastNames = undefined;
    return out;
  }
}
