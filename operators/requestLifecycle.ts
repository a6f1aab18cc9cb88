import { concat, defer, filter, map, type Observable, type OperatorFunction, of } from "rxjs";
import { Act, Cat } from "../model/actions.js";
import { type EventBatch, payloadOf } from "../model/batch.js";
import { LATENCY_INTERVALS } from "../model/latency.js";
import { type RequestBatch, RequestDirection } from "../model/requests.js";

/**
 * requestLifecycle: follow every queued bio through its life (Q, then G or
 * M/F, I, D, C; X splits it, R sends it back) and emit one record per
 * completed bio with the time spent in each stage.
 *
 * Matching is by device and sector, never by sequence number: the tracefs
 * `bin` stream leaves sequence at 0. The rules follow btt (blktrace 1.2):
 * G, I and M/F attach to the queued bio that starts at their sector; a D or
 * C covers every queued bio lying wholly inside its sector range (a merged
 * request completes all of its bios); zero-byte events (flushes) are
 * ignored; G2I, I2D and M2D are taken only when the later stage arrives
 * after the earlier one (btt computes them on arrival); a non-positive
 * interval counts as 1 ns (and one whose end was
 * stamped before its start, by another CPU's skewed clock, is counted in
 * `skewed`: btt clamps it the same way). One deliberate
 * difference: an X (split) splits the queued bio in two at the split
 * sector, so both halves are followed to their own D and C, where btt loses
 * them.
 */

/** Options for {@link requestLifecycle}. */
export interface RequestLifecycleOptions {
  /** A bio queued longer ago than this (trace time, ns) is dropped and counted in `agedOut`. @default 30e9 (the SCSI command timeout) */
  maxAgeNs?: number;
  /** At most this many bios are followed at once; beyond it the oldest quarter is dropped and counted. @default 262144 */
  maxPending?: number;
}

const NO_SLOT = -1;
/**
 * Which intervals btt computes for a bio: it takes G2I when the I arrives
 * after the G, I2D (else M2D) when the D arrives after the I (else the M);
 * a stage that comes later than its successor gives no interval.
 */
const Has = { G2I: 1, I2D: 2, M2D: 4 } as const;

/** Growable output columns for one emitted batch. */
class RecordColumns {
  length = 0;
  device = new Uint32Array(64);
  sector = new Float64Array(64);
  sectors = new Float64Array(64);
  direction = new Uint8Array(64);
  pid = new Uint32Array(64);
  phase = new Uint16Array(64);
  time = new Float64Array(64);
  intervals: Float64Array[] = LATENCY_INTERVALS.map(() => new Float64Array(64));

  /** Make room for one more row and return its index. */
  next(): number {
    const i = this.length;
    if (i === this.device.length) this.grow(i * 2);
    this.length = i + 1;
    return i;
  }

  private grow(cap: number): void {
    const g = <T extends Uint32Array | Float64Array | Uint8Array | Uint16Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.device = g(this.device, new Uint32Array(cap));
    this.sector = g(this.sector, new Float64Array(cap));
    this.sectors = g(this.sectors, new Float64Array(cap));
    this.direction = g(this.direction, new Uint8Array(cap));
    this.pid = g(this.pid, new Uint32Array(cap));
    this.phase = g(this.phase, new Uint16Array(cap));
    this.time = g(this.time, new Float64Array(cap));
    this.intervals = this.intervals.map((a) => g(a, new Float64Array(cap)));
  }
}

/** Throw a RangeError naming the option when maxAgeNs or maxPending is unusable. */
function validateOptions(options: RequestLifecycleOptions): void {
  const { maxAgeNs, maxPending } = options;
  if (maxAgeNs !== undefined && !(maxAgeNs > 0)) {
    throw new RangeError(`Cannot track requests with maxAgeNs ${maxAgeNs}: it must be a positive number of ns`);
  }
  if (maxPending !== undefined && (!Number.isInteger(maxPending) || maxPending < 4)) {
    throw new RangeError(`Cannot track requests with maxPending ${maxPending}: it must be an integer of at least 4`);
  }
}

/** RequestDirection code of a raw action. */
function directionOf(action: number): number {
  if (action & Cat.DISCARD) return RequestDirection.discard;
  if (action & Cat.WRITE) return RequestDirection.write;
  if (action & Cat.READ) return RequestDirection.read;
  return RequestDirection.other;
}

