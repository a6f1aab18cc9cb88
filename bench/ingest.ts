import { existsSync, rmSync } from "node:fs";
import { lastValueFrom, toArray } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { selectionFilter } from "../operators/select.js";
import { summarize } from "../operators/summarize.js";
import { analyzeEvents } from "../pipeline/analyze.js";
import { fromTrace } from "../sources/fromTrace.js";

/**
 * DuckDB ingest rate: analyze `trace` (Q events, any direction, whole
 * device: ~950K kept events per 5M records) into memory first, then time
 * only the store — open a run writer on a fresh `dbPath`, append every
 * batch, commit — and report events per second.
 *
 * @example await measureIngest("/tmp/blkrx-bench/frag-x1804.bin", "/tmp/blkrx-bench/ingest.duckdb")
 */
export async function measureIngest(trace: string, dbPath: string) {
  const { openRunWriter } = await import("../sinks/duckdb/runWriter.js");
  const selection = { action: "Q", rw: "any" } as const;
  const batches: EventBatch[] = await lastValueFrom(
    fromTrace([trace], { payloads: false, keep: selectionFilter(selection) }).pipe(analyzeEvents(selection), toArray()),
  );
  const events = batches.reduce((n, b) => n + b.length, 0);
  const { from } = await import("rxjs");
  const summary = await lastValueFrom(from(batches).pipe(summarize()));
  for (const suffix of ["", ".wal"]) if (existsSync(dbPath + suffix)) rmSync(dbPath + suffix);
  const t0 = process.hrtime.bigint();
  const writer = await openRunWriter(dbPath, {
    commandLine: "bench ingest",
    source: "file",
    action: "Q",
    rw: "any",
    small: 256,
    medium: 2048,
  });
  for (const b of batches) writer.append(b);
  await writer.commit(summary);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const suffix of ["", ".wal"]) if (existsSync(dbPath + suffix)) rmSync(dbPath + suffix);
  return { events, seconds, eventsPerSecond: events / seconds };
}
