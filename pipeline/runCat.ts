import { type EventBatch, newSkipCounter } from "../model/index.js";
import { rowsOnDevice } from "../operators/select.js";
import { encodeBinary } from "../sinks/binaryWriter.js";
import { formatBlkparseLine } from "../sinks/blkparseFormat.js";
import { formatNdjson } from "../sinks/ndjsonWriter.js";
import { writeOut } from "../sinks/writeOut.js";
import { traceBatches } from "../sources/fromTrace.js";
import type { CatCliOptions } from "./commands/cat.js";
import { requireInputsOrRun } from "./commands/options.js";
import { deviceOfOption } from "./deviceOption.js";
import { storedBatches, withStoredRun } from "./storedRun.js";

/**
 * The `blkrx cat` command: stream events to stdout in the chosen form,
 * waiting for stdout to drain so memory stays bounded on large traces.
 *
 * @example await runCat(["x.bin"], { ndjson: true });
 */
export async function runCat(inputs: string[], options: CatCliOptions): Promise<void> {
  requireInputsOrRun("print", inputs, options.run);
  const skips = options.lenient ? newSkipCounter() : undefined;
  const device = options.device !== undefined ? deviceOfOption(options.device) : undefined;
  const names = new Map<number, string>();
  const render = renderer(options, names);
  const print = async (batches: AsyncIterable<EventBatch>) => {
    for await (const batch of batches) {
      if (batch.names) for (const [pid, comm] of batch.names) names.set(pid, comm);
      const kept = device === undefined ? batch : rowsOnDevice(batch, device);
      if (kept.length > 0) await writeOut(process.stdout, render(kept));
    }
  };
  if (options.run !== undefined) {
    const id = options.run;
    await withStoredRun(options.db, id, async (store, run) => {
      if (!run.hasRaw)
        process.stderr.write(`blkrx: run ${id} was stored without raw events: printing its kept events only\n`);
      await print(storedBatches(store, run));
    });
    return;
  }
  await print(
    traceBatches(inputs, {
      ...(options.format ? { format: options.format } : {}),
      ...(skips ? { lenient: skips } : {}),
    }),
  );
  if (skips && skips.skipped > 0) {
    process.stderr.write(`blkrx: skipped ${skips.skipped} damaged record(s), e.g. ${skips.reasons.join("; ")}\n`);
  }
}

function renderer(options: CatCliOptions, names: Map<number, string>): (batch: EventBatch) => string | Uint8Array {
  if (options.binary) return (batch) => encodeBinary(batch);
  if (options.ndjson) return (batch) => formatNdjson(batch, names);
  return (batch) => {
    let out = "";
    for (let i = 0; i < batch.length; i++) {
      const line = formatBlkparseLine(batch, i, names);
      if (line !== undefined) out += `${line}\n`;
    }
    return out;
  };
}