/**
 * The state behind {@link requestLifecycle}, usable without RxJS: a slab of
 * in-flight bios in typed-array columns (no object per event), indexed by
 * device → start sector → first slot; slots with the same start form a FIFO
 * chain through `nextSame`, so repeated reads of one sector pair in order.
 *
 * @example
 * const tracker = new RequestTracker({ maxAgeNs: 10e9 });
 * const done = [...batches.map((b) => tracker.push(b)), tracker.finish()];
 */
export class RequestTracker {
  private readonly maxAgeNs: number;
  private readonly maxPending: number;
  private cap = 0;
  private dev = new Uint32Array(0);
  private start = new Float64Array(0);
  private end = new Float64Array(0);
  private pid = new Uint32Array(0);
  private phase = new Uint16Array(0);
  private dir = new Uint8Array(0);
  private qT = new Float64Array(0);
  private gT = new Float64Array(0);
  private iT = new Float64Array(0);
  private mT = new Float64Array(0);
  /** `Has` bits: the intervals btt would compute for the bio, given the order its stages came in. */
  private has = new Uint8Array(0);
  private dT = new Float64Array(0);
  private nextSame = new Int32Array(0);
  private live = new Uint8Array(0);
  private freeSlots = new Int32Array(0);
  private freeTop = 0;
  private readonly index = new Map<number, Map<number, number>>();
  private readonly queued = new Set<number>();
  private readonly names = new Map<number, string>();
  private namesOut: ReadonlyMap<number, string> = new Map();
  private namesChanged = false;
  private liveCount = 0;
  private agedOut = 0;
  private unmatched = 0;
  private skewed = 0;
  private now = 0;
  private lastSweep = 0;
  private out = new RecordColumns();

  constructor(options: RequestLifecycleOptions = {}) {
    validateOptions(options);
    this.maxAgeNs = options.maxAgeNs ?? 30e9;
    this.maxPending = options.maxPending ?? 262144;
    this.growSlab(1024);
  }

  /** Follow the events of one batch; returns the bios it completed. */
  push(batch: EventBatch): RequestBatch {
    if (batch.names) {
      for (const [p, comm] of batch.names) {
        if (this.names.get(p) !== comm) {
          this.names.set(p, comm);
          this.namesChanged = true;
        }
      }
    }
    const { action, bytes, device, sector, time } = batch;
    for (let i = 0; i < batch.length; i++) {
      const a = action[i] as number;
      const b = bytes[i] as number;
      if ((a & Cat.NOTIFY) !== 0 || b === 0) continue;
      const d = device[i] as number;
      const s = sector[i] as number;
      const t = time[i] as number;
      this.now = t;
      switch (a & 0xffff) {
        case Act.QUEUE:
          this.onQueue(batch, i, d, s, s + Math.floor(b / 512), t);
          break;
        case Act.GETRQ:
          this.onStage(this.gT, d, s, t);
          break;
        case Act.INSERT: {
          const slot = this.onStage(this.iT, d, s, t);
          if (slot !== NO_SLOT && !Number.isNaN(this.gT[slot] as number))
            this.has[slot] = (this.has[slot] as number) | Has.G2I;
          break;
        }
        case Act.BACKMERGE:
        case Act.FRONTMERGE:
          this.onStage(this.mT, d, s, t);
          break;
        case Act.SPLIT:
          this.onSplit(batch, i, d, s);
          break;
        case Act.ISSUE:
          this.onIssue(batch, i, d, s, s + Math.floor(b / 512), t);
          break;
        case Act.REQUEUE:
          this.onRequeue(d, s, s + Math.floor(b / 512));
          break;
        case Act.COMPLETE:
          this.onComplete(d, s, s + Math.floor(b / 512), t);
          break;
      }
    }
    if (this.now - this.lastSweep >= this.maxAgeNs / 4) this.sweep();
    return this.seal(false);
  }

  /** The source ended: the last (possibly empty) batch with the final counts. */
  finish(): RequestBatch {
    return this.seal(true);
  }

  private seal(final: boolean): RequestBatch {
    const o = this.out;
    const n = o.length;
    if (this.namesChanged) {
      this.namesOut = new Map(this.names);
      this.namesChanged = false;
    }
    const iv = o.intervals.map((a) => a.slice(0, n));
    const batch: RequestBatch = {
      length: n,
      device: o.device.slice(0, n),
      sector: o.sector.slice(0, n),
      sectors: o.sectors.slice(0, n),
      direction: o.direction.slice(0, n),
      pid: o.pid.slice(0, n),
      phase: o.phase.slice(0, n),
      time: o.time.slice(0, n),
      q2g: iv[0] as Float64Array,
      g2i: iv[1] as Float64Array,
      q2m: iv[2] as Float64Array,
      i2d: iv[3] as Float64Array,
      m2d: iv[4] as Float64Array,
      d2c: iv[5] as Float64Array,
      q2c: iv[6] as Float64Array,
      names: this.namesOut,
      agedOut: this.agedOut,
      unmatched: this.unmatched,
      pending: this.liveCount,
      skewed: this.skewed,
      final,
    };
    o.length = 0;
    return batch;
  }

