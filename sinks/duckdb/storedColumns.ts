import {
  type EventBatch,
  type GapColumns,
  type PayloadColumns,
  type PieceColumns,
  payloadOf,
} from "../../model/batch.js";

/** The columns of an analyzed batch that the `events` table stores (what crosses to the writer thread). */
export type StoredEventColumns = Pick<
  EventBatch,
  "length" | "time" | "cpu" | "pid" | "action" | "bytes" | "sector" | "pieces" | "gaps" | "phase"
>;

/**
 * The stored columns as copies the caller owns, with the list of their
 * buffers, so they can be *transferred* to the writer thread instead of
 * structured-cloned. Measured (perf, 5M-record `analyze --db`): cloning made
 * the writer thread deserialize every batch into freshly allocated memory,
 * ~0.1 s of its CPU and most of it page faults on this VM; a transfer hands
 * the copies over as they are.
 *
 * @example const { columns, transfer } = transferableStoredColumns(batch); worker.postMessage({ type: "append", batch: columns }, transfer);
 */
export function transferableStoredColumns(batch: EventBatch): {
  columns: StoredEventColumns;
  transfer: ArrayBuffer[];
} {
  const transfer: ArrayBuffer[] = [];
  const own = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T): T => {
    const copy = a.slice() as T;
    transfer.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  const { length, time, cpu, pid, action, bytes, sector, pieces, gaps, phase } = batch;
  const ownPieces = (p: PieceColumns): PieceColumns => ({
    first: own(p.first),
    start: own(p.start),
    sectors: own(p.sectors),
  });
  const ownGaps = (g: GapColumns): GapColumns => ({
    physical: own(g.physical),
    physicalClass: own(g.physicalClass),
    logical: own(g.logical),
    logicalClass: own(g.logicalClass),
  });
  const columns: StoredEventColumns = {
    length,
    time: own(time.subarray(0, length)),
    cpu: own(cpu.subarray(0, length)),
    pid: own(pid.subarray(0, length)),
    action: own(action.subarray(0, length)),
    bytes: own(bytes.subarray(0, length)),
    sector: own(sector.subarray(0, length)),
    ...(pieces ? { pieces: ownPieces(pieces) } : {}),
    ...(gaps ? { gaps: ownGaps(gaps) } : {}),
    ...(phase ? { phase: own(phase) } : {}),
  };
  return { columns, transfer };
}

/**
 * The columns of a raw batch that `raw_events` stores, as copies to
 * transfer to the writer thread: posting the batch itself structured-clones
 * every column's whole buffer, and a live batch's columns are views into
 * buffers sized for a full batch (measured: tens of KB per small batch).
 *
 * @example const { columns, transfer } = transferableRawColumns(batch); worker.postMessage({ type: "appendRaw", batch: columns }, transfer);
 */
export function transferableRawColumns(batch: EventBatch): { columns: EventBatch; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const own = <T extends Float64Array | Uint32Array | Int32Array>(a: T): T => {
    const copy = a.slice(0, batch.length) as T;
    transfer.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  const columns: EventBatch = {
    length: batch.length,
    time: own(batch.time),
    sector: own(batch.sector),
    bytes: own(batch.bytes),
    action: own(batch.action),
    device: own(batch.device),
    cpu: own(batch.cpu),
    pid: own(batch.pid),
    sequence: own(batch.sequence),
    error: own(batch.error),
    // The payloads (cat --run prints them; latency reads split sectors) and names travel along.
    ...(batch.payload ? { payload: ownPayload(batch, transfer) } : {}),
    ...(batch.names ? { names: new Map(batch.names) } : {}),
  };
  return { columns, transfer };
}

/** The payloads of a batch's rows, compacted into buffers of their own (listed in `transfer`). */
function ownPayload(batch: EventBatch, transfer: ArrayBuffer[]): PayloadColumns {
  const start = new Uint32Array(batch.length);
  const length = new Uint16Array(batch.length);
  let total = 0;
  for (let i = 0; i < batch.length; i++) total += payloadOf(batch, i).length;
  const data = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < batch.length; i++) {
    const pdu = payloadOf(batch, i);
    start[i] = at;
    length[i] = pdu.length;
    data.set(pdu, at);
    at += pdu.length;
  }
  transfer.push(data.buffer, start.buffer, length.buffer);
  return { data, start, length };
}
