import { concatBatches, type EventBatch } from "../../model/batch.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import type { ChunkDecoder } from "../../sources/decoder.js";
import { fixtureBytes } from "./fixtures.js";

/**
 * Feed `bytes` to a decoder in chunks of `chunk` bytes (default 64 KiB; `bytes.length` for one push) and
 * concatenate the batches, the decoder's end included.
 *
 * @example decodeAll(new BlkparseTextDecoder(), fixtureBytes("direct-contig.blkparse.txt"))
 */
export function decodeAll(decoder: ChunkDecoder, bytes: Uint8Array, chunk = 65536): EventBatch {
  const batches: EventBatch[] = [];
  for (let at = 0; at < bytes.length; at += chunk) batches.push(...decoder.push(bytes.subarray(at, at + chunk)));
  batches.push(...decoder.end());
  return concatBatches(batches);
}

/**
 * A fixture's binary trace decoded into one batch.
 *
 * @example decodedFixture("pressure-frag").length // 2773
 */
export function decodedFixture(name: string): EventBatch {
  const bytes = fixtureBytes(`${name}.bin`);
  return decodeAll(new BinaryDecoder({ file: name }), bytes, Math.max(bytes.length, 1));
}

/** blkparse's event lines of a text (without its closing statistics). */
export function eventLines(text: string): string[] {
  const lines = text.split("\n");
  const stats = lines.findIndex((l) => /^(CPU\d+ \(|Total \(|Throughput)/.test(l));
  return (stats < 0 ? lines : lines.slice(0, stats)).filter((l) => l.trim() !== "");
}
