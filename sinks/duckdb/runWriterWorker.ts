/**
 * Worker-thread side of {@link openRunWriterInWorker}: owns the DuckDB
 * connection and applies the messages (open, append, appendRaw, commit,
 * abort) in order. Not part of the public API.
 */
import { parentPort } from "node:worker_threads";
import type { EventBatch } from "../../model/batch.js";
import type { RequestBatch } from "../../operators/requestLifecycle.js";
import type { Summary } from "../../operators/summaryTypes.js";
import { openRunWriter, type RunExtras, type RunMeta, type RunWriter } from "./runWriter.js";
import type { StoredEventColumns } from "./storedColumns.js";

/** Messages from the main thread. */
export type ToWorker =
  | { type: "open"; dbPath: string; meta: RunMeta }
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
  | { type: "aborted" }
  | { type: "error"; name: string; message: string };

const port = parentPort;
if (port) {
  let writer: RunWriter | undefined;
  let failure: Error | undefined;
  let queue: Promise<void> = Promise.resolve();
  const reply = (m: FromWorker) => port.postMessage(m);

  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === "abort") {
      await writer?.abort();
      reply({ type: "aborted" });
      return;
    }
    if (failure) {
      // Keep reporting the first failure on commit; drop appends after it.
      if (m.type === "commit") reply({ type: "error", name: failure.name, message: failure.message });
      return;
    }
    try {
      if (m.type === "open") {
        writer = await openRunWriter(m.dbPath, m.meta);
        reply({ type: "opened", runId: writer.runId });
      } else if (m.type === "append") writer?.append(m.batch);
      else if (m.type === "appendRaw") writer?.appendRaw?.(m.batch);
      else if (m.type === "appendRequests") writer?.appendRequests?.(m.batch);
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
