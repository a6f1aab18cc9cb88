import { Act, Cat, isWrite } from "../../model/actions.js";
import type { EventBatch } from "../../model/batch.js";
import { traceBatches } from "../../sources/fromTrace.js";

/** One D event of a fixture trace, as the dataset writers need it. */
export interface IssuedRequest {
  timeNs: number;
  sector: number;
  bytes: number;
  write: boolean;
  pid: number;
}

/**
 * The data-carrying D events of a trace, in replay order (discards and
 * zero-byte requests left out: no dataset format can say them).
 *
 * @example const ds = await issuedRequests(`${FIXTURES}/pressure-frag.bin`);
 */
export async function issuedRequests(path: string): Promise<IssuedRequest[]> {
  const out: IssuedRequest[] = [];
  for await (const b of traceBatches([path]) as AsyncIterable<EventBatch>) {
    for (let i = 0; i < b.length; i++) {
      const a = b.action[i] as number;
      if ((a & 0xffff) !== Act.ISSUE || (a & (Cat.DISCARD | Cat.NOTIFY)) !== 0 || (b.bytes[i] as number) === 0)
        continue;
      out.push({
        timeNs: b.time[i] as number,
        sector: b.sector[i] as number,
        bytes: b.bytes[i] as number,
        write: isWrite(a),
        pid: b.pid[i] as number,
      });
    }
  }
  return out;
}

/** Writers of each dataset format from D events (times at the format's own precision). */
export const DATASET_WRITERS = {
  /** Windows filetime (100 ns ticks) from an 18-digit origin; ResponseTime 1234 ticks. */
  msr: (ds: readonly IssuedRequest[]) =>
    ds
      .map(
        (d) =>
          `${(128166372000000000n + BigInt(Math.round(d.timeNs / 100))).toString()},usr,0,${d.write ? "Write" : "Read"},${d.sector * 512},${d.bytes},1234`,
      )
      .join("\n"),
  /** µs since the epoch. */
  alibaba: (ds: readonly IssuedRequest[]) =>
    ds
      .map(
        (d) =>
          `419,${d.write ? "W" : "R"},${d.sector * 512},${d.bytes},${1577808144000000 + Math.floor(d.timeNs / 1000)}`,
      )
      .join("\n"),
  /** Whole seconds: most records share a time and must keep their file order. */
  tencent: (ds: readonly IssuedRequest[]) =>
    ds
      .map((d) => `${1538323200 + Math.floor(d.timeNs / 1e9)},${d.sector},${d.bytes / 512},${d.write ? 1 : 0},1283`)
      .join("\n"),
  /** bcc's layout: completion time (µs) = issue + 0.25 ms, LAT 0.25. */
  biosnoop: (ds: readonly IssuedRequest[]) =>
    [
      "TIME(s)     COMM           PID    DISK    T SECTOR     BYTES   LAT(ms)",
      ...ds.map(
        (d) =>
          `${((Math.floor(d.timeNs / 1000) + 250) / 1e6).toFixed(6).padEnd(11)} ${"llama cli".padEnd(14)} ${String(d.pid).padEnd(6)} ${"loop0".padEnd(7)} ${d.write ? "W" : "R"} ${String(d.sector).padEnd(10)} ${String(d.bytes).padEnd(7)} ${"0.25".padStart(7)}`,
      ),
    ].join("\n"),
} as const;
