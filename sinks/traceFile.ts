import { closeSync, openSync, writeSync } from "node:fs";
import type { EventBatch } from "../model/batch.js";
import { encodeBinary } from "./binaryWriter.js";

/**
 * A binary `blk_io_trace` file written as batches arrive (`--save-trace`):
 * blkparse, btt and iowatcher read it, and so does every blkrx command. Times
 * are written as `baseNs + batch time`, so with the live source's first
 * record timestamp the file holds the kernel's own clock. Writes are
 * synchronous, one per batch, so nothing accumulates in memory.
 *
 * @example const f = new TraceFile("run.blktrace"); f.write(batch, 1_000_000_000n); f.close();
 */
export class TraceFile {
  private readonly fd: number;
  private readonly announced = new Set<number>();
  /** Records written so far. */
  records = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  /** Append one batch's records (and a process-name record before each new pid's first event). */
  write(batch: EventBatch, baseNs: bigint): void {
    if (batch.length === 0) return;
    const bytes = encodeBinary(batch, { baseTimeNs: baseNs, nameRecords: true, announced: this.announced });
    writeSync(this.fd, bytes);
    this.records += batch.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}
