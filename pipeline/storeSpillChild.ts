import { readFileSync } from "node:fs";
import type { EventBatch } from "../model/batch.js";
import type { RequestBatch } from "../model/requests.js";
import type { Summary } from "../model/summary.js";
import type { RunExtras, RunMeta, RunWriterOptions } from "../sinks/duckdb/runWriter.js";
import type { StoredEventColumns } from "../sinks/duckdb/storedColumns.js";
import { readSpill } from "../sinks/spillFile.js";
import { collect } from "./experiment/leanMemory.js";
import { ownPeakRssBytes } from "./ownPeakRss.js";

/** What the tracer hands the store writer (a JSON file beside the spill). */
export interface StoreSpillJob {
  spill: string;
  db: string;
  meta: RunMeta;
  options: RunWriterOptions;
  summary: Summary;
  extras?: RunExtras;
}

/** What the store writer prints on stdout, one JSON line: the run id, or the error's one sentence. */
export type StoreSpillResult = ({ runId: number } | { error: string }) & { peakRssBytes?: number };

/** Rows stored between collections while the spill is read back: its batches are garbage once appended (10M-record spill, store writer peak: 147.6–152.7 MB every 200k rows, 139.8 MB every 50k). */
const COLLECT_EVERY_ROWS = 50_000;
/** DuckDB's words for a memory limit too small for an append or the commit. */
const OUT_OF_MEMORY = /could not allocate|out of memory/i;
/** The memory limit of the second attempt, when the first one's was too small (the spill is still there). */
const FALLBACK_MEMORY = "64MB";

/**
 * The store writer: a short-lived process (`node storeSpillChild.js JOB.json`)
 * that loads DuckDB, stores a spilled run in one transaction and exits, so
 * the tracer's process never maps DuckDB (see openSpilledStore). A memory
 * limit too small is retried once with 64MB, said on stderr.
 */
async function storeSpillJob(job: StoreSpillJob): Promise<number> {
  const { spill, db, meta, options, summary, extras } = job;
  try {
    return await storeSpill(spill, db, meta, options, summary, extras);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    if (options.memoryLimit === undefined || !OUT_OF_MEMORY.test(message)) throw error;
    process.stderr.write(
      `blkrx: storing the run needed more than ${options.memoryLimit} of DuckDB memory; storing it again with ${FALLBACK_MEMORY}\n`,
    );
    return await storeSpill(spill, db, meta, { ...options, memoryLimit: FALLBACK_MEMORY }, summary, extras);
  }
}

/** Store the spilled events in one transaction: the run id, or an error (the transaction rolled back). */
async function storeSpill(
  path: string,
  db: string,
  meta: RunMeta,
  options: RunWriterOptions,
  summary: Summary,
  extras: RunExtras | undefined,
): Promise<number> {
  const { openRunWriter } = await import("../sinks/duckdb/runWriter.js");
  const writer = await openRunWriter(db, meta, options);
  try {
    let rows = 0;
    for (const { kind, batch } of readSpill(path)) {
      if (kind === "events") writer.append(batch as unknown as StoredEventColumns);
      else if (kind === "raw") writer.appendRaw?.(batch as unknown as EventBatch);
      else writer.appendRequests?.(batch as unknown as RequestBatch);
      rows += Number(batch.length);
      if (rows >= COLLECT_EVERY_ROWS) {
        rows = 0;
        collect?.();
      }
    }
  } catch (error: unknown) {
    await writer.abort();
    throw error;
  }
  collect?.(); // the last batches' garbage goes before DuckDB's COMMIT, where the writer's peak is
  return writer.commit(summary, extras);
}

/** Run as a process: argv[2] is the job file; the result goes to stdout, notes to stderr. */
async function main(jobPath: string): Promise<void> {
  let result: StoreSpillResult;
  try {
    result = { runId: await storeSpillJob(JSON.parse(readFileSync(jobPath, "utf8")) as StoreSpillJob) };
  } catch (error: unknown) {
    result = { error: error instanceof Error ? error.message : String(error) };
    process.exitCode = 1;
  }
  const peak = ownPeakRssBytes();
  process.stdout.write(`${JSON.stringify(peak === undefined ? result : { ...result, peakRssBytes: peak })}\n`);
}

const jobPath = process.argv[2];
if (jobPath !== undefined && process.argv[1] !== undefined && /storeSpillChild\.[jt]s$/.test(process.argv[1]))
  await main(jobPath);
