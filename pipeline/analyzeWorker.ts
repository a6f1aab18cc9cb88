import { parentPort, workerData } from "node:worker_threads";
import { firstValueFrom, groupBy, map, mergeMap, type Observable, toArray } from "rxjs";
import { analysisSettings } from "../model/analysisSettings.js";
import { type EventBatch, takeRows } from "../model/batch.js";
import { deviceLabel } from "../model/datasetDevice.js";
import { newSkipCounter } from "../model/errors.js";
import type { Summary } from "../model/summary.js";
import { selectionFilter } from "../operators/select.js";
import { describeSelection, SelectionTally, whyNothingKept } from "../operators/selectionTally.js";
import { summarize } from "../operators/summarize.js";
import { fromTrace } from "../sources/fromTrace.js";
import { analyzeEvents } from "./analyze.js";
import type { DeviceRun, RunSettings, WorkerReply } from "./analyzeMany.js";
import { requireOneDevice } from "./deviceOption.js";

/**
 * Analyze one trace input (a file, "-" or a blktrace base name) to its
 * summary, exactly as `blkrx analyze --no-db` does: decoder pushdown of the
 * selection, no payloads, then analyzeEvents and summarize. This is what
 * each worker of `analyzeMany` runs. `note` hears why nothing was kept,
 * when nothing was.
 *
 * @example const summary = await analyzeInput("trace.bin", DEFAULT_ANALYSIS_SETTINGS);
 */
export async function analyzeInput(
  input: string,
  settings: RunSettings,
  note: (message: string) => void = () => {},
): Promise<Summary> {
  const skips = settings.lenient ? newSkipCounter() : undefined;
  const { fileMap, action, rw } = settings;
  const tally = new SelectionTally();
  const summary = await firstValueFrom(summarizeRun(events(input, settings, skips, tally), settings, skips, tally));
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
 * Analyze one input as one run per device (`analyze-many --split-by device`):
 * a dataset file holding many volumes gives one summary per volume, in the
 * order the volumes first appear, each exactly what `analyze` gives for a
 * file holding that volume alone. The file is read once.
 *
 * @example const runs = await analyzeInputByDevice("alibaba.csv", settings); // [{ device: "alibaba:419", summary }, ...]
 */
export async function analyzeInputByDevice(input: string, settings: RunSettings): Promise<DeviceRun[]> {
  const skips = settings.lenient ? newSkipCounter() : undefined;
  return firstValueFrom(
    events(input, settings, skips).pipe(
      mergeMap((batch) => splitByDevice(batch)),
      groupBy((part) => part.device),
      mergeMap((group) =>
        summarizeRun(group.pipe(map((part) => part.batch)), settings, skips).pipe(
          map((summary) => ({ device: deviceLabel(group.key), summary })),
        ),
      ),
      toArray(),
    ),
  );
}

/** The input's batches with the selection pushed down into the decoder, without payloads. */
function events(
  input: string,
  settings: RunSettings,
  skips: ReturnType<typeof newSkipCounter> | undefined,
  tally?: SelectionTally,
) {
  const { action, rw } = settings;
  return fromTrace([input], {
    ...(settings.format ? { format: settings.format } : {}),
    ...(skips ? { lenient: skips } : {}),
    payloads: false,
    keep: selectionFilter({ action, rw, ...(tally ? { tally } : {}) }),
  });
}

function summarizeRun(
  source: Observable<EventBatch>,
  settings: RunSettings,
  skips: ReturnType<typeof newSkipCounter> | undefined,
  tally?: SelectionTally,
): Observable<Summary> {
  const { fileMap, device } = settings;
  return source.pipe(
    analyzeEvents({
      ...analysisSettings(settings),
      ...(tally ? { tally } : {}),
      ...(fileMap ? { fileMap } : {}),
      ...(device !== undefined ? { device } : {}),
    }),
    summarize({ ...(fileMap ? { fileMap } : {}), ...(skips ? { skips } : {}) }),
  );
}

/** A batch as runs of consecutive rows of one device (dataset files mostly hold long runs of one volume). */
function splitByDevice(batch: EventBatch): { device: number; batch: EventBatch }[] {
  const out: { device: number; batch: EventBatch }[] = [];
  const dev = batch.device;
  let start = 0;
  for (let i = 1; i <= batch.length; i++) {
    if (i === batch.length || dev[i] !== dev[start]) {
      out.push({ device: dev[start] as number, batch: sliceRows(batch, start, i) });
      start = i;
    }
  }
  return out;
}

/** Rows [from, to) of a batch (a copy only when it is not the whole batch). */
function sliceRows(batch: EventBatch, from: number, to: number): EventBatch {
  if (from === 0 && to === batch.length) return batch;
  const rows = new Uint32Array(to - from);
  for (let k = 0; k < rows.length; k++) rows[k] = from + k;
  return takeRows(batch, rows, rows.length);
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
      if (settings.splitByDevice) reply = { index, runs: await analyzeInputByDevice(input, settings) };
      else {
        let note: string | undefined;
        const summary = await analyzeInput(input, settings, (m) => {
          note = m;
        });
        reply = { index, summary, ...(note !== undefined ? { note } : {}) };
      }
    } catch (error: unknown) {
      reply = { index, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}

if (parentPort) serveAnalyses(parentPort, workerData as RunSettings);
