import { grown } from "../model/grown.js";

/**
 * A set of sectors whose memory grows with the range touched, not with the
 * device size: the key space is cut into chunks of 65,536 sectors (32 MiB);
 * a chunk exists only once touched. A chunk holds sorted, disjoint runs as
 * (start, length − 1) u16 pairs — 4 bytes per run — and turns into a plain
 * 8 KiB bitmap once it has more than 2,048 runs, so no chunk ever costs more
 * than 8 KiB (+ its index entry). Worst case: 8 KiB per 32 MiB of range
 * touched (0.025 % of the range: 256 MiB for a fully scattered 1 TiB);
 * scattered reads cost ~4–6 bytes each plus ~40 bytes per touched chunk
 * (1M random reads over 1 TiB: 32K chunks, ~7 MB in all, measured by
 * `npm run bench`).
 *
 * The run lists of all chunks share one Uint16Array arena (a slot per chunk
 * holds its offset, capacity and run count in typed arrays), instead of a
 * typed array and an object per chunk: those cost ~300 bytes of V8 headers
 * each, more than the runs of a scattered chunk themselves. A run list that
 * outgrows its capacity moves to the arena's end (capacity × 1.5); the
 * arena is compacted into a new one, 25 % larger than what is live, when
 * it fills.
 *
 * Hand-written because no maintained npm bitmap offers run containers with
 * a "newly added" count per insert, which dedup needs on its hot path.
 */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MAX_RUNS = 2048;
/** `cap` of a slot that is a bitmap (its `start` is then an index into `bitmaps`). */
const BITMAP = 0xffffffff;

/**
 * Sparse sector set with O(log runs) inserts that report how many sectors
 * were new.
 *
 * @example const s = new SectorSet(); s.add(2048, 128); s.size // 128
 */
export class SectorSet {
  /** Chunk key → slot. */
  private readonly index = new Map<number, number>();
  /** Per slot: arena offset (u16 units) of its runs, or its bitmap index. */
  private start: Uint32Array = new Uint32Array(16);
  /** Per slot: run capacity, or BITMAP. */
  private cap: Uint32Array = new Uint32Array(16);
  /** Per slot: runs in use. */
  private count: Uint32Array = new Uint32Array(16);
  private slots = 0;
  private arena: Uint16Array = new Uint16Array(1024);
  /** Arena elements handed out (live + abandoned). */
  private used = 0;
  /** Arena elements reserved by run slots (2 × capacity each). */
  private live = 0;
  private readonly bitmaps: Uint32Array[] = [];
  /** Distinct sectors in the set. */
  size = 0;

  /** Add sectors [start, start + count); returns how many were not in the set before. */
  add(start: number, count: number): number {
    let added = 0;
    let s = start;
    const end = start + count;
    while (s < end) {
      const key = Math.floor(s / CHUNK);
      const base = key * CHUNK;
      const to = Math.min(end, base + CHUNK);
      added += this.addInChunk(key, s - base, to - base);
      s = to;
    }
    this.size += added;
    return added;
  }

  /** Bytes held by the set's storage: arena, bitmaps and per-chunk slot arrays (the index Map is extra). */
  get storageBytes(): number {
    return (
      this.arena.byteLength +
      this.bitmaps.length * (CHUNK / 8) +
      this.start.byteLength +
      this.cap.byteLength +
      this.count.byteLength
    );
  }

  /** Number of chunks touched. */
  get chunkCount(): number {
    return this.slots;
  }

  /** True when the sector is in the set. */
  has(sector: number): boolean {
    const key = Math.floor(sector / CHUNK);
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    const off = sector - key * CHUNK;
    const b = this.start[slot] as number;
    if (this.cap[slot] === BITMAP) {
      const bits = this.bitmaps[b] as Uint32Array;
      return ((bits[off >>> 5] as number) & (1 << (off & 31))) !== 0;
    }
    const r = this.arena;
    const n = this.count[slot] as number;
    for (let i = 0; i < n; i++) {
      const a = r[b + 2 * i] as number;
      if (off < a) return false;
      if (off <= a + (r[b + 2 * i + 1] as number)) return true;
    }
    return false;
  }

  private addInChunk(key: number, from: number, to: number): number {
    let slot = this.index.get(key);
    if (slot === undefined) {
      slot = this.newSlot();
      this.index.set(key, slot);
    }
    if (this.cap[slot] === BITMAP) return setBits(this.bitmaps[this.start[slot] as number] as Uint32Array, from, to);
    const added = this.addRun(slot, from, to);
    if ((this.count[slot] as number) > MAX_RUNS) this.toBitmap(slot);
    return added;
  }

