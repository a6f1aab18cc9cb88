import { Worker } from "node:worker_threads";

/** The prestarted thread; `down` once it failed or exited before being claimed. */
let early: { worker: Worker; down: boolean } | undefined;

/**
 * Start the DuckDB writer thread before the CLI itself has loaded, when the
 * command line is `analyze` without `--no-db` (not `run` or `live`:
 * loading DuckDB while a traced workload starts would disturb what is
 * measured). Booting the thread and loading DuckDB take ~0.15 s of wall time
 * on an idle machine and more once the main thread decodes (measured with
 * timestamps on a 5M-record `analyze --db`); starting it first keeps that off
 * the critical path. The thread is unref'd until claimed, so an unused one
 * (`--help`, an early error) never keeps the process alive; one that failed
 * before being claimed is replaced by a fresh thread, which reports the error.
 *
 * @example prestartWriterThread(process.argv.slice(2)); const { main } = await import("./cli.js");
 */
export function prestartWriterThread(args: readonly string[]): void {
  if (early || args[0] !== "analyze" || args.includes("--no-db")) return;
  const entry = { worker: spawnWriterThread(), down: false };
  const down = () => {
    entry.down = true;
  };
  entry.worker.on("error", down).on("exit", down).unref();
  early = entry;
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
