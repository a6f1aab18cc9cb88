/**
 * EventBatch: the unit that flows through every blkrx Observable.
 *
 * Why batches of typed-array columns: one RxJS emission plus one object per
 * event costs several times more than decoding the event itself (see
 * `npm run bench`), so sources emit struct-of-arrays batches of a few
 * thousand events and operators loop over columns without allocating.
 *
 * Why `number` and not `bigint`: sectors fit a float64 exactly up to 2^53
 * (4 EiB of 512-byte sectors) and time is stored in ns since the first event
 * of the trace, exact for 104 days. bigint is used only at the edges (the u64
 * decode reads two u32 halves; DuckDB BIGINT columns).
 */

/** Per-batch payload storage: payload bytes of event i are `data[start[i] .. start[i] + length[i]]`. */
export interface PayloadColumns {
  readonly data: Uint8Array;
  readonly start: Uint32Array;
  readonly length: Uint16Array;
}

/**
 * File-offset pieces of events after `sectorRange`: event i owns pieces
 * `first[i] .. first[i + 1]` (CSR layout), each a run of file sectors.
 */
export interface PieceColumns {
  /** First piece index of each event; length = batch length + 1. */
  readonly first: Uint32Array;
  /** File-sector offset where each piece starts. */
  readonly start: Float64Array;
  /** Length of each piece in sectors. */
  readonly sectors: Float64Array;
}

/** Gap classes in column form (see `GAP_CLASSES`); NO_GAP for the first event. */
export const GapClass = { sequential: 0, small: 1, medium: 2, large: 3, backward: 4 } as const;
/** Class names indexed by class code. */
export const GAP_CLASSES = ["sequential", "small", "medium", "large", "backward"] as const;
export type GapClassName = (typeof GAP_CLASSES)[number];
/** Class code of an event that has no predecessor. */
export const NO_GAP = 255;

/** Gap to the previous kept event, added by `classifyGaps`. NaN/NO_GAP for the first event. */
export interface GapColumns {
  /** start(this) - end(previous) in device sectors. */
  readonly physical: Float64Array;
  readonly physicalClass: Uint8Array;
  /** Same on file-sector offsets (equal to physical without extents). */
  readonly logical: Float64Array;
  readonly logicalClass: Uint8Array;
}

/** A batch of block events as columns; row i is one event. */
export interface EventBatch {
  /** Number of events (rows). */
  readonly length: number;
  /** Time in ns since the trace's time zero (blkparse's: see `fromTrace`). */
  readonly time: Float64Array;
  /** Start sector (512-byte units) on the traced device. */
  readonly sector: Float64Array;
  /** Bytes of the request (sectors = bytes / 512). */
  readonly bytes: Uint32Array;
  /** Raw blk_io_trace action: code in the low 16 bits, category bits above. */
  readonly action: Uint32Array;
  /** Device as blktrace encodes it: major << 20 | minor. */
  readonly device: Uint32Array;
  readonly cpu: Uint32Array;
  readonly pid: Uint32Array;
  readonly sequence: Uint32Array;
  /** Error code (completions). */
  readonly error: Int32Array;
  /** Payload bytes (remap target, unplug depth, notify text), if any event has one. */
  readonly payload?: PayloadColumns;
  /** Process names learned while producing this batch (pid → comm). */
  readonly names?: ReadonlyMap<number, string>;
  /** File pieces, present after `sectorRange`. */
  readonly pieces?: PieceColumns;
  /** Gaps and classes, present after `classifyGaps`. */
  readonly gaps?: GapColumns;
  /** Phase index of each event, present after `phases`. */
  readonly phase?: Uint16Array;
}

/** The optional side columns of a batch. */
export type BatchExtras = Pick<EventBatch, "payload" | "names" | "pieces" | "gaps" | "phase">;

/** The plain columns every batch has (no payload, names or pieces). */
type NumericColumn = "time" | "sector" | "bytes" | "action" | "device" | "cpu" | "pid" | "sequence" | "error";

/** Names of the numeric columns, in a fixed order. */
export const NUMERIC_COLUMNS: readonly NumericColumn[] = [
  "time",
  "sector",
  "bytes",
  "action",
  "device",
  "cpu",
  "pid",
  "sequence",
  "error",
];

