import { endianness } from "node:os";
import { type DuckDBAppender, DuckDBDataChunk, type DuckDBType } from "@duckdb/node-api";
import duckdb from "@duckdb/node-bindings";
import { Cat } from "../../model/actions.js";
import { type EventBatch, NO_GAP } from "../../model/batch.js";
import type { RequestBatch } from "../../model/requests.js";
import { NOTIFY_ACTION_INDEX } from "./schema.js";
import type { StoredEventColumns } from "./storedColumns.js";

/** Rows per DuckDB data chunk (DuckDB's vector size). */
export const CHUNK_ROWS = 2048;

type Column = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

/**
 * One reusable `DuckDBDataChunk` whose vectors are filled straight from
 * typed arrays with `copy_data_to_vector` (no per-value calls, no bigint per
 * row). BIGINT columns are written as two's-complement int32 halves from
 * float64 values, which are exact up to 2^53 (model/batch.ts).
 *
 * @example const filler = ChunkFiller.forAppender(appender); filler.start(n); filler.raw(0, cpu, 0, n);
 */
export class ChunkFiller {
  readonly chunk: DuckDBDataChunk;
  /** Scratch for callers computing a UTINYINT/enum column. */
  readonly bytes = new Uint8Array(CHUNK_ROWS);
  /** Scratch for callers computing a UINTEGER column. */
  readonly words = new Uint32Array(CHUNK_ROWS);
  /** Scratch for callers computing a BIGINT column as float64. */
  readonly doubles = new Float64Array(CHUNK_ROWS);
  private readonly halves = new Int32Array(CHUNK_ROWS * 2);
  private readonly constant = new Int32Array(CHUNK_ROWS);
  private constantValue = 0;
  private readonly validity = new Uint8Array(CHUNK_ROWS / 8);
  private rows = 0;

  constructor(types: readonly DuckDBType[]) {
    if (endianness() !== "LE")
      throw new Error("Cannot write DuckDB chunks on a big-endian host: only little-endian is supported");
    this.chunk = DuckDBDataChunk.create(types);
  }

  /** A filler whose columns have exactly the appender's table types. */
  static forAppender(appender: DuckDBAppender): ChunkFiller {
    const types: DuckDBType[] = [];
    for (let i = 0; i < appender.columnCount; i++) types.push(appender.columnType(i));
    return new ChunkFiller(types);
  }

  /** Begin a chunk of `rows` rows (≤ CHUNK_ROWS); every column must then be written. */
  start(rows: number): void {
    this.chunk.reset();
    this.chunk.rowCount = rows;
    this.rows = rows;
  }

  /** Copy `rows` values of `src` from index `from` into a column of the same width (no conversion). */
  raw(column: number, src: Column, from: number, rows = this.rows): void {
    const width = src.BYTES_PER_ELEMENT;
    duckdb.copy_data_to_vector(
      this.vector(column),
      0,
      src.buffer as ArrayBuffer,
      src.byteOffset + from * width,
      rows * width,
    );
  }

  /** An INTEGER column holding one value in every row. */
  int32Constant(column: number, value: number): void {
    if (this.constantValue !== value) {
      this.constant.fill(value);
      this.constantValue = value;
    }
    this.raw(column, this.constant, 0);
  }

  /** A BIGINT column from float64 values; NaN becomes NULL. */
  int64(column: number, src: Float64Array, from: number): void {
    const h = this.halves;
    let nulls = false;
    for (let k = 0; k < this.rows; k++) {
      const x = src[from + k] as number;
      if (Number.isNaN(x)) {
        nulls = true;
        h[2 * k] = 0;
        h[2 * k + 1] = 0;
        continue;
      }
      const hi = Math.floor(x / 4294967296);
      h[2 * k] = (x - hi * 4294967296) | 0;
      h[2 * k + 1] = hi | 0;
    }
    this.raw(column, h, 0, this.rows * 2);
    if (nulls) this.nullsWhere(column, (k) => Number.isNaN(src[from + k] as number));
  }

