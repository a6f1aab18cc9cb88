import { parentPort, workerData } from "node:worker_threads";
import { analyzeInput, type RunSettings, type WorkerReply } from "./analyzeMany.js";

/**
 * Worker-thread entry of `blkrx analyze-many`: `workerData` holds the run
 * settings; each message `{ index, input }` is analyzed with
 * {@link analyzeInput} and answered with `{ index, summary }` or, when the
 * input cannot be analyzed, `{ index, error }` (one sentence). Runs one
 * input at a time, so a pool of N workers uses N cores.
 *
 * @example new Worker(new URL("./analyzeWorker.js", import.meta.url), { workerData: settings })
 */
export function serveAnalyses(port: NonNullable<typeof parentPort>, settings: RunSettings): void {
  port.on("message", async ({ index, input }: { index: number; input: string }) => {
    let reply: WorkerReply;
    try {
      reply = { index, summary: await analyzeInput(input, settings) };
    } catch (error: unknown) {
      reply = { index, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}

if (parentPort) serveAnalyses(parentPort, workerData as RunSettings);
