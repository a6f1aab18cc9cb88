import { firstValueFrom, tap } from "rxjs";
import { newSkipCounter } from "../model/errors.js";
import { fileSectorsOf } from "../operators/fileMap.js";
import { selectionFilter } from "../operators/select.js";
import { summarize } from "../operators/summarize.js";
import type { Summary } from "../operators/summaryTypes.js";
import { type TensorAttribution, TensorAttributionAccumulator } from "../operators/tensorAttribution.js";
import { progressFor } from "../sinks/progress.js";
import { fromTrace } from "../sources/fromTrace.js";
import { readGgufLayout } from "../sources/ggufHeader.js";
import { analyzeEvents } from "./analyze.js";
import type { GgufAttributeCliOptions } from "./commands/gguf.js";
import { fileMapFromOptions } from "./fileMapFromOptions.js";

/**
 * `blkrx gguf attribute INPUT... --model M.gguf`: the analyze summary plus
 * spec v2's `tensors` and `backward`, from one pass over the kept events.
 * The `(end)` region runs to the file's last sector (from the extents, or
 * the model's size without them).
 *
 * @example await runGgufAttribute(["trace.bin"], { model: "m.gguf", action: "D", rw: "read", small: 256, medium: 2048, top: 10, json: true });
 */
export async function runGgufAttribute(
  inputs: string[],
  options: GgufAttributeCliOptions,
): Promise<Summary & TensorAttribution> {
  const layout = await readGgufLayout(options.model);
  const fileMap = await fileMapFromOptions(options);
  if (fileMap && fileMap.fileSize !== layout.fileBytes) {
    process.stderr.write(
      `blkrx: note: the extents describe a file of ${fileMap.fileSize} bytes but ${options.model} has ${layout.fileBytes} bytes\n`,
    );
  }
  const endBytes = (fileMap ? fileSectorsOf(fileMap) : Math.ceil(layout.fileBytes / 512)) * 512;
  const skips = options.lenient ? newSkipCounter() : undefined;
  const attribution = new TensorAttributionAccumulator(layout, endBytes);
  const progress = await progressFor(inputs);
  let summary: Summary;
  try {
    const events = fromTrace(inputs, {
      ...(options.format ? { format: options.format } : {}),
      ...(skips ? { lenient: skips } : {}),
      payloads: false,
      onRead: progress.read,
      keep: selectionFilter({ action: options.action, rw: options.rw }),
    });
    summary = await firstValueFrom(
      events.pipe(
        analyzeEvents({
          action: options.action,
          rw: options.rw,
          small: options.small,
          medium: options.medium,
          ...(fileMap ? { fileMap } : {}),
        }),
        tap((batch) => attribution.add(batch)),
        summarize({ ...(fileMap ? { fileMap } : {}), ...(skips ? { skips } : {}) }),
      ),
    );
  } finally {
    progress.stop();
  }
  if (skips && skips.skipped > 0) {
    process.stderr.write(`blkrx: skipped ${skips.skipped} damaged record(s), e.g. ${skips.reasons.join("; ")}\n`);
  }
  const result = { ...summary, ...attribution.result() };
  if (summary.events === 0) process.stderr.write("blkrx: no events were kept: every region reads 0 bytes\n");
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const { renderSummary } = await import("../sinks/summaryTable.js");
    const { renderAttribution } = await import("../sinks/gguf/attributionTables.js");
    process.stdout.write(renderSummary(summary, inputs.join(" ")));
    process.stdout.write(renderAttribution(result, { top: options.top }));
  }
  return result;
}
