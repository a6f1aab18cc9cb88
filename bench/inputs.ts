import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (dist/bench/.. /.. when compiled). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The fixtures the bench inputs are built from. */
export const FIXTURES = join(ROOT, "test", "fixtures");
/** Where generated inputs live (not in the repo); override with BLKRX_BENCH_DIR. */
export const CACHE_DIR = process.env.BLKRX_BENCH_DIR ?? "/tmp/blkrx-bench";
/** The trace every bench input repeats: 2,773 records, 243 of them D reads in the fragmented file. */
export const SEED_TRACE = join(FIXTURES, "pressure-frag.bin");
/** The analyze flags that go with the seed trace (13 extents, partition at sector 2048). */
export const SEED_FLAGS = ["--extents", join(FIXTURES, "frag.filefrag.txt"), "--partition-start", "2048"];
/** Clock distance between two copies of the seed trace (it lasts 0.231 s). */
const PERIOD_NS = 250_000_000;

/** A generated bench input and how many copies of the seed trace it holds. */
export interface BenchTrace {
  path: string;
  repeats: number;
  records: number;
  bytes: number;
}

/** Record boundaries of a binary trace (offsets of each 48-byte header). */
function recordOffsets(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  for (let p = 0; p + 48 <= bytes.length; p += 48 + view.getUint16(p + 46, true)) offsets.push(p);
  return offsets;
}

/** Number of records in the seed trace. */
export function seedRecords(): number {
  return recordOffsets(readFileSync(SEED_TRACE)).length;
}

/**
 * Write (once; cached under CACHE_DIR) a binary trace made of `repeats`
 * copies of the seed trace, copy k shifted by k × 250 ms on the clock, so
 * the file is time-ordered and its analyze summary is predictable from one
 * and two copies. The u64 time field is patched in place (little-endian, as
 * the seed); nothing else changes.
 *
 * @example const t = repeatedTrace(1804); // ≥ 5M records
 */
export function repeatedTrace(repeats: number): BenchTrace {
  mkdirSync(CACHE_DIR, { recursive: true });
  const seed = readFileSync(SEED_TRACE);
  const offsets = recordOffsets(seed);
  const path = join(CACHE_DIR, `frag-x${repeats}.bin`);
  const bytes = seed.length * repeats;
  if (!existsSync(path) || statSync(path).size !== bytes) {
    const copy = Buffer.from(seed);
    const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
    const base = offsets.map((p) => seed.readBigUInt64LE(p + 8));
    const tmp = `${path}.tmp${process.pid}`;
    const fd = openSync(tmp, "w");
    try {
      for (let k = 0; k < repeats; k++) {
        const shift = BigInt(k) * BigInt(PERIOD_NS);
        offsets.forEach((p, i) => {
          const t = (base[i] as bigint) + shift;
          view.setUint32(p + 8, Number(t & 0xffffffffn), true);
          view.setUint32(p + 12, Number(t >> 32n), true);
        });
        writeSync(fd, copy);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  }
  return { path, repeats, records: offsets.length * repeats, bytes };
}

/** Copies of the seed trace needed for at least `records` records. */
export function repeatsFor(records: number): number {
  return Math.ceil(records / seedRecords());
}

/**
 * The blkparse text of a binary bench trace, made once by real blkparse
 * (`blkparse -q -i - -o FILE < trace`) and cached beside it.
 *
 * @example const text = blkparseText(repeatedTrace(1804)); // frag-x1804.blkparse.txt
 */
export function blkparseText(trace: BenchTrace): string {
  const out = trace.path.replace(/\.bin$/, ".blkparse.txt");
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(trace.path).mtimeMs) return out;
  const tmp = `${out}.tmp${process.pid}`;
  const input = openSync(trace.path, "r");
  try {
    const r = spawnSync("blkparse", ["-q", "-i", "-", "-o", tmp], { stdio: [input, "ignore", "inherit"] });
    if (r.status !== 0) throw new Error(`blkparse failed on ${trace.path} (exit ${r.status})`);
  } finally {
    closeSync(input);
  }
  renameSync(tmp, out);
  return out;
}
