import type { DuckDBAppender } from "@duckdb/node-api";
import type { AnalysisSettings } from "../../model/analysisSettings.js";
import type { EventBatch } from "../../model/batch.js";
import type { FileMap } from "../../model/fileMap.js";
import type { RequestBatch } from "../../model/requests.js";
import type { Summary } from "../../model/summary.js";
import type { TensorAttribution } from "../../model/tensorAttribution.js";
import { appendInChunks, ChunkFiller, fillEvents, fillRawEvents, fillRequests } from "./chunks.js";
import { openStore, type Store, StoreError } from "./openStore.js";
import { RawSideRows } from "./rawSideTables.js";
import { INSERT_RUN, insertExtents, runRow } from "./runRow.js";
import { insertRunWarnings } from "./runWarnings.js";
import { RUN_ID_SEQUENCE } from "./schema.js";
import type { StoredEventColumns } from "./storedColumns.js";
import { insertTensorRows } from "./tensorTables.js";

/** What a run is: stored in `runs` beside its summary. */
export interface RunMeta extends AnalysisSettings {
  label?: string;
  commandLine: string;
  source: "file" | "live";
  device?: string;
  filePath?: string;
  fileMap?: FileMap;
}

/** Counts and experiment metrics known only at the end of a run; NULL when absent. */
export interface RunExtras {
  dropped?: number;
  skipped?: number;
  wallSeconds?: number;
  tokens?: number;
  tokensPerSecond?: number;
  memLimitBytes?: number;
  lockedBytes?: number;
  pageCacheDeltaBytes?: number;
  peakRssBytes?: number;
  /** Warnings printed while making the run, stored in `run_warnings`. */
  warnings?: readonly string[];
  /** The GGUF attribution of `analyze --gguf`, stored in `tensors` and `tensor_transitions`. */
  tensors?: TensorAttribution;
}

/** How a run writer may use memory. */
export interface RunWriterOptions {
  /**
   * DuckDB's memory_limit for this store ("16MB"): a run's uncommitted rows
   * then go to disk instead of growing in RAM (measured: 2.7M raw rows in
   * one transaction grew RSS by 150 MB without a limit, 30 MB with 16MB;
   * 6MB failed to append).
   * Live tracing sets it so the tracer stays light; unset, DuckDB's default.
   */
  memoryLimit?: string;
}

/** Writes one run: events while it streams, the `runs` row at commit, all in one transaction. */
export interface RunWriter {
  readonly runId: number;
  /** Kept, analyzed events (with gaps, maybe pieces/phase), in processing order. */
  append(batch: StoredEventColumns): void;
  /** The unfiltered raw events, for the SQL-metrics export (table raw_events). */
  appendRaw?(batch: EventBatch): void;
  /** Completed requests with their stage latencies (table requests, `analyze --latency`). */
  appendRequests?(batch: RequestBatch): void;
  /** Insert the `runs` row and commit; resolves to the run id. */
  commit(summary: Summary, extras?: RunExtras): Promise<number>;
  /** Roll back everything written for this run and close the store. */
  abort(): Promise<void>;
}

/**
 * Open the run store at `dbPath` and start a run: one transaction holds the
 * run's extents, events and raw events (appended columnar, flushed at batch
 * boundaries) and finally its `runs` row, so a crash or `abort` leaves no
 * trace of a half-written run. The store stays locked by this process until
 * `commit` or `abort`.
 *
 * @example
 * const writer = await openRunWriter("blkrx.duckdb", { commandLine, source: "file", ...DEFAULT_ANALYSIS_SETTINGS });
 * batches.forEach((b) => writer.append(b)); await writer.commit(summary);
 */
export async function openRunWriter(dbPath: string, meta: RunMeta, options: RunWriterOptions = {}): Promise<RunWriter> {
  const store = await openStore(dbPath, { config: WRITER_SETTINGS });
  try {
    if (options.memoryLimit !== undefined) {
      await store.connection.run(`SET memory_limit = '${options.memoryLimit.replace(/[^0-9A-Za-z.]/g, "")}'`);
    }
    await store.connection.run("BEGIN TRANSACTION");
    // From the sequence, never max + 1: a deleted run's id must not come back (schema.ts, version 3).
    const next = await store.connection.runAndReadAll(`SELECT nextval('${RUN_ID_SEQUENCE}')`);
    const runId = Number(next.getRows()[0]?.[0]);
    if (meta.fileMap) await insertExtents(store, runId, meta.fileMap);
    const events = await store.connection.createAppender("events");
    const raw = await store.connection.createAppender("raw_events");
    const requests = await store.connection.createAppender("requests");
    const side = new RawSideRows(await store.connection.createAppender("raw_payloads"), runId);
    const flushRows = options.memoryLimit !== undefined ? LEAN_FLUSH_ROWS : FLUSH_ROWS;
    return new DuckDBRunWriter(store, runId, meta, { events, raw, requests, side }, flushRows);
  } catch (error: unknown) {
    store.close();
    throw error;
  }
}

/**
 * DuckDB settings of the writer's instance. `write_buffer_row_group_count`
 * 1 (DuckDB's default 5): each full row group (122,880 rows) is compressed
 * and written to the file while the run streams, instead of five being
 * kept uncompressed in memory until then. Measured on the 5M-record bench
 * trace (438,372 events, in-process, same run): DuckDB's table memory
 * before COMMIT 50 → 18 MB, COMMIT 170–215 → 53 ms CPU (COMMIT is on the
 * critical path: it starts when the analysis ends), store CPU in all
 * 756–796 → 508–578 ms.
 *
 * `threads` 1 (DuckDB's default: one per core): appends are single-threaded
 * anyway, and DuckDB's background threads would only compete with the
 * analysis for the cores. A/B at load 2–3: user+system CPU 2.1–2.4 → 1.8–2.0 s;
 * on an idle machine no change in wall time (docs/performance.md).
 */
