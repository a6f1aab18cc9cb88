import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Act, Cat, isWrite } from "../model/actions.js";
import { traceBatches } from "../sources/fromTrace.js";
import { CACHE_DIR, SEED_TRACE } from "./inputs.js";

/** Clock distance between two copies of the seed trace in 100 ns ticks (250 ms, as repeatedTrace). */
const PERIOD_TICKS = 2_500_000;
/** A Windows filetime of 2008 (the MSR Cambridge traces' era): 18 digits, beyond a float64's exact range. */
const ORIGIN_TICKS = 128166372000000000n;

/** A generated MSR-format bench input. */
export interface MsrInput {
  path: string;
  repeats: number;
  /** CSV lines (one request each). */
  records: number;
  bytes: number;
}

/**
 * Write (once; cached under CACHE_DIR, never in the repo) an MSR Cambridge
 * CSV of at least `minBytes`: the seed trace's D events (reads and writes,
 * discards and empty requests left out) as
 * `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime` lines,
 * repeated with copy k shifted by k × 250 ms, so its analyze summary is
 * that of `repeats` copies of the seed's D events.
 *
 * @example const csv = await msrInput(2 * 1024 ** 3); // ≥ 2 GiB
 */
export async function msrInput(minBytes: number): Promise<MsrInput> {
  const issues: { ticks: number; write: boolean; offset: number; size: number }[] = [];
  for await (const b of traceBatches([SEED_TRACE])) {
    for (let i = 0; i < b.length; i++) {
      const a = b.action[i] as number;
      if ((a & 0xffff) !== Act.ISSUE || (a & (Cat.DISCARD | Cat.NOTIFY)) !== 0 || (b.bytes[i] as number) === 0)
        continue;
      const ticks = Math.round((b.time[i] as number) / 100);
      issues.push({ ticks, write: isWrite(a), offset: (b.sector[i] as number) * 512, size: b.bytes[i] as number });
    }
  }
  // Lines of one copy without their timestamps: ",usr,0,Read,OFFSET,SIZE,RESPONSE\n".
  const tails = issues.map(
    (d, k) => `,usr,0,${d.write ? "Write" : "Read"},${d.offset},${d.size},${1000 + (k % 97) * 37}\n`,
  );
  const copyBytes = tails.reduce((n, t) => n + t.length + 18, 0);
  const repeats = Math.ceil(minBytes / copyBytes);
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = join(CACHE_DIR, `frag-msr-x${repeats}.csv`);
  const bytes = copyBytes * repeats;
  if (!existsSync(path) || statSync(path).size !== bytes) {
    const tmp = `${path}.tmp${process.pid}`;
    const fd = openSync(tmp, "w");
    try {
      const parts: string[] = [];
      let pending = 0;
      for (let k = 0; k < repeats; k++) {
        const shift = ORIGIN_TICKS + BigInt(k * PERIOD_TICKS);
        for (let i = 0; i < issues.length; i++) {
          parts.push((shift + BigInt((issues[i] as { ticks: number }).ticks)).toString(), tails[i] as string);
        }
        pending += copyBytes;
        if (pending >= 8 << 20) {
          writeSync(fd, parts.join(""));
          parts.length = 0;
          pending = 0;
        }
      }
      if (parts.length > 0) writeSync(fd, parts.join(""));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  }
  return { path, repeats, records: issues.length * repeats, bytes };
}
