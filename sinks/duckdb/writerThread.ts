import { Worker } from "node:worker_threads";

/**
 * The prestarted thread; `down` once it failed or exited before being
 * claimed; `settled` resolves once it has loaded DuckDB (or is down).
 */
let early: { worker: Worker; down: boolean; settled: Promise<void> } | undefined;

/** How long {@link releaseWriterThread} waits for DuckDB to finish loading. */
const LOAD_WAIT_MS = 10_000;

/**
 * Start the DuckDB writer thread now, before the CLI itself has loaded; the
 * CLI calls it when the command will store a run and nothing is traced (see
 * pipeline/bin.ts). Booting the thread and loading DuckDB take ~0.15 s of
 * wall time on an idle machine and more once the main thread decodes
 * (measured with timestamps on a 5M-record `analyze --db`); starting it
 * first keeps that off the critical path. The thread is unref'd until
 * claimed, so an unused one (`--help`, an early error) never keeps the
 * process alive; one that failed before being claimed is replaced by a fresh
 * thread, which reports the error. A no-op when one is already started.
 *
 * @example prestartWriterThread(); const { main } = await import("./cli.js");
 */
export function prestartWriterThread(): void {
  if (early) return;
  const worker = spawnWriterThread();
  let settle = () => {};
  const entry = { worker, down: false, settled: new Promise<void>((resolve) => (settle = resolve)) };
  const down = () => {
    entry.down = true;
    settle();
  };
  worker.on("error", down).on("exit", down).once("message", settle).unref();
  early = entry;
}

/**
 * Stop the prestarted thread if the command never claimed it, once it has
 * finished loading DuckDB. Why wait: a process that exits while the thread
 * is inside DuckDB's native module initialisation can abort
 * (`terminate called after throwing an instance of 'Napi::Error'`, exit
 * 134; seen about once in 150 early-failing `analyze` runs on a loaded
 * machine). Waits at most 10 s; a no-op when nothing was prestarted or the
 * thread was claimed.
 *
 * @example const code = await main(argv); await releaseWriterThread(); process.exitCode = code;
 */
export async function releaseWriterThread(): Promise<void> {
  const entry = early;
  if (!entry) return;
  early = undefined;
  // Both ref'd while waiting: an unref'd thread and timer would let the event loop end before `settled`.
  entry.worker.ref();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, LOAD_WAIT_MS);
  });
  await Promise.race([entry.settled, bound]);
  clearTimeout(timer);
  if (!entry.down) await entry.worker.terminate();
}

/**
 * The writer thread for one run: the one {@link prestartWriterThread}
 * started, if any, else a new one.
 *
 * @example const worker = claimWriterThread(); worker.postMessage({ type: "open", dbPath, meta });
 */
export function claimWriterThread(): Worker {
  const worker = early && !early.down ? early.worker : spawnWriterThread();
  early = undefined;
  worker.ref();
  return worker;
}

function spawnWriterThread(): Worker {
  return new Worker(new URL("./runWriterWorker.js", import.meta.url));
}
