import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { concatBatches, type EventBatch } from "../../model/batch.js";
import type { ChunkDecoder } from "../../sources/decoder.js";

/** Fixture directory (test/fixtures). */
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export { BIN_FIXTURES } from "../helpers/fixtures.js";

/** Bytes of a fixture file. */
export function fixture(name: string): Uint8Array {
  return readFileSync(`${FIXTURES}${name}`);
}

/** Feed `bytes` to a decoder in chunks of `chunk` bytes and concatenate the batches. */
export function decodeAll(decoder: ChunkDecoder, bytes: Uint8Array, chunk = 65536): EventBatch {
  const batches: EventBatch[] = [];
  for (let at = 0; at < bytes.length; at += chunk) batches.push(...decoder.push(bytes.subarray(at, at + chunk)));
  batches.push(...decoder.end());
  return concatBatches(batches);
}

/** blkparse's event lines of a text (without its closing statistics). */
export function eventLines(text: string): string[] {
  const lines = text.split("\n");
  const stats = lines.findIndex((l) => /^(CPU\d+ \(|Total \(|Throughput)/.test(l));
  return (stats < 0 ? lines : lines.slice(0, stats)).filter((l) => l.trim() !== "");
}
