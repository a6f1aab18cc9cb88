import { ACTION_LETTERS, Act, Cat, Notify, rwbs } from "../model/actions.js";
import { type EventBatch, payloadOf } from "../model/batch.js";

/** `BLK_TN_MESSAGE`: the only notify record blkparse prints. */
const MESSAGE_ACTION = (Cat.NOTIFY | Notify.MESSAGE) >>> 0;

/**
 * One event as real blkparse 1.2.0 prints it by default (no newline), or
 * `undefined` for records it prints nothing for (process and timestamp
 * notify records, driver data, unknown actions). Matches blkparse's
 * `process_default`: header `%3d,%-3d %2d %8d %5d.%09lu %5u %2s %3s `, then
 * the trailer of the action; an unknown command prints `(null)`, A lines
 * show the remap source from the payload, PC requests print their payload
 * bytes. Names come from `batch.names`, then `names`, truncated to 15
 * characters like blkparse's `comm[16]`.
 *
 * @example
 * formatBlkparseLine(batch, 0, names)
 * // "  7,0    0        0     0.000038413 22732  Q  RS 280576 + 128 [(null)]"
 */
export function formatBlkparseLine(
  batch: EventBatch,
  i: number,
  names?: ReadonlyMap<number, string>,
): string | undefined {
  const action = batch.action[i] as number;
  const pid = batch.pid[i] as number;
  let device = batch.device[i] as number;
  const time = batch.time[i] as number;
  if ((action & Cat.NOTIFY) !== 0) {
    if (action !== MESSAGE_ACTION) return undefined;
    const pdu = payloadOf(batch, i);
    if (pdu.length === 0) return undefined;
    const end = pdu.indexOf(0);
    const msg = Buffer.from(pdu.buffer, pdu.byteOffset, end < 0 ? pdu.length : end).toString("utf8");
    return `${dev(device)} ${pad(batch.cpu[i] as number, 2)} ${pad("0", 8)} ${clock(time)} ${pad(0, 5)}  m   N ${msg}`;
  }
  const code = action & 0xffff;
  const letter = code === Act.DRV_DATA ? undefined : ACTION_LETTERS[code];
  if (letter === undefined || letter === "?" || letter === "Z") return undefined;
  const bytes = batch.bytes[i] as number;
  const sector = batch.sector[i] as number;
  const sectors = bytes >>> 9;
  const pdu = payloadOf(batch, i);
  const pc = (action & Cat.PC) !== 0;
  if (pc && !PC_ACTIONS.has(code)) return undefined;
  // blkparse passes the payload only to D, C and I of PC requests (log_pc).
  const pcPdu = pc && (code === Act.ISSUE || code === Act.COMPLETE || code === Act.INSERT) ? pdu : NO_BYTES;
  if (code === Act.REMAP && pdu.length >= 16) device = readU32(pdu, 4);
  const head = `${dev(device)} ${pad(batch.cpu[i] as number, 2)} ${pad(batch.sequence[i] as number | 0, 8)} ${clock(time)} ${pad(pid, 5)} ${pad(letter, 2)} ${pad(rwbs(action, bytes), 3)} `;
  const name = commOf(batch, pid, names);
  switch (code) {
    case Act.REQUEUE:
    case Act.COMPLETE: {
      // blk_io_trace.error is a u16: blkparse prints -EIO as 65531.
      const err = (batch.error[i] as number) & 0xffff;
      if (pc) return `${head}${dumpPdu(pcPdu)}[${err}]`;
      return sectors ? `${head}${sector} + ${sectors} [${err}]` : `${head}${sector} [${err}]`;
    }
    case Act.ISSUE:
    case Act.INSERT:
    case Act.QUEUE:
    case Act.BOUNCE:
      if (pc) return `${head}${bytes} ${dumpPdu(pcPdu)}[${name}]`;
      return sectors ? `${head}${sector} + ${sectors} [${name}]` : `${head}[${name}]`;
    case Act.PLUG:
      return `${head}[${name}]`;
    case Act.UNPLUG_IO:
    case Act.UNPLUG_TIMER:
      return `${head}[${name}] ${pduInt(pdu)}`;
    case Act.REMAP: {
      const from = pdu.length >= 16 ? readU32(pdu, 0) : 0;
      const fromSector = pdu.length >= 16 ? readU32(pdu, 8) * 4294967296 + readU32(pdu, 12) : 0;
      return `${head}${sector} + ${sectors} <- (${from >>> 20},${from & 0xfffff}) ${fromSector}`;
    }
    case Act.SPLIT:
      return `${head}${sector} / ${pduInt(pdu)} [${name}]`;
    default:
      // M F G S: and any other request-less action.
      return sectors ? `${head}${sector} + ${sectors} [${name}]` : `${head}[${name}]`;
  }
}

