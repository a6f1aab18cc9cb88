import { SectorSet } from "../operators/sectorSet.js";

/** Rough V8 cost of one touched chunk beyond `storageBytes`: its entry in the set's index Map. */
export const CHUNK_OVERHEAD_BYTES = 40;

/** A small deterministic PRNG (mulberry32), so every bench run inserts the same sectors. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Memory of a SectorSet after `reads` random reads of `sectors` sectors
 * scattered uniformly over `rangeSectors` (e.g. 1M × 8 sectors over 1 TB =
 * 2^31 sectors): its own `storageBytes`, an estimate with per-chunk
 * overhead, and the measured heap + ArrayBuffer delta (exact when node runs
 * with --expose-gc).
 *
 * @example await measureSectorSet(1_000_000, 8, 2 ** 31)
 */
export async function measureSectorSet(reads: number, sectors: number, rangeSectors: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  // ArrayBuffer backing stores are freed after the collection that finds them dead, so collect,
  // let the event loop turn, and collect again before reading (one pass left 0-5 MB of stale buffers).
  const used = async (): Promise<number> => {
    for (let pass = 0; pass < 3; pass++) {
      gc?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const random = mulberry32(42);
  const before = await used();
  const set = new SectorSet();
  for (let i = 0; i < reads; i++) set.add(Math.floor(random() * (rangeSectors - sectors)), sectors);
  const after = await used();
  return {
    reads,
    sectors,
    rangeSectors,
    uniqueSectors: set.size,
    chunks: set.chunkCount,
    storageBytes: set.storageBytes,
    estimateBytes: set.storageBytes + set.chunkCount * CHUNK_OVERHEAD_BYTES,
    heapDeltaBytes: after - before,
    exactHeap: gc !== undefined,
  };
}