  /** A BIGINT column counting up from `first`. */
  int64Sequence(column: number, first: number): void {
    const d = this.doubles;
    for (let k = 0; k < this.rows; k++) d[k] = first + k;
    this.int64(column, d, 0);
  }

  /** A UTINYINT/enum column from `src`; rows equal to `nullCode` become NULL. */
  uint8(column: number, src: Uint8Array, from: number, nullCode = -1): void {
    this.raw(column, src, from);
    if (nullCode < 0) return;
    let nulls = false;
    for (let k = 0; k < this.rows && !nulls; k++) nulls = src[from + k] === nullCode;
    if (nulls) this.nullsWhere(column, (k) => src[from + k] === nullCode);
  }

  /** A column that is NULL in every row. */
  allNull(column: number): void {
    this.nullsWhere(column, () => true);
  }

  private nullsWhere(column: number, isNull: (row: number) => boolean): void {
    const bits = this.validity;
    bits.fill(0xff);
    for (let k = 0; k < this.rows; k++) if (isNull(k)) bits[k >> 3] = (bits[k >> 3] as number) & ~(1 << (k & 7));
    const vector = this.vector(column);
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, bits.buffer, 0, Math.ceil(this.rows / 64) * 8);
  }

  private vector(column: number): duckdb.Vector {
    return duckdb.data_chunk_get_vector(this.chunk.chunk, column);
  }
}

/**
 * Append a batch to `appender` in chunks of at most CHUNK_ROWS rows; `fill`
 * writes rows `from .. from + rows` of the batch into the filler's chunk.
 *
 * @example appendInChunks(appender, filler, batch, (f, b, from) => fillEvents(f, b, from, runId, ordinal + from));
 */
export function appendInChunks<B extends { readonly length: number }>(
  appender: DuckDBAppender,
  filler: ChunkFiller,
  batch: B,
  fill: (filler: ChunkFiller, batch: B, from: number) => void,
): void {
  for (let from = 0; from < batch.length; from += CHUNK_ROWS) {
    filler.start(Math.min(CHUNK_ROWS, batch.length - from));
    fill(filler, batch, from);
    appender.appendDataChunk(filler.chunk);
  }
}

/** Index of a raw action in the `blk_action` enum (its code; notify records last). */
export function actionIndex(action: number): number {
  if ((action & Cat.NOTIFY) !== 0) return NOTIFY_ACTION_INDEX;
  const code = action & 0xffff;
  return code < NOTIFY_ACTION_INDEX ? code : 0;
}

/** Index of an event's RWBS in the `blk_rwbs` enum (see RWBS_ENUM); NO_GAP (NULL) for notify records. */
export function rwbsIndex(action: number, bytes: number): number {
  if ((action & Cat.NOTIFY) !== 0) return NO_GAP;
  const kind = action & Cat.DISCARD ? 0 : action & Cat.WRITE ? 1 : bytes > 0 ? 2 : 3;
  return (
    (action & Cat.FLUSH ? 64 : 0) +
    kind * 16 +
    (action & Cat.FUA ? 8 : 0) +
    (action & Cat.AHEAD ? 4 : 0) +
    (action & Cat.SYNC ? 2 : 0) +
    (action & Cat.META ? 1 : 0)
  );
}

/** Write action (enum), RWBS (enum) and sectors of rows `from..` into three columns. */
function fillActionColumns(
  f: ChunkFiller,
  batch: Pick<EventBatch, "action" | "bytes">,
  from: number,
  cols: readonly [number, number, number],
): void {
  const rows = f.chunk.rowCount;
  for (let k = 0; k < rows; k++) f.bytes[k] = actionIndex(batch.action[from + k] as number);
  f.uint8(cols[0], f.bytes, 0);
  for (let k = 0; k < rows; k++)
    f.bytes[k] = rwbsIndex(batch.action[from + k] as number, batch.bytes[from + k] as number);
  f.uint8(cols[1], f.bytes, 0, NO_GAP);
  for (let k = 0; k < rows; k++) f.words[k] = (batch.bytes[from + k] as number) >>> 9;
  f.raw(cols[2], f.words, 0);
}

