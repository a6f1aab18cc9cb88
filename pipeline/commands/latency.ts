import { type Command, Option } from "commander";
import type { Observable } from "rxjs";
import type { EventBatch } from "../../model/batch.js";
import { InputError } from "../../model/errors.js";
import {
  deviceOption,
  type FileRangeCliOptions,
  fileRangeOptions,
  inputOptions,
  MERGED_INPUTS_HELP,
  nonNegativeInt,
  requireInputsOrRun,
  storedRunOptions,
} from "./options.js";

/** Options of `blkrx latency` as commander parses them. */
export interface LatencyCliOptions extends FileRangeCliOptions {
  by: "device" | "direction" | "process" | "phase";
  json?: boolean;
  format?: "binary" | "blkparse" | "ftrace" | "ndjson";
  lenient?: boolean;
  maxAge: number;
  plot?: string;
  device?: string;
  run?: number;
  db: string;
}

/**
 * `blkrx latency INPUT...`: follow every bio from queue to completion and
 * print btt-style Q2G, G2I, Q2M, I2D, M2D, D2C and Q2C statistics with
 * percentiles, device overhead and log2 histograms (or the JSON report).
 *
 * @example registerLatency(program)
 */
export function registerLatency(program: Command): void {
  const cmd = program
    .command("latency")
    .description("per-stage request latency (Q2G, G2I, Q2M, I2D, D2C, Q2C) like btt, with percentiles and histograms")
    .argument("[inputs...]", `${MERGED_INPUTS_HELP} (or --run ID)`)
    .addOption(
      new Option("--by <group>", "rows per device, direction, process or phase")
        .choices(["device", "direction", "process", "phase"])
        .default("device"),
    )
    .option("--json", "print exactly the latency report JSON object on stdout")
    .option("--plot <file.svg>", "also draw the overall latency histograms as SVG");
  for (const option of fileRangeOptions()) cmd.addOption(option);
  cmd.addOption(
    new Option("--max-age <seconds>", "drop bios not completed after this long (trace time)")
      .argParser((v) => nonNegativeInt(v))
      .default(30),
  );
  for (const option of inputOptions()) cmd.addOption(option);
  cmd.addOption(deviceOption());
  for (const option of storedRunOptions("follow the requests of")) cmd.addOption(option);
  cmd.action(async (inputs: string[], options: LatencyCliOptions) => {
    requireInputsOrRun("measure", inputs, options.run);
    const [
      { lastValueFrom, tap },
      { newSkipCounter },
      { requestLifecycle },
      { latencySummary },
      sinks,
      sources,
      files,
      ranges,
      selection,
      tallies,
      devices,
      stored,
    ] = await Promise.all([
      import("rxjs"),
      import("../../model/errors.js"),
      import("../../operators/requestLifecycle.js"),
      import("../../operators/latencySummary.js"),
      import("../../sinks/latencyTable.js"),
      import("../../sources/fromTrace.js"),
      import("../fileMapFromOptions.js"),
      import("../../operators/sectorRange.js"),
      import("../../operators/select.js"),
      import("../../operators/selectionTally.js"),
      import("../deviceOption.js"),
      import("../storedRun.js"),
    ]);
    if (options.maxAge <= 0)
      throw new RangeError(`Cannot drop bios after --max-age ${options.maxAge}: it must be above 0`);
    const skips = options.lenient ? newSkipCounter() : undefined;
    const fileMap = await files.fileMapFromOptions(options);
    const device = options.device !== undefined ? devices.deviceOfOption(options.device) : undefined;
    const tally = new tallies.SelectionTally();
    const follow = (all: Observable<EventBatch>) => {
      // Devices are counted only when a file range needs one device; the count is a loop over each batch.
      const counted = fileMap && device === undefined ? all.pipe(tap((b) => tally.addDevicesOf(b))) : all;
      const events = device !== undefined ? counted.pipe(selection.onDevice(device)) : counted;
      const inRange = fileMap ? events.pipe(ranges.sectorRange(fileMap)) : events;
      return lastValueFrom(
        inRange.pipe(requestLifecycle({ maxAgeNs: options.maxAge * 1e9 }), latencySummary({ by: options.by })),
      );
    };
    const id = options.run;
    const report =
      id !== undefined
        ? await stored.withStoredRun(options.db, id, (store, run) => {
            if (!run.hasRaw)
              throw new InputError(
                `Cannot follow the requests of run ${id}: it was stored without raw events (store it with analyze --raw, run or live)`,
              );
            return follow(stored.storedEvents(store, run));
          })
        : await follow(
            sources.fromTrace(inputs, {
              ...(options.format ? { format: options.format } : {}),
              ...(skips ? { lenient: skips } : {}),
            }),
          );
    devices.requireOneDevice(tally, {
      inputs: id !== undefined ? `run ${id}` : inputs.join(" "),
      inFile: fileMap !== undefined,
      what: "events",
    });
    if (skips && skips.skipped > 0) {
      process.stderr.write(`blkrx: skipped ${skips.skipped} damaged record(s), e.g. ${skips.reasons.join("; ")}\n`);
    }
    if (options.plot) {
      const [{ writeFile }, { renderLatencyPlot }] = await Promise.all([
        import("node:fs/promises"),
        import("../../sinks/latencyPlot.js"),
      ]);
      const what = id !== undefined ? `run ${id}` : inputs.join(" ");
      await writeFile(options.plot, renderLatencyPlot(report, `request latency: ${what}`));
      process.stderr.write(`blkrx: wrote ${options.plot}\n`);
    }
    const out = skips ? { ...report, skipped: skips.skipped } : report;
    process.stdout.write(options.json ? `${sinks.latencyJson(out)}\n` : sinks.renderLatency(report));
  });
}
