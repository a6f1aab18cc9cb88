import { type GrowableArray, grown } from "../model/grown.js";

/** A slot index that is no slot. */
export const NO_SLOT = -1;

/**
 * Bits of {@link BioSlab.has}: which intervals btt computes for a bio. It
 * takes G2I when the I arrives after the G, I2D (else M2D) when the D
 * arrives after the I (else the M); a stage that comes later than its
 * successor gives no interval.
 */
export const Has = { G2I: 1, I2D: 2, M2D: 4 } as const;

/**
 * The in-flight bios of {@link RequestTracker} as a slab of typed-array
 * columns (no object per bio): slots are reused through a free list, and
 * indexed by device → start sector → first slot; slots with the same start
 * form a FIFO chain through `nextSame`, so repeated reads of one sector pair
 * in order. Columns are public fields for the tracker's hot loop; they are
 * replaced when the slab grows, so read them through the slab.
 *
 * @example
 * const slab = new BioSlab(1024);
 * const slot = slab.alloc(device, 2048, 2056); slab.qTime[slot] = t;
 */
export class BioSlab {
  /** Slots allocated (live or free). */
  cap = 0;
  dev = new Uint32Array(0);
  start = new Float64Array(0);
  end = new Float64Array(0);
  pid = new Uint32Array(0);
  phase = new Uint16Array(0);
  dir = new Uint8Array(0);
  /*
   * Stage times (ns), NaN until the bio reaches the stage: queue (Q), get
   * request (G), insert (I), merge (M or F) and issue (D). Plain fields,
   * not a record: the tracker's hot loop reads them on every event.
   */
  qTime = new Float64Array(0);
  gTime = new Float64Array(0);
  iTime = new Float64Array(0);
  mTime = new Float64Array(0);
  dTime = new Float64Array(0);
  /** {@link Has} bits: the intervals btt would compute for the bio, given the order its stages came in. */
  has = new Uint8Array(0);
  /** Next slot with the same device and start, or NO_SLOT. */
  nextSame = new Int32Array(0);
  private live = new Uint8Array(0);
  /** The columns a split piece inherits from its bio (rebuilt when the slab grows). */
  private inherited: GrowableArray[] = [];
  private freeSlots = new Int32Array(0);
  private freeTop = 0;
  private readonly index = new Map<number, Map<number, number>>();
  /** Slots in use. */
  liveCount = 0;

  constructor(initialSlots: number) {
    this.grow(initialSlots);
  }

  /** A slot for the bio [s, e) of device `d`, its stamps unset, at the end of its start's chain. */
  alloc(d: number, s: number, e: number): number {
    if (this.freeTop === 0) this.grow(this.cap * 2);
    const slot = this.freeSlots[--this.freeTop] as number;
    this.dev[slot] = d;
    this.start[slot] = s;
    this.end[slot] = e;
    this.qTime[slot] = Number.NaN;
    this.gTime[slot] = Number.NaN;
    this.iTime[slot] = Number.NaN;
    this.mTime[slot] = Number.NaN;
    this.dTime[slot] = Number.NaN;
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
    else this.nextSame[this.lastOfChain(first)] = slot;
    return slot;
  }

  /** A new slot for the piece [at, end) of `slot`'s bio, with its stamps and owner; `slot` now ends at `at`. */
  splitAt(slot: number, at: number): number {
    const piece = this.alloc(this.dev[slot] as number, at, this.end[slot] as number);
    this.end[slot] = at;
    for (const column of this.inherited) column[piece] = column[slot] as number;
    return piece;
  }

  /** Free `slot` and unlink it from its chain. */
  release(slot: number): void {
    const byStart = this.index.get(this.dev[slot] as number);
    const s = this.start[slot] as number;
    const first = byStart?.get(s);
    const rest = this.nextSame[slot] as number;
    if (byStart && first !== undefined) {
      if (first === slot) {
        if (rest === NO_SLOT) byStart.delete(s);
        else byStart.set(s, rest);
      } else {
        let prev = first;
        let next = this.nextSame[prev] as number;
        while (next !== slot && next !== NO_SLOT) {
          prev = next;
          next = this.nextSame[prev] as number;
        }
        if (next === slot) this.nextSame[prev] = rest;
      }
    }
    this.live[slot] = 0;
    this.liveCount--;
    this.freeSlots[this.freeTop++] = slot;
  }

