import { readFileSync } from "node:fs";
import { concatBatches, type EventBatch } from "../../model/batch.js";
import { newSkipCounter, type SkipCounter, TraceFormatError } from "../../model/errors.js";
import { eventsOf } from "../../model/event.js";
import { formatNdjson } from "../../sinks/ndjsonWriter.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import type { ChunkDecoder } from "../../sources/decoder.js";
import { decoderFor } from "../../sources/decoderFor.js";
import { FtraceTextDecoder } from "../../sources/ftraceTextDecoder.js";
import { NdjsonDecoder } from "../../sources/ndjsonDecoder.js";
import { FIXTURES } from "../helpers/cli.js";

/** `npm run test:soak` sets BLKRX_SOAK=1: full-size runs (≥20 GB stream, 100 kills, many more fuzz cases). */
export const SOAK = process.env.BLKRX_SOAK === "1";

/** fast-check settings: BLKRX_FC_SEED replays a failing run with the seed fast-check printed. */
export const FC_SEED: { seed?: number } = process.env.BLKRX_FC_SEED ? { seed: Number(process.env.BLKRX_FC_SEED) } : {};

/** Bytes of a fixture file. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(`${FIXTURES}/${name}`);
}

/** The decoders by format name (blk traces and the public dataset formats), strict or lenient. */
export const DECODERS: Record<string, (skips?: SkipCounter) => ChunkDecoder> = {
  binary: (s) => new BinaryDecoder(s ? { lenient: s } : {}),
  blkparse: (s) => new BlkparseTextDecoder(s ? { lenient: s } : {}),
  ftrace: (s) => new FtraceTextDecoder(s ? { lenient: s } : {}),
  ndjson: (s) => new NdjsonDecoder(s ? { lenient: s } : {}),
  msr: (s) => decoderFor("msr", { file: "-", ...(s ? { lenient: s } : {}) }),
  alibaba: (s) => decoderFor("alibaba", { file: "-", ...(s ? { lenient: s } : {}) }),
  tencent: (s) => decoderFor("tencent", { file: "-", ...(s ? { lenient: s } : {}) }),
  biosnoop: (s) => decoderFor("biosnoop", { file: "-", ...(s ? { lenient: s } : {}) }),
};

/** A real input of each format (the binary and text forms of the same captures). */
export const SEEDS: Record<string, Buffer> = {
  binary: fixtureBytes("direct-contig.bin"),
  blkparse: fixtureBytes("direct-contig.blkparse.txt"),
  ftrace: fixtureBytes("direct-contig.ftrace"),
  ndjson: Buffer.from(formatNdjson(decodeWhole(new BinaryDecoder(), fixtureBytes("direct-contig.bin")))),
  classic: wholeLines(fixtureBytes("pressure-frag.classic"), 16384),
  msr: exampleBytes("usr.msr.csv"),
  alibaba: exampleBytes("alibaba.csv"),
  tencent: exampleBytes("tencent.csv"),
  biosnoop: exampleBytes("biosnoop.txt"),
};

/** A dataset example file (examples/datasets/), six times over (a biosnoop log repeats its header). */
function exampleBytes(name: string): Buffer {
  const one = readFileSync(new URL(`../../examples/datasets/${name}`, import.meta.url));
  return Buffer.concat(Array.from({ length: 6 }, () => one));
}

/** The whole lines within the first `max` bytes of a text. */
export function wholeLines(text: Buffer, max: number): Buffer {
  return text.subarray(0, text.lastIndexOf(10, max) + 1);
}

/** Decode `bytes` in one push. */
export function decodeWhole(decoder: ChunkDecoder, bytes: Uint8Array): EventBatch {
  return concatBatches([...decoder.push(bytes), ...decoder.end()]);
}

/** What a decoder made of an input: its events, and the error that stopped it (if any). */
export interface Outcome {
  events: ReturnType<typeof eventsOf>;
  error?: TraceFormatError;
  skipped: number;
}

/**
 * Feed `bytes` to a fresh decoder in chunks of the given sizes (cycled).
 * Any exception other than TraceFormatError propagates and fails the property.
 */
export function decodeChunked(format: string, bytes: Uint8Array, sizes: readonly number[], lenient: boolean): Outcome {
  const make = DECODERS[format === "classic" ? "ftrace" : format];
  if (!make) throw new Error(`no decoder ${format}`);
  const skips = lenient ? newSkipCounter() : undefined;
  const decoder = make(skips);
  const batches: EventBatch[] = [];
  let error: TraceFormatError | undefined;
  try {
    let at = 0;
    for (let k = 0; at < bytes.length; k++) {
      const size = Math.max(1, sizes[k % sizes.length] ?? bytes.length);
      batches.push(...decoder.push(bytes.subarray(at, at + size)));
      at += size;
    }
    batches.push(...decoder.end());
  } catch (e) {
    if (!(e instanceof TraceFormatError)) throw e;
    error = e;
  }
  return { events: eventsOf(concatBatches(batches)), skipped: skips?.skipped ?? 0, ...(error ? { error } : {}) };
}

/** Peak resident set (VmHWM) of a process in bytes, or undefined once it has gone. */
export function peakRss(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
