import { type EventBatch, type PayloadColumns, payloadOf } from "../../model/batch.js";

/** The columns of an analyzed batch that the `events` table stores (what crosses to the writer thread). */
export type StoredEventColumns = Pick<
  EventBatch,
  "length" | "time" | "cpu" | "pid" | "action" | "bytes" | "sector" | "pieces" | "gaps" | "phase"
>;

/** Typed arrays the stored columns are made of. */
type Packed = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * Packs the stored columns of each batch into one ArrayBuffer that can be
 * *transferred* to the writer thread instead of structured-cloned, and takes
 * the buffers back once the thread has appended them ({@link reuse}), so a
 * run allocates a handful of buffers instead of a dozen per batch.
 * Measured (cpuprofile, 5M-record `analyze`, 438,372 stored events):
 * cloning made the writer thread deserialize every batch into fresh memory
 * (~0.1 s of its CPU); a fresh copy per column per batch cost the main
 * thread ~130 ms, mostly page faults and the collections that freed them.
 *
 * @example const packer = new ColumnPacker(); const { columns, buffer } = packer.pack(batch); worker.postMessage({ type: "append", batch: columns }, [buffer]);
 */
export class ColumnPacker {
  private readonly free: ArrayBuffer[] = [];

  /** The batch's stored columns as views into one buffer (the caller transfers `buffer`). */
  pack(batch: EventBatch): { columns: StoredEventColumns; buffer: ArrayBuffer } {
    // One list of the stored columns, walked twice: to size the buffer, then to copy into it (same order).
    let size = 0;
    storedColumnsVia(batch, (part) => {
      size = align8(size) + part.byteLength;
      return part;
    });
    const buffer = this.take(size);
    let at = 0;
    const columns = storedColumnsVia(batch, (part) => {
      at = align8(at);
      const view = new (part.constructor as new (b: ArrayBuffer, o: number, n: number) => typeof part)(
        buffer,
        at,
        part.length,
      );
      view.set(part as never);
      at += part.byteLength;
      return view;
    });
    return { columns, buffer };
  }

  /** Take back a buffer the writer thread is done with (a few are kept). */
  reuse(buffer: ArrayBuffer): void {
    if (this.free.length < KEPT_BUFFERS) this.free.push(buffer);
  }

  private take(size: number): ArrayBuffer {
    const i = this.free.findIndex((b) => b.byteLength >= size);
    if (i >= 0) return this.free.splice(i, 1)[0] as ArrayBuffer;
    // Room to grow: later batches of a run are about as large as the first ones.
    return new ArrayBuffer(align8(size + (size >> 2)));
  }
}

/**
 * The stored columns of `batch`, its rows only, as views of its own arrays (no copy): what `live` and `run`
 * write to their spill file.
 *
 * @example spill.write("events", storedColumnsOf(batch));
 */
export function storedColumnsOf(batch: EventBatch): StoredEventColumns {
  return storedColumnsVia(batch, (part) => part);
}

/** The stored columns of `batch` (its rows only), each passed through `place`, in one fixed order. */
function storedColumnsVia(batch: EventBatch, place: <T extends Packed>(part: T) => T): StoredEventColumns {
  const { length, time, cpu, pid, action, bytes, sector, pieces, gaps, phase } = batch;
  return {
    length,
    time: place(time.subarray(0, length)),
    sector: place(sector.subarray(0, length)),
    cpu: place(cpu.subarray(0, length)),
    pid: place(pid.subarray(0, length)),
    bytes: place(bytes.subarray(0, length)),
    action: place(action.subarray(0, length)),
    ...(pieces
      ? { pieces: { start: place(pieces.start), sectors: place(pieces.sectors), first: place(pieces.first) } }
      : {}),
    ...(gaps
      ? {
          gaps: {
            physical: place(gaps.physical),
            logical: place(gaps.logical),
            physicalClass: place(gaps.physicalClass),
            logicalClass: place(gaps.logicalClass),
          },
        }
      : {}),
    ...(phase ? { phase: place(phase) } : {}),
  };
}

/** Buffers a packer keeps for reuse: enough for the batches in flight while the writer thread keeps up. */
const KEPT_BUFFERS = 8;

const align8 = (n: number): number => (n + 7) & ~7;

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