/**
 * Fill the `events` columns (schema v1 order) from rows `from..` of an analyzed batch.
 *
 * @example appendInChunks(app, filler, batch, (f, b, from) => fillEvents(f, b, from, 1, seen + from));
 */
export function fillEvents(
  f: ChunkFiller,
  batch: StoredEventColumns,
  from: number,
  runId: number,
  ordinal: number,
): void {
  const rows = f.chunk.rowCount;
  f.int32Constant(0, runId);
  f.int64Sequence(1, ordinal);
  f.int64(2, batch.time, from);
  f.raw(3, batch.cpu, from);
  f.raw(4, batch.pid, from);
  fillActionColumns(f, batch, from, [5, 6, 8]);
  f.int64(7, batch.sector, from);
  const pieces = batch.pieces;
  if (pieces) {
    for (let k = 0; k < rows; k++) {
      let min = Number.NaN;
      for (let j = pieces.first[from + k] as number; j < (pieces.first[from + k + 1] as number); j++) {
        const s = pieces.start[j] as number;
        if (!(s >= min)) min = s;
      }
      f.doubles[k] = min;
    }
    f.int64(9, f.doubles, 0);
  } else {
    f.allNull(9);
  }
  const gaps = batch.gaps;
  if (gaps) {
    f.int64(10, gaps.physical, from);
    f.uint8(11, gaps.physicalClass, from, NO_GAP);
    f.int64(12, gaps.logical, from);
    f.uint8(13, gaps.logicalClass, from, NO_GAP);
  } else {
    for (const column of [10, 11, 12, 13]) f.allNull(column);
  }
  if (batch.phase) f.raw(14, batch.phase, from);
  else f.allNull(14);
}

/**
 * Fill the `raw_events` columns (schema v1 order) from rows `from..` of an unfiltered batch.
 *
 * @example appendInChunks(app, filler, batch, (f, b, from) => fillRawEvents(f, b, from, 1, seen + from));
 */
export function fillRawEvents(f: ChunkFiller, batch: EventBatch, from: number, runId: number, ordinal: number): void {
  f.int32Constant(0, runId);
  f.int64Sequence(1, ordinal);
  f.int64(2, batch.time, from);
  f.raw(3, batch.device, from);
  f.raw(4, batch.cpu, from);
  f.raw(5, batch.pid, from);
  f.raw(6, batch.sequence, from);
  fillActionColumns(f, batch, from, [7, 8, 11]);
  f.raw(9, batch.action, from);
  f.int64(10, batch.sector, from);
  f.raw(12, batch.bytes, from);
  f.raw(13, batch.error, from);
}

/**
 * Fill the `requests` columns (schema v2 order) from rows `from..` of a
 * completed-request batch; NaN intervals (stage not in the trace) become NULL.
 *
 * @example appendInChunks(app, filler, requests, (f, b, from) => fillRequests(f, b, from, 1, seen + from));
 */
export function fillRequests(f: ChunkFiller, batch: RequestBatch, from: number, runId: number, ordinal: number): void {
  f.int32Constant(0, runId);
  f.int64Sequence(1, ordinal);
  f.int64(2, batch.time, from);
  f.raw(3, batch.device, from);
  f.raw(4, batch.pid, from);
  f.uint8(5, batch.direction, from);
  f.int64(6, batch.sector, from);
  f.int64(7, batch.sectors, from);
  f.raw(8, batch.phase, from);
  [batch.q2g, batch.g2i, batch.q2m, batch.i2d, batch.m2d, batch.d2c, batch.q2c].forEach((column, k) => {
    f.int64(9 + k, column, from);
  });
}
