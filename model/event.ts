import { actionLetter, Cat, isNotify, major, minor, Notify, rwbs } from "./actions.js";
import { allocColumns, type EventBatch, type PayloadColumns, payloadOf, sealBatch } from "./batch.js";

/**
 * One block event as a plain object: the per-event view of a batch row, for
 * custom operators, tests and NDJSON. Hot paths use the batch columns instead.
 */
export interface BlockEvent {
  /** Device as "major,minor". */
  device: { major: number; minor: number };
  cpu: number;
  sequence: number;
  /** ns since the first event of the trace. */
  time: number;
  pid: number;
  /** blkparse action letter (Q, G, I, D, C, A, ...; "N" for notify records). */
  action: string;
  /** RWBS flags as blkparse prints them. */
  rwbs: string;
  /** Raw blk_io_trace action u32 (code | category bits). */
  code: number;
  sector: number;
  sectors: number;
  bytes: number;
  /** Completion error code (0 = success). */
  error: number;
  /** Process name, when the trace says it (notify record, text trailer). */
  comm?: string;
  /** Payload as hex (remap target, unplug depth, notify text), when present. */
  payload?: string;
}

/**
 * The per-event view of row `i` of a batch. `names` supplies process names
 * learned so far (batches carry only the names they introduced).
 *
 * @example const e = eventAt(batch, 0); console.log(e.action, e.sector);
 */
export function eventAt(batch: EventBatch, i: number, names?: ReadonlyMap<number, string>): BlockEvent {
  const dev = batch.device[i] as number;
  const action = batch.action[i] as number;
  const bytes = batch.bytes[i] as number;
  const pid = batch.pid[i] as number;
  const event: BlockEvent = {
    device: { major: major(dev), minor: minor(dev) },
    cpu: batch.cpu[i] as number,
    sequence: batch.sequence[i] as number,
    time: batch.time[i] as number,
    pid,
    action: actionLetter(action),
    rwbs: isNotify(action) ? "" : rwbs(action, bytes),
    code: action,
    sector: batch.sector[i] as number,
    sectors: Math.floor(bytes / 512),
    bytes,
    error: batch.error[i] as number,
  };
  const comm = batch.names?.get(pid) ?? names?.get(pid);
  if (comm !== undefined) event.comm = comm;
  const pdu = payloadOf(batch, i);
  if (pdu.length > 0) event.payload = Buffer.from(pdu.buffer, pdu.byteOffset, pdu.length).toString("hex");
  return event;
}

/**
 * Build a batch from plain events (the inverse of {@link eventAt}).
 *
 * @example const batch = batchOf([{ ...e, sector: 2048 }]);
 */
export function batchOf(events: readonly BlockEvent[]): EventBatch {
  const cols = allocColumns(events.length);
  const names = new Map<number, string>();
  const pdus: Uint8Array[] = [];
  events.forEach((e, i) => {
    cols.time[i] = e.time;
    cols.sector[i] = e.sector;
    cols.bytes[i] = e.bytes;
    cols.action[i] = e.code;
    cols.device[i] = ((e.device.major << 20) | e.device.minor) >>> 0;
    cols.cpu[i] = e.cpu;
    cols.pid[i] = e.pid;
    cols.sequence[i] = e.sequence;
    cols.error[i] = e.error;
    if (e.comm !== undefined) names.set(e.pid, e.comm);
    pdus.push(e.payload ? Uint8Array.from(Buffer.from(e.payload, "hex")) : new Uint8Array(0));
  });
  const extra: { payload?: PayloadColumns; names?: ReadonlyMap<number, string> } = {};
  if (names.size > 0) extra.names = names;
  const total = pdus.reduce((n, p) => n + p.length, 0);
  if (total > 0) {
    const data = new Uint8Array(total);
    const start = new Uint32Array(events.length);
    const length = new Uint16Array(events.length);
    let at = 0;
    pdus.forEach((p, i) => {
      data.set(p, at);
      start[i] = at;
      length[i] = p.length;
      at += p.length;
    });
    extra.payload = { data, start, length };
  }
  return sealBatch(cols, events.length, extra);
}

/**
 * All events of a batch as plain objects (allocates; for tests and small traces).
 *
 * @example const events = eventsOf(batch);
 */
export function eventsOf(batch: EventBatch, names?: ReadonlyMap<number, string>): BlockEvent[] {
  const out: BlockEvent[] = [];
  for (let i = 0; i < batch.length; i++) out.push(eventAt(batch, i, names));
  return out;
}

/** The text of a notify MESSAGE/PROCESS payload (NUL-terminated C string). */
export function payloadText(pdu: Uint8Array): string {
  const end = pdu.indexOf(0);
  return Buffer.from(pdu.buffer, pdu.byteOffset, end < 0 ? pdu.length : end).toString("utf8");
}

/** True for a PROCESS notify record (its payload names the pid's command). */
export function isProcessNotify(action: number): boolean {
  return (action & Cat.NOTIFY) !== 0 && (action & 0xffff) === Notify.PROCESS;
}
