import {
  allocColumns,
  type EventBatch,
  NUMERIC_COLUMNS,
  type PayloadColumns,
  type PieceColumns,
  payloadOf,
  sealBatch,
} from "./eventBatch.js";

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