/** A batch under construction: columns with spare capacity. */
export interface MutableColumns {
  time: Float64Array;
  sector: Float64Array;
  bytes: Uint32Array;
  action: Uint32Array;
  device: Uint32Array;
  cpu: Uint32Array;
  pid: Uint32Array;
  sequence: Uint32Array;
  error: Int32Array;
}

/**
 * Allocate empty columns for `capacity` events.
 *
 * @example const cols = allocColumns(4096); cols.sector[0] = 2048;
 */
export function allocColumns(capacity: number): MutableColumns {
  return {
    time: new Float64Array(capacity),
    sector: new Float64Array(capacity),
    bytes: new Uint32Array(capacity),
    action: new Uint32Array(capacity),
    device: new Uint32Array(capacity),
    cpu: new Uint32Array(capacity),
    pid: new Uint32Array(capacity),
    sequence: new Uint32Array(capacity),
    error: new Int32Array(capacity),
  };
}

/**
 * Freeze the first `length` rows of some columns into a batch (views, no copy).
 *
 * @example const batch = sealBatch(cols, 10);
 */
export function sealBatch(
  cols: MutableColumns,
  length: number,
  extra: { -readonly [K in keyof BatchExtras]?: BatchExtras[K] } = {},
): EventBatch {
  const full = length === cols.time.length;
  const batch: EventBatch = {
    length,
    time: full ? cols.time : cols.time.subarray(0, length),
    sector: full ? cols.sector : cols.sector.subarray(0, length),
    bytes: full ? cols.bytes : cols.bytes.subarray(0, length),
    action: full ? cols.action : cols.action.subarray(0, length),
    device: full ? cols.device : cols.device.subarray(0, length),
    cpu: full ? cols.cpu : cols.cpu.subarray(0, length),
    pid: full ? cols.pid : cols.pid.subarray(0, length),
    sequence: full ? cols.sequence : cols.sequence.subarray(0, length),
    error: full ? cols.error : cols.error.subarray(0, length),
    ...extra,
  };
  return batch;
}

/** An empty batch (length 0). */
export const EMPTY_BATCH: EventBatch = sealBatch(allocColumns(0), 0);

/**
 * Copy the rows listed in `rows` (ascending or not) into a new compact batch.
 * Payloads and pieces of those rows come along; names are kept as they are.
 *
 * @example const reads = takeRows(batch, Uint32Array.of(0, 3, 7), 3);
 */
export function takeRows(batch: EventBatch, rows: Uint32Array, count: number): EventBatch {
  if (count === batch.length) return batch;
  const out = allocColumns(count);
  for (const name of NUMERIC_COLUMNS) {
    const src = batch[name];
    const dst = out[name];
    for (let k = 0; k < count; k++) dst[k] = src[rows[k] as number] as number;
  }
  const extra: { -readonly [K in keyof BatchExtras]?: BatchExtras[K] } = {};
  if (batch.names) extra.names = batch.names;
  if (batch.payload) extra.payload = takePayload(batch.payload, rows, count);
  if (batch.pieces) extra.pieces = takePieces(batch.pieces, rows, count);
  if (batch.gaps) extra.gaps = takeGaps(batch.gaps, rows, count);
  if (batch.phase) extra.phase = pick(batch.phase, new Uint16Array(count), rows, count);
  return sealBatch(out, count, extra);
}

function pick<T extends Float64Array | Uint8Array | Uint16Array>(src: T, dst: T, rows: Uint32Array, count: number): T {
  for (let k = 0; k < count; k++) dst[k] = src[rows[k] as number] as number;
  return dst;
}

function takeGaps(g: GapColumns, rows: Uint32Array, count: number): GapColumns {
  return {
    physical: pick(g.physical, new Float64Array(count), rows, count),
    physicalClass: pick(g.physicalClass, new Uint8Array(count), rows, count),
    logical: pick(g.logical, new Float64Array(count), rows, count),
    logicalClass: pick(g.logicalClass, new Uint8Array(count), rows, count),
  };
}

