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