  private onQueue(batch: EventBatch, i: number, d: number, s: number, e: number, t: number): void {
    this.queued.add(d);
    if (this.liveCount >= this.maxPending) this.evictOldest(this.maxPending >> 2);
    const slot = this.alloc(d, s, e);
    this.qT[slot] = t;
    this.pid[slot] = batch.pid[i] as number;
    this.phase[slot] = batch.phase ? (batch.phase[i] as number) : 0;
    this.dir[slot] = directionOf(batch.action[i] as number);
  }

  /** G, I, M/F: stamp the first bio starting at `s` that has not reached that stage yet; returns its slot. */
  private onStage(stamp: Float64Array, d: number, s: number, t: number): number {
    for (let slot = this.head(d, s); slot !== NO_SLOT; slot = this.nextSame[slot] as number) {
      if (Number.isNaN(stamp[slot] as number)) {
        stamp[slot] = t;
        return slot;
      }
    }
    return NO_SLOT;
  }

  /** X: split the bio starting at `s` at the sector in the payload (big-endian u64). */
  private onSplit(batch: EventBatch, i: number, d: number, s: number): void {
    const pdu = payloadOf(batch, i);
    if (pdu.length < 8) return;
    const view = new DataView(pdu.buffer, pdu.byteOffset, 8);
    const at = view.getUint32(0, false) * 4294967296 + view.getUint32(4, false);
    for (let slot = this.head(d, s); slot !== NO_SLOT; slot = this.nextSame[slot] as number) {
      if ((this.end[slot] as number) > at && at > s && Number.isNaN(this.dT[slot] as number)) {
        const piece = this.alloc(d, at, this.end[slot] as number);
        this.end[slot] = at;
        this.qT[piece] = this.qT[slot] as number;
        this.gT[piece] = this.gT[slot] as number;
        this.iT[piece] = this.iT[slot] as number;
        this.mT[piece] = this.mT[slot] as number;
        this.has[piece] = this.has[slot] as number;
        this.pid[piece] = this.pid[slot] as number;
        this.phase[piece] = this.phase[slot] as number;
        this.dir[piece] = this.dir[slot] as number;
        return;
      }
    }
  }

  private onIssue(batch: EventBatch, i: number, d: number, s: number, e: number, t: number): void {
    if (!this.queued.has(d)) {
      // A trace without queue events (e.g. recorded with -a issue -a complete): follow D → C only.
      const slot = this.alloc(d, s, e);
      this.dT[slot] = t;
      this.pid[slot] = batch.pid[i] as number;
      this.phase[slot] = batch.phase ? (batch.phase[i] as number) : 0;
      this.dir[slot] = directionOf(batch.action[i] as number);
      return;
    }
    let at = s;
    let found = 0;
    while (at < e) {
      const slot = this.cover(d, at, e, this.dT, false);
      if (slot === NO_SLOT) break;
      this.dT[slot] = t;
      const ins = !Number.isNaN(this.iT[slot] as number);
      const merged = !Number.isNaN(this.mT[slot] as number);
      this.has[slot] = ((this.has[slot] as number) & Has.G2I) | (ins ? Has.I2D : merged ? Has.M2D : 0);
      if ((this.end[slot] as number) <= at) break;
      at = this.end[slot] as number;
      found++;
    }
    if (found === 0) this.unmatched++;
  }

  private onRequeue(d: number, s: number, e: number): void {
    let at = s;
    while (at < e) {
      const slot = this.cover(d, at, e, this.dT, true);
      if (slot === NO_SLOT) break;
      this.dT[slot] = Number.NaN;
      if ((this.end[slot] as number) <= at) break;
      at = this.end[slot] as number;
    }
  }

