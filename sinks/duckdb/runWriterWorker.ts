/**
 * Worker-thread side of {@link openRunWriterInWorker}: owns the DuckDB
 * connection and applies the messages (open, append, appendRaw, commit,
 * abort) in order. Not part of the public API.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import type { EventBatch } from "../../model/batch.js";
import type { RequestBatch } from "../../model/requests.js";
import type { Summary } from "../../model/summary.js";
import { openRunWriter, type RunExtras, type RunMeta, type RunWriter, type RunWriterOptions } from "./runWriter.js";
import type { StoredEventColumns } from "./storedColumns.js";

/** Messages from the main thread. */
export type ToWorker =
  | { type: "open"; dbPath: string; meta: RunMeta; options?: RunWriterOptions }
  | { type: "append"; batch: StoredEventColumns }
  | { type: "appendRaw"; batch: EventBatch }
  | { type: "appendRequests"; batch: RequestBatch }
  | { type: "commit"; summary: Summary; extras: RunExtras }
  | { type: "abort" };

/** Messages to the main thread; `ready` is sent once, when DuckDB has loaded. */
export type FromWorker =
  | { type: "ready" }
  | { type: "opened"; runId: number }
  | { type: "committed"; runId: number }
  | { type: "appended"; rows: number; buffer?: ArrayBuffer }
  | { type: "aborted" }
  | { type: "error"; name: string; message: string };

/**
 * A full collection every this many appended rows when the store was opened
 * with a memory limit (live tracing): the columns transferred in are
 * garbage once appended, and V8 frees such external memory only after tens
 * of MB have piled up (measured: +60 MB RSS on a 2M-row live run).
 */
const COLLECT_EVERY_ROWS = 100_000;

const collect = (() => {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
})();

const port = parentPort;
if (port) {
  let writer: RunWriter | undefined;
  let failure: Error | undefined;
  let queue: Promise<void> = Promise.resolve();
  let lean = false;
  let sinceCollect = 0;
  // The buffer an `append` came in goes back to the main thread for its next batch (ColumnPacker).
  const appended = (rows: number, buffer?: ArrayBuffer): void => {
    if (buffer) port.postMessage({ type: "appended", rows, buffer } satisfies FromWorker, [buffer]);
    else reply({ type: "appended", rows });
    sinceCollect += rows;
    if (lean && sinceCollect >= COLLECT_EVERY_ROWS) {
      sinceCollect = 0;
      collect?.();
    }
  };
  const reply = (m: FromWorker) => port.postMessage(m);

  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === "abort") {
      await writer?.abort();
      reply({ type: "aborted" });
      return;
    }
    if (failure) {
      // Keep reporting the first failure on commit; drop appends after it (still counted as done).
      if (m.type === "commit") reply({ type: "error", name: failure.name, message: failure.message });
      if (m.type === "append") appended(m.batch.length, m.batch.time.buffer as ArrayBuffer);
      if (m.type === "appendRaw") appended(m.batch.length);
      return;
    }
    try {
      if (m.type === "open") {
        writer = await openRunWriter(m.dbPath, m.meta, m.options);
        lean = m.options?.memoryLimit !== undefined;
        reply({ type: "opened", runId: writer.runId });
      } else if (m.type === "append") {
        writer?.append(m.batch);
        appended(m.batch.length, m.batch.time.buffer as ArrayBuffer);
      } else if (m.type === "appendRaw") {
        writer?.appendRaw?.(m.batch);
        appended(m.batch.length);
      } else if (m.type === "appendRequests") writer?.appendRequests?.(m.batch);
      else if (m.type === "commit" && writer)
        reply({ type: "committed", runId: await writer.commit(m.summary, m.extras) });
    } catch (error: unknown) {
      failure = error instanceof Error ? error : new Error(String(error));
      reply({ type: "error", name: failure.name, message: failure.message });
      if (m.type !== "open") await writer?.abort().catch(() => undefined);
    }
  };
  port.on("message", (m: ToWorker) => {
    queue = queue.then(() => handle(m));
  });
  // The imports above (DuckDB's native binding) are loaded by now: see releaseWriterThread.
  reply({ type: "ready" });
}
