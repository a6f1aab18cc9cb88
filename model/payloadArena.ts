import type { PayloadColumns } from "./batch.js";

/**
 * Payload bytes of the rows of a batch being built, in one growing byte
 * buffer: bytes are staged for the row under construction, then committed
 * to it (or dropped with the row). Shared by the decoders and BatchBuilder.
 *
 * @example
 * const arena = new PayloadArena(8192);
 * arena.stage(16).set(remapBytes); arena.commit(row);
 * const payload = arena.columns(rows); arena.reset();
 */
export class PayloadArena {
  private data = new Uint8Array(1024);
  private used = 0;
  private staged = 0;
  private readonly start: Uint32Array;
  private readonly length: Uint16Array;
  private any = false;

  constructor(capacity: number) {
    this.start = new Uint32Array(capacity);
    this.length = new Uint16Array(capacity);
  }

  /** Reserve `len` bytes for the row under construction; returns the view to fill. */
  stage(len: number): Uint8Array {
    const at = this.used + this.staged;
    if (at + len > this.data.length) {
      const bigger = new Uint8Array(Math.max(this.data.length * 2, at + len));
      bigger.set(this.data.subarray(0, at));
      this.data = bigger;
    }
    this.staged += len;
    return this.data.subarray(at, at + len);
  }

  /** Give the staged bytes (possibly none) to `row`. */
  commit(row: number): void {
    this.start[row] = this.used;
    this.length[row] = this.staged;
    if (this.staged > 0) {
      this.used += this.staged;
      this.any = true;
      this.staged = 0;
    }
  }

  /** Drop the staged bytes (the row was not kept). */
  discard(): void {
    this.staged = 0;
  }

  /** The committed payloads of rows 0..count as batch columns (copies), or undefined when no row has one. */
  columns(count: number): PayloadColumns | undefined {
    if (!this.any) return undefined;
    return {
      data: this.data.slice(0, this.used),
      start: this.start.slice(0, count),
      length: this.length.slice(0, count),
    };
  }

  /** Empty the arena for the next batch (keeps its buffer). */
  reset(): void {
    this.used = 0;
    this.staged = 0;
    this.any = false;
  }
}
