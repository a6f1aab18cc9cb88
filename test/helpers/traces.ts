import { Cat } from "../../model/actions.js";
import { encodeBinary } from "../../sinks/binaryWriter.js";
import { decodedFixture } from "./decode.js";

/**
 * A fixture re-encoded the way real blktrace writes it: a PROCESS notify
 * record before the first event of each pid (named `comm-PID`), whose time
 * is on another clock, `noteClockNs` away from the events' (blktrace stamps
 * notes with another clock than the trace records on real captures).
 *
 * @example const bytes = withProcessNotes("mmap-frag", 3_554_050_072_668n);
 */
export function withProcessNotes(name: string, noteClockNs: bigint): Uint8Array {
  const batch = decodedFixture(name);
  const names = new Map<number, string>();
  for (const pid of batch.pid) names.set(pid, `comm-${pid}`);
  const bytes = encodeBinary({ ...batch, names }, { nameRecords: true, baseTimeNs: 5_000_000_000_000n });
  return shiftNoteClock(bytes, noteClockNs);
}

/**
 * A copy of a little-endian binary trace with `deltaNs` added to the time of
 * every notify record (and only those).
 *
 * @example shiftNoteClock(bytes, -10n ** 12n)
 */
export function shiftNoteClock(bytes: Uint8Array, deltaNs: bigint): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  for (let pos = 0; pos + 48 <= out.length; pos += 48 + view.getUint16(pos + 46, true)) {
    if ((view.getUint32(pos + 28, true) & Cat.NOTIFY) !== 0) {
      view.setBigUint64(pos + 8, view.getBigUint64(pos + 8, true) + deltaNs, true);
    }
  }
  return out;
}

/** One record of {@link recordsOf}: time in ns (absolute clock), raw action, and where it happened. */
export interface RawRecord {
  time: bigint;
  action: number;
  sector: number;
  bytes: number;
  cpu: number;
  sequence: number;
  pid?: number;
  /** Device as blktrace encodes it. @default 7,0 */
  device?: number;
  payload?: Uint8Array;
}

/**
 * Little-endian blk_io_trace v7 records, in the order given (no sorting):
 * for traces whose record order matters (clock skew, chunked CPUs).
 *
 * @example recordsOf([{ time: 10n ** 9n, action: Act.QUEUE | Cat.READ | Cat.QUEUE, sector: 8, bytes: 4096, cpu: 0, sequence: 1 }])
 */
export function recordsOf(records: readonly RawRecord[]): Uint8Array {
  const size = records.reduce((n, r) => n + 48 + (r.payload?.length ?? 0), 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const r of records) {
    const pdu = r.payload ?? new Uint8Array(0);
    view.setUint32(pos, (0x65617400 | 7) >>> 0, true);
    view.setUint32(pos + 4, r.sequence, true);
    view.setBigUint64(pos + 8, r.time, true);
    view.setBigUint64(pos + 16, BigInt(r.sector), true);
    view.setUint32(pos + 24, r.bytes, true);
    view.setUint32(pos + 28, r.action >>> 0, true);
    view.setUint32(pos + 32, r.pid ?? 100, true);
    view.setUint32(pos + 36, r.device ?? (7 << 20) | 0, true);
    view.setUint32(pos + 40, r.cpu, true);
    view.setUint16(pos + 46, pdu.length, true);
    out.set(pdu, pos + 48);
    pos += 48 + pdu.length;
  }
  return out;
}

/**
 * A raw `blktrace -o -` style stream (each CPU's records in a chunk, sequence
 * numbers per CPU) of 120 4 KiB reads on CPU 0, 600 records, where three
 * requests have stages on CPU 1, whose clock runs behind: request A's G
 * (stamped 300 ns before its Q) comes in the same 512-record read as its Q
 * (blkparse sorts it first, btt finds no Q for it); request B's G, I, D and
 * C come in CPU 1's chunk after the first read (blkparse prints B's Q first,
 * btt clamps Q2G to 1 ns); request C's I is stamped 800 ns before its G in
 * the same read (btt sees the I first and takes no G2I for C).
 *
 * @example writeFileSync("skew.bin", skewedCpuTrace());
 */
export function skewedCpuTrace(): Uint8Array {
  const T0 = 5_000_000_000_000n;
  const read = (action: number) => (action | Cat.READ) >>> 0;
  const Q = read(1 | Cat.QUEUE);
  const G = read(4 | Cat.QUEUE);
  const I = read(12 | Cat.QUEUE);
  const D = read(7 | Cat.ISSUE);
  const C = read(8 | Cat.COMPLETE);
  const rec = (t: number, action: number, sector: number, cpu: number): RawRecord => ({
    time: T0 + BigInt(t),
    action,
    sector,
    bytes: 4096,
    cpu,
    sequence: 0,
  });
  const cpu0: RawRecord[] = [];
  const cpu1: RawRecord[] = [];
  for (let k = 0; k < 120; k++) {
    const t = k * 100_000;
    const s = 2048 + 8 * k;
    const [g, i, d, c] = [t + 1500 + 10 * k, t + 2500 + 7 * k, t + 4000, t + 50_000 + 100 * k];
    cpu0.push(rec(t, Q, s, 0));
    if (k === 10) {
      cpu0.push(rec(t - 300, G, s, 1)); // A
      cpu1.push(rec(i, I, s, 1), rec(d, D, s, 1), rec(c, C, s, 1));
    } else if (k === 20) {
      cpu1.push(rec(t - 300, G, s, 1), rec(i, I, s, 1), rec(d, D, s, 1), rec(c, C, s, 1)); // B
    } else if (k === 30) {
      cpu0.push(rec(g, G, s, 0), rec(g - 800, I, s, 1), rec(d, D, s, 0), rec(c, C, s, 0)); // C
    } else {
      cpu0.push(rec(g, G, s, 0), rec(i, I, s, 0), rec(d, D, s, 0), rec(c, C, s, 0));
    }
  }
  // Each CPU numbers its records 1, 2, 3, ... in the order it wrote them, as blktrace does.
  const seq = [0, 0];
  const stream = [...cpu0, ...cpu1].map((r) => {
    seq[r.cpu] = (seq[r.cpu] as number) + 1;
    return { ...r, sequence: seq[r.cpu] as number };
  });
  return recordsOf(stream);
}