function takePayload(p: PayloadColumns, rows: Uint32Array, count: number): PayloadColumns {
  const start = new Uint32Array(count);
  const length = new Uint16Array(count);
  let total = 0;
  for (let k = 0; k < count; k++) total += p.length[rows[k] as number] as number;
  const data = new Uint8Array(total);
  let at = 0;
  for (let k = 0; k < count; k++) {
    const i = rows[k] as number;
    const len = p.length[i] as number;
    const from = p.start[i] as number;
    data.set(p.data.subarray(from, from + len), at);
    start[k] = at;
    length[k] = len;
    at += len;
  }
  return { data, start, length };
}

function takePieces(p: PieceColumns, rows: Uint32Array, count: number): PieceColumns {
  const first = new Uint32Array(count + 1);
  let total = 0;
  for (let k = 0; k < count; k++) {
    const i = rows[k] as number;
    total += (p.first[i + 1] as number) - (p.first[i] as number);
  }
  const start = new Float64Array(total);
  const sectors = new Float64Array(total);
  let at = 0;
  for (let k = 0; k < count; k++) {
    const i = rows[k] as number;
    first[k] = at;
    for (let j = p.first[i] as number; j < (p.first[i + 1] as number); j++) {
      start[at] = p.start[j] as number;
      sectors[at] = p.sectors[j] as number;
      at++;
    }
  }
  first[count] = at;
  return { first, start, sectors };
}

/**
 * Payload bytes of row i, or an empty array when it has none (a view, no copy).
 *
 * @example const pdu = payloadOf(batch, 0);
 */
export function payloadOf(batch: EventBatch, i: number): Uint8Array {
  const p = batch.payload;
  if (!p) return EMPTY_BYTES;
  const from = p.start[i] as number;
  return p.data.subarray(from, from + (p.length[i] as number));
}

const EMPTY_BYTES = new Uint8Array(0);

/**
 * Concatenate batches into one (used by tests and small inputs).
 *
 * @example const all = concatBatches([a, b]);
 */
export function concatBatches(batches: readonly EventBatch[]): EventBatch {
  const total = batches.reduce((n, b) => n + b.length, 0);
  const cols = allocColumns(total);
  const names = new Map<number, string>();
  const payloadParts: { data: Uint8Array; start: number; length: number }[] = [];
  const pieceFirst = new Uint32Array(total + 1);
  const pieceStart: number[] = [];
  const pieceSectors: number[] = [];
  const anyPieces = batches.some((b) => b.pieces);
  let at = 0;
  for (const b of batches) {
    for (const name of NUMERIC_COLUMNS) cols[name].set(b[name], at);
    for (const [pid, comm] of b.names ?? []) names.set(pid, comm);
    for (let i = 0; i < b.length; i++) {
      const pdu = payloadOf(b, i);
      payloadParts.push({ data: pdu, start: 0, length: pdu.length });
      if (anyPieces) {
        pieceFirst[at + i] = pieceStart.length;
        const p = b.pieces;
        if (p) {
          for (let j = p.first[i] as number; j < (p.first[i + 1] as number); j++) {
            pieceStart.push(p.start[j] as number);
            pieceSectors.push(p.sectors[j] as number);
          }
        }
      }
    }
    at += b.length;
  }
  pieceFirst[total] = pieceStart.length;
  const extra: { payload?: PayloadColumns; names?: ReadonlyMap<number, string>; pieces?: PieceColumns } = {};
  if (names.size > 0) extra.names = names;
  const payloadBytes = payloadParts.reduce((n, p) => n + p.length, 0);
  if (payloadBytes > 0) {
    const data = new Uint8Array(payloadBytes);
    const start = new Uint32Array(total);
    const length = new Uint16Array(total);
    let off = 0;
    payloadParts.forEach((p, i) => {
      data.set(p.data, off);
      start[i] = off;
      length[i] = p.length;
      off += p.length;
    });
    extra.payload = { data, start, length };
  }
  if (anyPieces) {
    extra.pieces = {
      first: pieceFirst,
      start: Float64Array.from(pieceStart),
      sectors: Float64Array.from(pieceSectors),
    };
  }
  return sealBatch(cols, total, extra);
}