  private newSlot(): number {
    const slot = this.slots++;
    if (slot >= this.start.length) {
      const n = Math.ceil(this.start.length * 1.5);
      this.start = grown(this.start, n);
      this.cap = grown(this.cap, n);
      this.count = grown(this.count, n);
    }
    this.start[slot] = 0;
    this.cap[slot] = 0;
    this.count[slot] = 0;
    return slot;
  }

  /** Insert [from, to) into a run slot, merging overlapping/adjacent runs; returns new sectors. */
  private addRun(slot: number, from: number, to: number): number {
    let b = this.start[slot] as number;
    let r = this.arena;
    const n = this.count[slot] as number;
    // First run whose end (start + len) >= from: it may touch or overlap.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((r[b + 2 * mid] as number) + (r[b + 2 * mid + 1] as number) + 1 < from) lo = mid + 1;
      else hi = mid;
    }
    let j = lo;
    let start = from;
    let end = to;
    let covered = 0;
    while (j < n && (r[b + 2 * j] as number) <= to) {
      const a = r[b + 2 * j] as number;
      const e = a + (r[b + 2 * j + 1] as number) + 1;
      covered += Math.max(0, Math.min(e, to) - Math.max(a, from));
      if (a < start) start = a;
      if (e > end) end = e;
      j++;
    }
    const removed = j - lo;
    const newCount = n - removed + 1;
    if (newCount > (this.cap[slot] as number)) {
      this.grow(slot, newCount);
      b = this.start[slot] as number;
      r = this.arena;
    }
    if (removed !== 1) r.copyWithin(b + 2 * (lo + 1), b + 2 * j, b + 2 * n);
    r[b + 2 * lo] = start;
    r[b + 2 * lo + 1] = end - start - 1;
    this.count[slot] = newCount;
    return to - from - covered;
  }

  /** Give a run slot room for at least `need` runs at the arena's end (compacting the arena when full). */
  private grow(slot: number, need: number): void {
    const old = this.cap[slot] as number;
    const cap = Math.max(need, old + Math.max(2, old >>> 1));
    if (this.used + 2 * cap > this.arena.length) this.compact(2 * cap);
    const at = this.used;
    const from = this.start[slot] as number;
    this.arena.copyWithin(at, from, from + 2 * (this.count[slot] as number));
    this.start[slot] = at;
    this.cap[slot] = cap;
    this.used += 2 * cap;
    this.live += 2 * (cap - old);
  }

  /** Copy the live run lists into a new arena with room for `extra` more elements and 25 % headroom. */
  private compact(extra: number): void {
    const next = new Uint16Array(Math.ceil((this.live + extra) * 1.25) + 1024);
    let at = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      const cap = this.cap[slot] as number;
      if (cap === BITMAP || cap === 0) continue;
      const from = this.start[slot] as number;
      next.set(this.arena.subarray(from, from + 2 * (this.count[slot] as number)), at);
      this.start[slot] = at;
      at += 2 * cap;
    }
    this.arena = next;
    this.used = at;
  }

  private toBitmap(slot: number): void {
    const bits = new Uint32Array(CHUNK / 32);
    const b = this.start[slot] as number;
    const n = this.count[slot] as number;
    for (let i = 0; i < n; i++) {
      const a = this.arena[b + 2 * i] as number;
      setBits(bits, a, a + (this.arena[b + 2 * i + 1] as number) + 1);
    }
    this.live -= 2 * (this.cap[slot] as number);
    this.start[slot] = this.bitmaps.length;
    this.cap[slot] = BITMAP;
    this.count[slot] = 0;
    this.bitmaps.push(bits);
  }
}

/** Set bits [from, to); returns how many were clear. */
function setBits(bits: Uint32Array, from: number, to: number): number {
  let added = 0;
  let i = from;
  while (i < to) {
    const w = i >>> 5;
    const lo = i & 31;
    const hi = Math.min(32, lo + (to - i));
    const mask = hi - lo === 32 ? 0xffffffff : ((1 << (hi - lo)) - 1) << lo;
    const old = bits[w] as number;
    const now = (old | mask) >>> 0;
    added += popcount((now ^ old) >>> 0);
    bits[w] = now;
    i += hi - lo;
  }
  return added;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
