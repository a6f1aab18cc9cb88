import { parentPort, workerData } from "node:worker_threads";
import { firstValueFrom } from "rxjs";
import { newSkipCounter } from "../model/errors.js";
import { selectionFilter } from "../operators/select.js";
import { describeSelection, SelectionTally, whyNothingKept } from "../operators/selectionTally.js";
import { summarize } from "../operators/summarize.js";
import type { Summary } from "../operators/summaryTypes.js";
import { fromTrace } from "../sources/fromTrace.js";
import { analyzeEvents } from "./analyze.js";
import type { RunSettings, WorkerReply } from "./analyzeMany.js";
import { requireOneDevice } from "./deviceOption.js";

/**
 * Analyze one trace input (a file, "-" or a blktrace base name) to its
 * summary, exactly as `blkrx analyze --no-db` does: decoder pushdown of the
 * selection, no payloads, then analyzeEvents and summarize. This is what
 * each worker of `analyzeMany` runs. `note` hears why nothing was kept,
 * when nothing was.
 *
 * @example const summary = await analyzeInput("trace.bin", { action: "D", rw: "read", small: 256, medium: 2048 });
 */
export async function analyzeInput(
  input: string,
  settings: RunSettings,
  note: (message: string) => void = () => {},
): Promise<Summary> {
  const skips = settings.lenient ? newSkipCounter() : undefined;
  const { fileMap, action, rw, small, medium, device } = settings;
  const tally = new SelectionTally();
  const summary = await firstValueFrom(
    fromTrace([input], {
      ...(settings.format ? { format: settings.format } : {}),
      ...(skips ? { lenient: skips } : {}),
      payloads: false,
      keep: selectionFilter({ action, rw, tally }),
    }).pipe(
      analyzeEvents({
        action,
        rw,
        small,
        medium,
        tally,
        ...(fileMap ? { fileMap } : {}),
        ...(device !== undefined ? { device } : {}),
      }),
      summarize({ ...(fileMap ? { fileMap } : {}), ...(skips ? { skips } : {}) }),
    ),
  );
  const words = {
    action,
    rw,
    inFile: fileMap !== undefined,
    ...(settings.deviceAsTyped !== undefined ? { device: settings.deviceAsTyped } : {}),
  };
  requireOneDevice(tally, { ...words, inputs: input, what: describeSelection(action, rw) });
  const why = whyNothingKept(tally, summary.events, words);
  if (why) note(why);
  return summary;
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
      let note: string | undefined;
      const summary = await analyzeInput(input, settings, (m) => {
        note = m;
      });
      reply = { index, summary, ...(note !== undefined ? { note } : {}) };
    } catch (error: unknown) {
      reply = { index, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}

if (parentPort) serveAnalyses(parentPort, workerData as RunSettings);