/**
 * All lines of a batch as blkparse prints them, each ending in "\n".
 *
 * @example process.stdout.write(formatBlkparse(batch, names));
 */
export function formatBlkparse(batch: EventBatch, names?: ReadonlyMap<number, string>): string {
  let out = "";
  for (let i = 0; i < batch.length; i++) {
    const line = formatBlkparseLine(batch, i, names);
    if (line !== undefined) out += `${line}\n`;
  }
  return out;
}

/**
 * A formatter for a stream of batches that remembers the process names
 * every batch introduces, so later batches print them too.
 *
 * @example const format = blkparseFormatter(); for (const b of batches) out.write(format(b));
 */
export function blkparseFormatter(): (batch: EventBatch) => string {
  const names = new Map<number, string>();
  return (batch) => {
    for (const [pid, comm] of batch.names ?? []) names.set(pid, comm);
    return formatBlkparse(batch, names);
  };
}

const NO_BYTES = new Uint8Array(0);

/** Actions blkparse prints for PC (passthrough) requests. */
const PC_ACTIONS = new Set<number>([
  Act.QUEUE,
  Act.GETRQ,
  Act.SLEEPRQ,
  Act.REQUEUE,
  Act.ISSUE,
  Act.COMPLETE,
  Act.INSERT,
]);

function commOf(batch: EventBatch, pid: number, names: ReadonlyMap<number, string> | undefined): string {
  const comm = batch.names?.get(pid) ?? names?.get(pid);
  if (comm === undefined) return "(null)";
  return comm.length > 15 ? comm.slice(0, 15) : comm;
}

/** `%3d,%-3d` of a blktrace device number. */
function dev(device: number): string {
  return `${pad(device >>> 20, 3)},${String(device & 0xfffff).padEnd(3)}`;
}

/** `%5d.%09lu` of ns since the first event. */
function clock(ns: number): string {
  const sec = Math.floor(ns / 1e9);
  const frac = ns - sec * 1e9;
  return `${pad(sec, 5)}.${String(frac).padStart(9, "0")}`;
}

function pad(value: number | string, width: number): string {
  return String(value).padStart(width);
}

function readU32(pdu: Uint8Array, at: number): number {
  return (
    (((pdu[at] as number) << 24) |
      ((pdu[at + 1] as number) << 16) |
      ((pdu[at + 2] as number) << 8) |
      (pdu[at + 3] as number)) >>>
    0
  );
}

/** blkparse's `get_pdu_int`: the payload's big-endian u64, truncated to unsigned int. */
function pduInt(pdu: Uint8Array): number {
  return pdu.length >= 8 ? readU32(pdu, 4) : 0;
}

/** blkparse's `dump_pdu` as `(xx xx ..) `, or "" without payload. */
function dumpPdu(pdu: Uint8Array): string {
  if (pdu.length === 0) return "";
  let s = "";
  for (let k = 0; k < pdu.length; k++) {
    if (k) s += " ";
    s += (pdu[k] as number).toString(16).padStart(2, "0");
    if (pdu[k] === 0 && pdu.subarray(k).every((b) => b === 0)) {
      s += " ..";
      break;
    }
  }
  return `(${s}) `;
}
