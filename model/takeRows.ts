import {
  allocColumns,
  type BatchExtras,
  type EventBatch,
  type GapColumns,
  NUMERIC_COLUMNS,
  type PayloadColumns,
  type PieceColumns,
  sealBatch,
} from "./eventBatch.js";

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
