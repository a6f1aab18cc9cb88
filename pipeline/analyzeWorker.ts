import { parentPort, workerData } from "node:worker_threads";
import { firstValueFrom } from "rxjs";
import { newSkipCounter } from "../model/errors.js";
import { selectionFilter } from "../operators/select.js";
import { summarize } from "../operators/summarize.js";
import type { Summary } from "../operators/summaryTypes.js";
import { fromTrace } from "../sources/fromTrace.js";
import { analyzeEvents } from "./analyze.js";
import type { RunSettings, WorkerReply } from "./analyzeMany.js";

/**
 * Analyze one trace input (a file, "-" or a blktrace base name) to its
 * summary, exactly as `blkrx analyze --no-db` does: decoder pushdown of the
 * selection, no payloads, then analyzeEvents and summarize. This is what
 * each worker of `analyzeMany` runs.
 *
 * @example const summary = await analyzeInput("trace.bin", { action: "D", rw: "read", small: 256, medium: 2048 });
 */
export async function analyzeInput(input: string, settings: RunSettings): Promise<Summary> {
  const skips = settings.lenient ? newSkipCounter() : undefined;
  const { fileMap, action, rw, small, medium } = settings;
  return firstValueFrom(
    fromTrace([input], {
      ...(settings.format ? { format: settings.format } : {}),
      ...(skips ? { lenient: skips } : {}),
      payloads: false,
      keep: selectionFilter({ action, rw }),
    }).pipe(
      analyzeEvents({ action, rw, small, medium, ...(fileMap ? { fileMap } : {}) }),
      summarize({ ...(fileMap ? { fileMap } : {}), ...(skips ? { skips } : {}) }),
    ),
  );
}

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
