import { writeFile } from "node:fs/promises";
import { firstValueFrom } from "rxjs";
import { newSkipCounter } from "../model/errors.js";
import { accessGrid } from "../operators/accessGrid.js";
import { selectionFilter } from "../operators/select.js";
import { describeSelection, SelectionTally, whyNothingKept } from "../operators/selectionTally.js";
import { renderAccessPlot } from "../sinks/accessPlot.js";
import { fromTrace } from "../sources/fromTrace.js";
import { analyzeEvents } from "./analyze.js";
import type { PlotCliOptions } from "./commands/plot.js";
import { deviceOfOption, requireOneDevice } from "./deviceOption.js";
import { fileMapFromOptions } from "./fileMapFromOptions.js";

/**
 * The `blkrx plot` command: analyze as `analyze` does, fold the kept events
 * into an access grid and write it as SVG.
 *
 * @example await runPlot(["x.bin"], { out: "x.svg", columns: 600, rows: 300, action: "D", rw: "read", small: 256, medium: 2048 });
 */
export async function runPlot(inputs: string[], options: PlotCliOptions): Promise<void> {
  const fileMap = await fileMapFromOptions(options);
  const device = options.device !== undefined ? deviceOfOption(options.device) : undefined;
  const skips = options.lenient ? newSkipCounter() : undefined;
  const tally = new SelectionTally();
  const grid = await firstValueFrom(
    fromTrace(inputs, {
      ...(options.format ? { format: options.format } : {}),
      ...(skips ? { lenient: skips } : {}),
      payloads: false,
      keep: selectionFilter({ action: options.action, rw: options.rw, tally }),
    }).pipe(
      analyzeEvents({
        action: options.action,
        rw: options.rw,
        small: options.small,
        medium: options.medium,
        tally,
        ...(fileMap ? { fileMap } : {}),
        ...(device !== undefined ? { device } : {}),
      }),
      accessGrid({ columns: options.columns, rows: options.rows, ...(fileMap ? { fileMap } : {}) }),
    ),
  );
  const words = {
    action: options.action,
    rw: options.rw,
    inFile: fileMap !== undefined,
    ...(options.device !== undefined ? { device: options.device } : {}),
  };
  requireOneDevice(tally, { ...words, inputs: inputs.join(" "), what: describeSelection(options.action, options.rw) });
  const why = whyNothingKept(tally, grid.events, words);
  if (why) process.stderr.write(`blkrx: ${why}\n`);
  const svg = renderAccessPlot(grid, { title: options.title ?? inputs.join(" ") });
  if (options.out === "-") process.stdout.write(svg);
  else {
    await writeFile(options.out, svg);
    process.stderr.write(`blkrx: wrote ${options.out} (${grid.events} events)\n`);
  }
  if (skips && skips.skipped > 0) process.stderr.write(`blkrx: skipped ${skips.skipped} damaged record(s)\n`);
}
