/**
 * A set of sectors whose memory grows with the range touched, not with the
 * device size: the key space is cut into chunks of 65,536 sectors (32 MiB);
 * a chunk exists only once touched. A chunk holds sorted, disjoint runs as
 * (start, length − 1) u16 pairs — 4 bytes per run — and turns into a plain
 * 8 KiB bitmap once it has more than 2,048 runs, so no chunk ever costs more
 * than 8 KiB (+ its Map entry). Worst case: 8 KiB per 32 MiB of range touched
 * (0.025 % of the range: 256 MiB for a fully scattered 1 TiB); scattered
 * reads cost ~4 bytes each (1M random reads over 1 TiB: ~32K chunks,
 * ~4–8 MB).
 *
 * Hand-written because no maintained npm bitmap offers run containers with
 * a "newly added" count per insert, which dedup needs on its hot path.
 */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MAX_RUNS = 2048;

interface RunChunk {
  kind: 0;
  /** Interleaved [start, length − 1] pairs, sorted by start, disjoint and non-adjacent. */
  runs: Uint16Array;
  count: number;
}
interface BitChunk {
  kind: 1;
  bits: Uint32Array;
}
type Chunk = RunChunk | BitChunk;

/**
 * Sparse sector set with O(log runs) inserts that report how many sectors
 * were new.
 *
 * @example const s = new SectorSet(); s.add(2048, 128); s.size // 128
 */
export class SectorSet {
  private readonly chunks = new Map<number, Chunk>();
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

  /** Bytes held by chunk storage (for the memory bound in the docs and bench). */
  get storageBytes(): number {
    let bytes = 0;
    for (const c of this.chunks.values()) bytes += c.kind === 0 ? c.runs.byteLength : c.bits.byteLength;
    return bytes;
  }

  /** Number of chunks touched. */
  get chunkCount(): number {
    return this.chunks.size;
  }

  /** True when the sector is in the set. */
  has(sector: number): boolean {
    const c = this.chunks.get(Math.floor(sector / CHUNK));
    if (!c) return false;
    const off = sector - Math.floor(sector / CHUNK) * CHUNK;
    if (c.kind === 1) return ((c.bits[off >>> 5] as number) & (1 << (off & 31))) !== 0;
    for (let i = 0; i < c.count; i++) {
      const a = c.runs[2 * i] as number;
      if (off < a) return false;
      if (off <= a + (c.runs[2 * i + 1] as number)) return true;
    }
    return false;
  }

  private addInChunk(key: number, from: number, to: number): number {
    let c = this.chunks.get(key);
    if (!c) {
      c = { kind: 0, runs: new Uint16Array(4), count: 0 };
      this.chunks.set(key, c);
    }
    if (c.kind === 1) return setBits(c.bits, from, to);
    const added = addRun(c, from, to);
    if (c.count > MAX_RUNS) this.chunks.set(key, toBits(c));
    return added;
  }
}

/** Insert [from, to) into a run chunk, merging overlapping/adjacent runs; returns new sectors. */
function addRun(c: RunChunk, from: number, to: number): number {
  const runs = c.runs;
  // First run whose end (start + len) >= from: it may touch or overlap.
  let lo = 0;
  let hi = c.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((runs[2 * mid] as number) + (runs[2 * mid + 1] as number) + 1 < from) lo = mid + 1;
    else hi = mid;
  }
  let j = lo;
  let start = from;
  let end = to;
  let covered = 0;
  while (j < c.count && (runs[2 * j] as number) <= to) {
    const a = runs[2 * j] as number;
    const b = a + (runs[2 * j + 1] as number) + 1;
    covered += Math.max(0, Math.min(b, to) - Math.max(a, from));
    if (a < start) start = a;
    if (b > end) end = b;
    j++;
  }
  const removed = j - lo;
  const newCount = c.count - removed + 1;
  if (2 * newCount > c.runs.length) {
    const bigger = new Uint16Array(Math.max(4, c.runs.length * 2, 2 * newCount));
    bigger.set(c.runs.subarray(0, 2 * c.count));
    c.runs = bigger;
  }
  const r = c.runs;
  if (removed !== 1) r.copyWithin(2 * (lo + 1), 2 * j, 2 * c.count);
  r[2 * lo] = start;
  r[2 * lo + 1] = end - start - 1;
  c.count = newCount;
  return to - from - covered;
}

function toBits(c: RunChunk): BitChunk {
  const bits = new Uint32Array(CHUNK / 32);
  for (let i = 0; i < c.count; i++) {
    const a = c.runs[2 * i] as number;
    setBits(bits, a, a + (c.runs[2 * i + 1] as number) + 1);
  }
  return { kind: 1, bits };
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
