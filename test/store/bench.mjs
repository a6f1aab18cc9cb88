// Store benchmark (not a vitest test): node test/store/bench.mjs [EVENTS]
// 1. DuckDB ingest of EVENTS analyzed events through openRunWriter (events/s).
// 2. A synthetic binary trace of EVENTS D reads: `blkrx analyze` with --db vs --no-db (wall-time ratio).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocColumns, NO_GAP, sealBatch } from "../../dist/model/batch.js";
import { openRunWriter } from "../../dist/sinks/duckdb/index.js";

const events = Number(process.argv[2] ?? 2_000_000);
const dir = mkdtempSync(join(tmpdir(), "blkrx-bench-"));
const bin = new URL("../../dist/cli/bin.js", import.meta.url).pathname;

function batches(size) {
  const out = [];
  for (let at = 0; at < events; at += size) {
    const n = Math.min(size, events - at);
    const cols = allocColumns(n);
    const gap = new Float64Array(n);
    const cls = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = at + i;
      cols.time[i] = k * 1000;
      cols.sector[i] = (k % 7) * 1e6 + k * 8;
      cols.bytes[i] = 4096;
      cols.action[i] = 7 | (1 << 16);
      cols.cpu[i] = k & 1;
      cols.pid[i] = 4242;
      gap[i] = k === 0 ? Number.NaN : k % 7 === 0 ? -6e6 : 1e6;
      cls[i] = k === 0 ? NO_GAP : k % 7 === 0 ? 4 : 3;
    }
    const pieces = {
      first: Uint32Array.from({ length: n + 1 }, (_, i) => i),
      start: cols.sector.slice(0, n),
      sectors: new Float64Array(n).fill(8),
    };
    out.push(
      sealBatch(cols, n, { pieces, gaps: { physical: gap, physicalClass: cls, logical: gap, logicalClass: cls } }),
    );
  }
  return out;
}

const data = batches(8192);
const writer = await openRunWriter(join(dir, "ingest.duckdb"), {
  commandLine: "bench",
  source: "file",
  action: "D",
  rw: "read",
  small: 256,
  medium: 2048,
});
const t0 = performance.now();
for (const b of data) writer.append(b);
const tAppend = performance.now();
const zero = { sequential: 0, small: 0, medium: 0, large: 0, backward: 0 };
await writer.commit({
  events,
  readBytes: 0,
  uniqueBytes: 0,
  uniqueSectors: 0,
  fileBytes: null,
  fileSectors: null,
  coverage: null,
  extents: null,
  gaps: { physical: zero, logical: zero },
});
const t1 = performance.now();
console.log(
  `ingest: ${events} events, append ${((tAppend - t0) / 1000).toFixed(2)} s, with commit ${((t1 - t0) / 1000).toFixed(2)} s = ${Math.round(events / ((t1 - t0) / 1000)).toLocaleString("en")} events/s`,
);

// A binary blk_io_trace v7 file of `events` D reads (little-endian, 48-byte records, no payload).
const buf = Buffer.alloc(events * 48);
for (let k = 0; k < events; k++) {
  const o = k * 48;
  buf.writeUInt32LE(0x65617407, o);
  buf.writeUInt32LE(k, o + 4);
  buf.writeBigUInt64LE(BigInt(k * 1000), o + 8);
  buf.writeBigUInt64LE(BigInt((k % 7) * 1e6 + k * 8), o + 16);
  buf.writeUInt32LE(4096, o + 24);
  buf.writeUInt32LE((7 | (1 << 16)) >>> 0, o + 28);
  buf.writeUInt32LE(4242, o + 32);
  buf.writeUInt32LE((7 << 20) >>> 0, o + 36);
}
const trace = join(dir, "big.bin");
writeFileSync(trace, buf);
const time = (args) => {
  const s = performance.now();
  execFileSync(process.execPath, [bin, "analyze", trace, "--json", ...args], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return (performance.now() - s) / 1000;
};
const runs = 3;
let without = Number.POSITIVE_INFINITY;
let withDb = Number.POSITIVE_INFINITY;
for (let r = 0; r < runs; r++) {
  without = Math.min(without, time(["--no-db"]));
  withDb = Math.min(withDb, time(["--db", join(dir, `analyze${r}.duckdb`)]));
}
console.log(
  `analyze ${events} events: --no-db ${without.toFixed(2)} s, --db ${withDb.toFixed(2)} s, ratio ${(withDb / without).toFixed(2)} (best of ${runs})`,
);
rmSync(dir, { recursive: true, force: true });