  private onComplete(d: number, s: number, e: number, t: number): void {
    let at = s;
    let found = 0;
    while (at < e) {
      const slot = this.cover(d, at, e, this.dT, true);
      if (slot === NO_SLOT) break;
      const stop = (this.end[slot] as number) <= at;
      at = this.end[slot] as number;
      this.emit(slot, t);
      this.release(slot);
      found++;
      if (stop) break;
    }
    if (found === 0 && this.queued.has(d)) this.unmatched++;
  }

  /**
   * The bio of device `d` that starts at `at` (or, failing that, the first one
   * starting after `at`) and ends by `e`; among bios with the same start it
   * prefers one whose `stamp` is set (`stamped`) or unset (`!stamped`).
   */
  private cover(d: number, at: number, e: number, stamp: Float64Array, stamped: boolean): number {
    let first = this.head(d, at);
    if (first === NO_SLOT) first = this.headAfter(d, at, e);
    for (let slot = first; slot !== NO_SLOT; slot = this.nextSame[slot] as number) {
      if (Number.isNaN(stamp[slot] as number) !== stamped) return (this.end[slot] as number) <= e ? slot : NO_SLOT;
    }
    return first !== NO_SLOT && (this.end[first] as number) <= e ? first : NO_SLOT;
  }

  private emit(slot: number, t: number): void {
    const o = this.out;
    const r = o.next();
    const q = this.qT[slot] as number;
    const g = this.gT[slot] as number;
    const ins = this.iT[slot] as number;
    const m = this.mT[slot] as number;
    const dt = this.dT[slot] as number;
    o.device[r] = this.dev[slot] as number;
    o.sector[r] = this.start[slot] as number;
    o.sectors[r] = (this.end[slot] as number) - (this.start[slot] as number);
    o.direction[r] = this.dir[slot] as number;
    o.pid[r] = this.pid[slot] as number;
    o.phase[r] = this.phase[slot] as number;
    o.time[r] = t;
    const iv = o.intervals;
    const has = this.has[slot] as number;
    (iv[0] as Float64Array)[r] = this.delta(q, g);
    (iv[1] as Float64Array)[r] = has & Has.G2I ? this.delta(g, ins) : Number.NaN;
    (iv[2] as Float64Array)[r] = this.delta(q, m);
    (iv[3] as Float64Array)[r] = has & Has.I2D ? this.delta(ins, dt) : Number.NaN;
    (iv[4] as Float64Array)[r] = has & Has.M2D ? this.delta(m, dt) : Number.NaN;
    (iv[5] as Float64Array)[r] = this.delta(dt, t);
    (iv[6] as Float64Array)[r] = this.delta(q, t);
  }

  /**
   * Interval from `from` to `to` in ns as btt's `tdelta` counts it: NaN when
   * a stage is missing, else at least 1 ns; an end stamped before its start
   * (skewed CPU clocks) is counted in `skewed`.
   */
  private delta(from: number, to: number): number {
    if (Number.isNaN(from) || Number.isNaN(to)) return Number.NaN;
    if (from < to) return to - from;
    if (from > to) this.skewed++;
    return 1;
  }

  private head(d: number, s: number): number {
    return this.index.get(d)?.get(s) ?? NO_SLOT;
  }

  /** Slow path when a request's bios do not chain: the first bio starting in (at, e). */
  private headAfter(d: number, at: number, e: number): number {
    const byStart = this.index.get(d);
    if (!byStart) return NO_SLOT;
    let best = Number.POSITIVE_INFINITY;
    for (const s of byStart.keys()) if (s > at && s < e && s < best) best = s;
    return best === Number.POSITIVE_INFINITY ? NO_SLOT : (byStart.get(best) ?? NO_SLOT);
  }

  private alloc(d: number, s: number, e: number): number {
    if (this.freeTop === 0) this.growSlab(this.cap * 2);
    const slot = this.freeSlots[--this.freeTop] as number;
    this.dev[slot] = d;
    this.start[slot] = s;
    this.end[slot] = e;
    this.qT[slot] = Number.NaN;
    this.gT[slot] = Number.NaN;
    this.iT[slot] = Number.NaN;
    this.mT[slot] = Number.NaN;
    this.dT[slot] = Number.NaN;
    this.has[slot] = 0;
    this.nextSame[slot] = NO_SLOT;
    this.live[slot] = 1;
    this.liveCount++;
    let byStart = this.index.get(d);
    if (!byStart) {
      byStart = new Map();
      this.index.set(d, byStart);
    }
    const first = byStart.get(s);
    if (first === undefined) byStart.set(s, slot);
    else {
      let last = first;
      while ((this.nextSame[last] as number) !== NO_SLOT) last = this.nextSame[last] as number;
      this.nextSame[last] = slot;
    }
    return slot;
  }