  /** The next slot after `slot` with the same device and start, or NO_SLOT. */
  next(slot: number): number {
    return this.nextSame[slot] as number;
  }

  /** The sector after the last one of `slot`'s bio. */
  endOf(slot: number): number {
    return this.end[slot] as number;
  }

  /** First slot of the bios of device `d` that start at `s`, or NO_SLOT. */
  head(d: number, s: number): number {
    return this.index.get(d)?.get(s) ?? NO_SLOT;
  }

  /** Slow path when a request's bios do not chain: the first bio starting in (at, e). */
  headAfter(d: number, at: number, e: number): number {
    const byStart = this.index.get(d);
    if (!byStart) return NO_SLOT;
    let best = Number.POSITIVE_INFINITY;
    for (const s of byStart.keys()) if (s > at && s < e && s < best) best = s;
    return best === Number.POSITIVE_INFINITY ? NO_SLOT : (byStart.get(best) ?? NO_SLOT);
  }

  /** Free every bio that entered tracking before `limit` (ns); returns how many. */
  releaseEnteredBefore(limit: number): number {
    return this.releaseEntered(limit, false);
  }

  /** Free at least `count` of the bios that entered tracking first; returns how many were freed. */
  releaseOldest(count: number): number {
    const times = new Float64Array(this.liveCount);
    let n = 0;
    for (let slot = 0; slot < this.cap; slot++) if (this.live[slot] === 1) times[n++] = this.since(slot);
    times.sort();
    return this.releaseEntered(times[Math.min(count, n) - 1] as number, true);
  }

  /** Free the bios that entered before `limit` (or at it, when `inclusive`). */
  private releaseEntered(limit: number, inclusive: boolean): number {
    let released = 0;
    for (let slot = 0; slot < this.cap; slot++) {
      if (this.live[slot] !== 1) continue;
      const since = this.since(slot);
      if (since < limit || (inclusive && since === limit)) {
        this.release(slot);
        released++;
      }
    }
    return released;
  }

  /** Time a bio entered tracking (queue, or issue for D-only traces). */
  private since(slot: number): number {
    const q = this.qTime[slot] as number;
    return Number.isNaN(q) ? (this.dTime[slot] as number) : q;
  }

  private lastOfChain(first: number): number {
    let last = first;
    for (let next = this.nextSame[last] as number; next !== NO_SLOT; next = this.nextSame[last] as number) last = next;
    return last;
  }

  private grow(cap: number): void {
    const old = this.cap;
    this.dev = grown(this.dev, cap);
    this.start = grown(this.start, cap);
    this.end = grown(this.end, cap);
    this.pid = grown(this.pid, cap);
    this.phase = grown(this.phase, cap);
    this.dir = grown(this.dir, cap);
    this.qTime = grown(this.qTime, cap);
    this.gTime = grown(this.gTime, cap);
    this.iTime = grown(this.iTime, cap);
    this.mTime = grown(this.mTime, cap);
    this.dTime = grown(this.dTime, cap);
    this.has = grown(this.has, cap);
    this.nextSame = grown(this.nextSame, cap);
    this.live = grown(this.live, cap);
    const free = grown(this.freeSlots, cap);
    for (let slot = cap - 1; slot >= old; slot--) free[this.freeTop++] = slot;
    this.freeSlots = free;
    this.cap = cap;
    this.inherited = [this.qTime, this.gTime, this.iTime, this.mTime, this.has, this.pid, this.phase, this.dir];
  }
}

/**
 * True when the stage column `stamp` is set for `slot` (the bio reached that stage).
 *
 * @example if (isStamped(slab.dTime, slot)) { ... } // issued
 */
export function isStamped(stamp: Float64Array, slot: number): boolean {
  return !Number.isNaN(stamp[slot] as number);
}
