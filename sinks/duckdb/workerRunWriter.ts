import type { Worker } from "node:worker_threads";
import type { EventBatch } from "../../model/batch.js";
import type { RequestBatch } from "../../model/requests.js";
import type { Summary } from "../../model/summary.js";
import type { RunExtras, RunMeta, RunWriter, RunWriterOptions } from "./runWriter.js";
import type { FromWorker, ToWorker } from "./runWriterWorker.js";
import { ColumnPacker, transferableRawColumns } from "./storedColumns.js";
import { claimWriterThread } from "./writerThread.js";

/**
 * A {@link RunWriter} whose DuckDB work runs in a worker thread, so storing
 * events overlaps with decoding and analysis on a second core (measured:
 * DuckDB's append and commit cost about as much CPU as the analysis itself,
 * see `npm run bench`). The stored columns of each batch are packed into
 * one buffer, transferred to the worker and handed back once appended (see
 * ColumnPacker);
 * the run is still one transaction there, and the first error in the worker
 * is raised by `commit`.
 *
 * @example const writer = await openRunWriterInWorker("blkrx.duckdb", meta); writer.append(batch); await writer.commit(summary);
 */
export async function openRunWriterInWorker(dbPath: string, meta: RunMeta): Promise<RunWriter> {
  const writer = startRunWriterInWorker(dbPath, meta);
  await writer.opened;
  return writer;
}

/** A worker-thread run writer whose store may still be opening. */
export interface PendingRunWriter extends RunWriter {
  /** Resolves to the run id once the store is open and the run started; rejects if it cannot be. */
  readonly opened: Promise<number>;
  /** Rows sent to the thread and not yet appended there. */
  readonly backlogRows: number;
  /** Resolves once the backlog is at most `rows`. */
  whenBacklogBelow(rows: number): Promise<void>;
}

/**
 * Start a worker-thread run writer without waiting for the store to open:
 * loading DuckDB and opening the file (~0.4 s, measured) then overlap with
 * the analysis. Batches appended meanwhile queue in the worker; `commit`
 * (or `opened`) reports a store that could not be opened.
 *
 * @example const writer = startRunWriterInWorker("blkrx.duckdb", meta); writer.append(batch); await writer.commit(summary);
 */
export function startRunWriterInWorker(
  dbPath: string,
  meta: RunMeta,
  options: RunWriterOptions = {},
): PendingRunWriter {
  const worker = claimWriterThread();
  const writer = new WorkerRunWriter(worker);
  const opened = writer.request({ type: "open", dbPath, meta, options }, "opened").then(
    (m) => {
      writer.runId = m.runId;
      return m.runId;
    },
    async (error: unknown) => {
      await worker.terminate();
      throw error;
    },
  );
  opened.catch(() => undefined); // reported by commit (or by whoever awaits `opened`)
  return Object.assign(writer, { opened });
}

class WorkerRunWriter implements RunWriter {
  runId = 0;
  backlogRows = 0;
  private waiters: { rows: number; resolve: () => void }[] = [];
  private pending: { want: FromWorker["type"]; resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private readonly packer = new ColumnPacker();

  constructor(private readonly worker: Worker) {
    worker.on("message", (m: FromWorker) => this.receive(m));
    worker.on("error", (e: Error) => this.fail(e));
    worker.on("exit", (code) => {
      if (this.pending.length > 0) this.fail(new Error(`the DuckDB writer thread exited (code ${code})`));
    });
  }

  append(batch: EventBatch): void {
    const { columns, buffer } = this.packer.pack(batch);
    this.backlogRows += batch.length;
    this.worker.postMessage({ type: "append", batch: columns } satisfies ToWorker, [buffer]);
  }

  appendRaw(batch: EventBatch): void {
    const { columns, transfer } = transferableRawColumns(batch);
    this.backlogRows += batch.length;
    this.worker.postMessage({ type: "appendRaw", batch: columns } satisfies ToWorker, transfer);
  }

  whenBacklogBelow(rows: number): Promise<void> {
    if (this.backlogRows <= rows || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ rows, resolve }));
  }

  appendRequests(batch: RequestBatch): void {
    if (batch.length > 0) this.worker.postMessage({ type: "appendRequests", batch } satisfies ToWorker);
  }

  async commit(summary: Summary, extras: RunExtras = {}): Promise<number> {
    try {
      const done = await this.request({ type: "commit", summary, extras }, "committed");
      return done.runId;
    } finally {
      await this.worker.terminate();
    }
  }

  async abort(): Promise<void> {
    try {
      await this.request({ type: "abort" }, "aborted");
    } catch {
      // The worker already failed: its transaction was rolled back there.
    } finally {
      await this.worker.terminate();
    }
  }

  /** Send a message and wait for the reply of the given type (or the worker's error). */
  request<T extends FromWorker["type"]>(message: ToWorker, want: T): Promise<Extract<FromWorker, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ want, resolve: resolve as (m: FromWorker) => void, reject });
      this.worker.postMessage(message);
    });
  }

  private receive(m: FromWorker): void {
    if (m.type === "appended") {
      if (m.buffer) this.packer.reuse(m.buffer);
      this.backlogRows -= m.rows;
      this.release();
      return;
    }
    if (m.type === "error") {
      const error = new Error(m.message);
      error.name = m.name;
      this.fail(error);
      return;
    }
    const i = this.pending.findIndex((p) => p.want === m.type);
    if (i >= 0) this.pending.splice(i, 1)[0]?.resolve(m);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
    this.backlogRows = 0;
    this.release();
  }

  private release(): void {
    const ready = this.waiters.filter((w) => this.backlogRows <= w.rows || this.failure);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
