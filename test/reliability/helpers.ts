import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { concatBatches, type EventBatch, NUMERIC_COLUMNS } from "../../model/batch.js";
import { newSkipCounter, type SkipCounter, TraceFormatError } from "../../model/errors.js";
import { eventsOf } from "../../model/event.js";
import { formatNdjson } from "../../sinks/ndjsonWriter.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import type { ChunkDecoder } from "../../sources/decoder.js";
import { decoderFor } from "../../sources/decoderFor.js";
import type { TraceFormat } from "../../sources/detectFormat.js";
import { traceBatches } from "../../sources/fromTrace.js";
import { FtraceTextDecoder } from "../../sources/ftraceTextDecoder.js";
import { NdjsonDecoder } from "../../sources/ndjsonDecoder.js";
import { decodeAll } from "../helpers/decode.js";
import { fixtureBytes } from "../helpers/fixtures.js";

/** `npm run test:soak` sets BLKRX_SOAK=1: full-size runs (≥20 GB stream, 100 kills, many more fuzz cases). */
export const SOAK = process.env.BLKRX_SOAK === "1";

/** fast-check settings: BLKRX_FC_SEED replays a failing run with the seed fast-check printed. */
export const FC_SEED: { seed?: number } = process.env.BLKRX_FC_SEED ? { seed: Number(process.env.BLKRX_FC_SEED) } : {};

export { fixtureBytes };

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
  return decodeAll(decoder, bytes, Math.max(bytes.length, 1));
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

/** What the source path made of an input: a fingerprint of its events (not the events: inputs reach 16 MiB), the error, skips. */
export interface SourceOutcome {
  events: number;
  /** FNV-1a over every numeric column of every event, in order. */
  digest: number;
  error?: string;
  skipped: number;
}

/**
 * Read an input through the whole source path (`traceBatches`: file or
 * stream reading, gzip detection and decompression, the decoder for the
 * forced format, ordering) and summarise the outcome. `input` is a file path,
 * or chunks fed as standard input. Only a TraceFormatError is an expected
 * failure; anything else propagates and fails the caller. A read that never
 * settles (what once ended the CLI with exit 13 and no message) fails after
 * `timeoutMs` instead of passing silently.
 */
export async function readThroughSource(
  format: string,
  input: string | readonly Uint8Array[],
  lenient: boolean,
  timeoutMs = 20_000,
): Promise<SourceOutcome> {
  const skips = lenient ? newSkipCounter() : undefined;
  const forced = (format === "classic" ? "ftrace" : format) as TraceFormat;
  const files = typeof input === "string" ? [input] : ["-"];
  const stdin = typeof input === "string" ? undefined : Readable.from(input, { objectMode: false });
  const outcome: SourceOutcome = { events: 0, digest: 0x811c9dc5, skipped: 0 };
  const read = async () => {
    try {
      for await (const batch of traceBatches(files, {
        format: forced,
        stdinName: "-",
        ...(stdin ? { stdin } : {}),
        ...(skips ? { lenient: skips } : {}),
      })) {
        outcome.events += batch.length;
        outcome.digest = digestBatch(outcome.digest, batch);
      }
    } catch (e) {
      if (!(e instanceof TraceFormatError)) throw e;
      // A file's name differs between its plain and gzipped forms; the rest of the sentence must not.
      outcome.error = typeof input === "string" ? e.message.replaceAll(input, "<input>") : e.message;
    }
    outcome.skipped = skips?.skipped ?? 0;
    return outcome;
  };
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`reading ${files[0]} never settled within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([read(), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

function digestBatch(hash: number, batch: EventBatch): number {
  let h = hash;
  for (let i = 0; i < batch.length; i++) {
    for (const column of NUMERIC_COLUMNS) h = Math.imul(h ^ ((batch[column][i] as number) | 0), 0x01000193) >>> 0;
  }
  return h;
}

/** `bytes` cut into chunks of the given sizes (cycled), as a pipe delivers them. */
export function chunked(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length] ?? bytes.length);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
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
