import { existsSync, readFileSync } from "node:fs";
import { deviceOfDatasetName } from "../model/datasetDevice.js";
import { InputError } from "../model/errors.js";
import { describeDevices, type SelectionTally } from "../operators/selectionTally.js";

/**
 * The device number a `--device` value names, as traces record it
 * (major << 20 | minor): "7:0" or "7,0" (as blkparse prints it) directly,
 * a name such as "loop0" or "/dev/loop0" through
 * `/sys/class/block/NAME/dev` on this machine. Throws InputError, naming
 * the value as typed, for anything else.
 *
 * @example deviceOfOption("7,0") // 7340032
 */
export function deviceOfOption(value: string): number {
  const numbers = /^\s*(\d+)\s*[:,]\s*(\d+)\s*$/.exec(value);
  if (numbers) {
    const major = Number(numbers[1]);
    const minor = Number(numbers[2]);
    if (major < 4096 && minor < 2 ** 20) return ((major << 20) | minor) >>> 0;
    throw new InputError(
      `Cannot select --device ${value}: a trace records majors below 4096 and minors below 1048576 (got ${major},${minor})`,
    );
  }
  // Dataset volumes ("msr:usr/0", "alibaba:419") have synthetic device numbers of their own.
  const dataset = deviceOfDatasetName(value.trim());
  if (dataset !== undefined) return dataset;
  const name = value.replace(/^\/dev\//, "");
  const sys = `/sys/class/block/${name}/dev`;
  if (name === "" || name.includes("/") || !existsSync(sys)) {
    throw new InputError(
      `Cannot select --device ${value}: expected MAJOR:MINOR (7:0 or 7,0, as the trace prints it) or the name of a block device on this machine (got no ${sys})`,
    );
  }
  const [major, minor] = readFileSync(sys, "utf8").trim().split(":").map(Number);
  return (((major ?? 0) << 20) | (minor ?? 0)) >>> 0;
}

/**
 * Extents belong to one device: when a file range is given without
 * `--device` and the counted events come from several devices, the numbers
 * would mix them (a copy of a trace's D events on another device doubled
 * `events`). Throws InputError listing the devices and their counts.
 *
 * @example requireOneDevice(tally, { inputs: "trace.bin", inFile: true, what: "D reads" })
 */
export function requireOneDevice(
  tally: SelectionTally,
  options: { inputs: string; inFile: boolean; device?: string; what: string },
): void {
  if (!options.inFile || options.device !== undefined) return;
  const devices = tally.deviceCounts();
  if (devices.length < 2) return;
  throw new InputError(
    `Cannot restrict the events of ${options.inputs} to the file's sectors: they hold ${options.what} of ${devices.length} devices (${describeDevices(tally)}) and the extents are on one of them, so choose it with --device (got no --device)`,
  );
}
