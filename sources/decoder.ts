import type { EventBatch } from "../model/batch.js";

/**
 * An incremental decoder: bytes in, batches out. Every trace format
 * (binary, blkparse text, ftrace text, NDJSON) implements it, so reading a
 * file, stdin or a live pipe is one loop for all of them.
 *
 * @example
 * for await (const chunk of stream) for (const b of decoder.push(chunk)) subscriber.next(b);
 * for (const b of decoder.end()) subscriber.next(b);
 */
export interface ChunkDecoder {
  /** Decode what `chunk` completes; keep any unfinished record for the next call. */
  push(chunk: Uint8Array): EventBatch[];
  /** Input ended: flush, and report (or count, when lenient) an unfinished record. */
  end(): EventBatch[];
}