  private release(slot: number): void {
    const d = this.dev[slot] as number;
    const s = this.start[slot] as number;
    const byStart = this.index.get(d);
    const first = byStart?.get(s);
    if (byStart && first !== undefined) {
      if (first === slot) {
        const rest = this.nextSame[slot] as number;
        if (rest === NO_SLOT) byStart.delete(s);
        else byStart.set(s, rest);
      } else {
        let prev = first;
        while ((this.nextSame[prev] as number) !== slot && (this.nextSame[prev] as number) !== NO_SLOT) {
          prev = this.nextSame[prev] as number;
        }
        if ((this.nextSame[prev] as number) === slot) this.nextSame[prev] = this.nextSame[slot] as number;
      }
    }
    this.live[slot] = 0;
    this.liveCount--;
    this.freeSlots[this.freeTop++] = slot;
  }

  /** Time a bio entered tracking (queue, or issue for D-only traces). */
  private since(slot: number): number {
    const q = this.qT[slot] as number;
    return Number.isNaN(q) ? (this.dT[slot] as number) : q;
  }

  /** Drop bios older than maxAgeNs. */
  private sweep(): void {
    this.lastSweep = this.now;
    const limit = this.now - this.maxAgeNs;
    for (let slot = 0; slot < this.cap; slot++) {
      if (this.live[slot] === 1 && this.since(slot) < limit) {
        this.release(slot);
        this.agedOut++;
      }
    }
  }

  /** Drop at least `count` of the oldest bios. */
  private evictOldest(count: number): void {
    const times = new Float64Array(this.liveCount);
    let n = 0;
    for (let slot = 0; slot < this.cap; slot++) if (this.live[slot] === 1) times[n++] = this.since(slot);
    times.sort();
    const limit = times[Math.min(count, n) - 1] as number;
    for (let slot = 0; slot < this.cap; slot++) {
      if (this.live[slot] === 1 && this.since(slot) <= limit) {
        this.release(slot);
        this.agedOut++;
      }
    }
  }

  private growSlab(cap: number): void {
    const old = this.cap;
    const g = <T extends Uint32Array | Float64Array | Uint8Array | Uint16Array | Int32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.dev = g(this.dev, new Uint32Array(cap));
    this.start = g(this.start, new Float64Array(cap));
    this.end = g(this.end, new Float64Array(cap));
    this.pid = g(this.pid, new Uint32Array(cap));
    this.phase = g(this.phase, new Uint16Array(cap));
    this.dir = g(this.dir, new Uint8Array(cap));
    this.qT = g(this.qT, new Float64Array(cap));
    this.gT = g(this.gT, new Float64Array(cap));
    this.iT = g(this.iT, new Float64Array(cap));
    this.mT = g(this.mT, new Float64Array(cap));
    this.dT = g(this.dT, new Float64Array(cap));
    this.has = g(this.has, new Uint8Array(cap));
    this.nextSame = g(this.nextSame, new Int32Array(cap));
    this.live = g(this.live, new Uint8Array(cap));
    const free = new Int32Array(cap);
    free.set(this.freeSlots.subarray(0, this.freeTop));
    for (let slot = cap - 1; slot >= old; slot--) free[this.freeTop++] = slot;
    this.freeSlots = free;
    this.cap = cap;
  }
}

/**
 * Follow each bio from queue to completion, pairing events by device and
 * sector (not by sequence number), and emit the completed ones as columns of
 * stage intervals (Q2G, G2I, Q2M, I2D, M2D, D2C, Q2C in ns; NaN where the
 * trace lacks a stage). Batches with no completions are not emitted; when the
 * source completes, one `final` batch carries the counts of bios aged out,
 * unmatched and still pending. State is bounded by `maxPending` and `maxAgeNs`.
 *
 * @example
 * fromTrace(["trace.bin"]).pipe(requestLifecycle()).subscribe((r) => console.log(r.length, r.d2c[0]));
 */
export function requestLifecycle(options: RequestLifecycleOptions = {}): OperatorFunction<EventBatch, RequestBatch> {
  validateOptions(options);
  return (source: Observable<EventBatch>) =>
    defer(() => {
      const tracker = new RequestTracker(options);
      return concat(
        source.pipe(
          map((batch) => tracker.push(batch)),
          filter((out) => out.length > 0),
        ),
        defer(() => of(tracker.finish())),
      );
    });
}