const WRITER_SETTINGS = { write_buffer_row_group_count: "1", threads: "1" } as const;

/**
 * Appenders are flushed at the first batch boundary after this many rows
 * (one DuckDB row group): flushing every batch of a few thousand rows made
 * ingest several times slower in a long transaction (measured, 2-core VM).
 */
const FLUSH_ROWS = 122_880;
/** With a memory limit (live tracing): smaller appender buffers, for memory rather than ingest speed. */
const LEAN_FLUSH_ROWS = 16_384;

class DuckDBRunWriter implements RunWriter {
  private readonly events: TableAppend<StoredEventColumns>;
  private readonly raw: TableAppend<EventBatch>;
  private readonly requests: TableAppend<RequestBatch>;
  private readonly side: RawSideRows;
  private done = false;

  constructor(
    private readonly store: Store,
    readonly runId: number,
    private readonly meta: RunMeta,
    appenders: { events: DuckDBAppender; raw: DuckDBAppender; requests: DuckDBAppender; side: RawSideRows },
    flushRows: number,
  ) {
    const { events, raw, requests } = appenders;
    this.side = appenders.side;
    const failed = (error: unknown) => writeFailure(store.path, error);
    this.events = new TableAppend(
      events,
      (f, b, from, ordinal) => fillEvents(f, b, from, runId, ordinal),
      failed,
      flushRows,
    );
    this.raw = new TableAppend(
      raw,
      (f, b, from, ordinal) => fillRawEvents(f, b, from, runId, ordinal),
      failed,
      flushRows,
    );
    this.requests = new TableAppend(
      requests,
      (f, b, from, ordinal) => fillRequests(f, b, from, runId, ordinal),
      failed,
    );
  }

  append(batch: StoredEventColumns): void {
    this.assertOpen();
    this.events.add(batch);
  }

  appendRaw(batch: EventBatch): void {
    this.assertOpen();
    this.side.add(batch, this.raw.rows);
    this.raw.add(batch);
  }

  appendRequests(batch: RequestBatch): void {
    this.assertOpen();
    this.requests.add(batch);
  }

  async commit(summary: Summary, extras: RunExtras = {}): Promise<number> {
    this.assertOpen();
    try {
      for (const { appender } of this.appenders()) appender.closeSync();
      await this.side.insertNames(this.store.connection);
      await this.store.connection.run(INSERT_RUN, runRow(this.runId, this.meta, summary, extras, this.raw.rows));
      await insertRunWarnings(this.store.connection, this.runId, extras.warnings ?? []);
      if (extras.tensors) await insertTensorRows(this.store.connection, this.runId, extras.tensors);
      await this.store.connection.run("COMMIT");
    } catch (error: unknown) {
      await this.abort();
      throw writeFailure(this.store.path, error);
    }
    this.done = true;
    this.store.close();
    return this.runId;
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      for (const { appender } of this.appenders()) {
        try {
          appender.clear();
          appender.closeSync();
        } catch {
          // Already closed, or the transaction failed; the rollback below discards it all.
        }
      }
      // A failed COMMIT (e.g. disk full) already rolled back; keep the error that brought us here.
      await this.store.connection.run("ROLLBACK").catch(() => undefined);
    } finally {
      this.store.close();
    }
  }

  private appenders(): { appender: DuckDBAppender }[] {
    return [this.events, this.raw, this.requests, this.side];
  }

  private assertOpen(): void {
    if (this.done) throw new Error(`Cannot write run ${this.runId}: it was already committed or aborted`);
  }
}

/**
 * The one-sentence error for a run that could not be written (a full disk
 * above all); the transaction is rolled back, so nothing of the run is kept.
 */
function writeFailure(path: string, error: unknown): StoreError {
  const message = error instanceof Error ? error.message : String(error);
  const why = /No space left on device/i.test(message)
    ? "the disk is full (no space left on device)"
    : message.replace(/\s+/g, " ");
  return new StoreError(`Cannot store the run in ${path}: ${why}; nothing of this run was stored`, { cause: error });
}

/**
 * One table's appender with its chunk filler: appends batches in chunks,
 * numbers their rows, and flushes every FLUSH_ROWS rows at a batch boundary.
 */
class TableAppend<B extends { readonly length: number }> {
  rows = 0;
  private flushed = 0;
  private readonly filler: ChunkFiller;

  constructor(
    readonly appender: DuckDBAppender,
    private readonly fill: (filler: ChunkFiller, batch: B, from: number, ordinal: number) => void,
    private readonly failed: (error: unknown) => Error,
    private readonly flushRows: number = FLUSH_ROWS,
  ) {
    this.filler = ChunkFiller.forAppender(appender);
  }

  add(batch: B): void {
    const base = this.rows;
    appendInChunks(this.appender, this.filler, batch, (f, b, from) => this.fill(f, b, from, base + from));
    this.rows += batch.length;
    if (this.rows - this.flushed < this.flushRows) return;
    try {
      this.appender.flushSync();
    } catch (error: unknown) {
      throw this.failed(error);
    }
    this.flushed = this.rows;
  }
}
