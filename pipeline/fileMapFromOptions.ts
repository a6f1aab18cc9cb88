import { promises as fsp } from "node:fs";
import { InputError } from "../model/errors.js";
import { type FileMap, parseFilefrag } from "../model/fileMap.js";
import { extentsOf } from "../sources/extentsOf.js";

/** The file-range options shared by analyze, latency and live. */
export interface FileRangeOptions {
  extents?: string;
  file?: string;
  partitionStart?: number;
  fileSize?: number;
}

/**
 * The FileMap the options ask for: `--file` (filefrag + sysfs on this
 * machine), `--extents` (a saved filefrag -v listing, with
 * `--partition-start`, required, and `--file-size`), or none (whole device).
 * filefrag's blocks count from the partition's start, which the listing
 * does not say: assuming 0 would shift every extent on a partitioned disk
 * and give plausible wrong numbers, so it must be given (0 is a valid value).
 *
 * @example const map = await fileMapFromOptions({ extents: "frag.filefrag.txt", partitionStart: 2048 });
 */
export async function fileMapFromOptions(options: FileRangeOptions): Promise<FileMap | undefined> {
  if (options.file && options.extents) {
    throw new InputError("give either --file or --extents, not both");
  }
  if (options.file) {
    const map = await extentsOf(options.file);
    return options.fileSize !== undefined ? { ...map, fileSize: options.fileSize } : map;
  }
  if (!options.extents) return undefined;
  const path = options.extents;
  const text = await fsp.readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${path}: cannot read the filefrag listing (${error.code ?? error.message})`);
  });
  const map = parseFilefrag(text, {
    source: path,
    ...(options.fileSize !== undefined ? { fileSize: options.fileSize } : {}),
  });
  if (options.partitionStart === undefined) {
    throw new InputError(
      `Cannot place --extents ${path} on the device: filefrag counts blocks from the start of the partition, so --partition-start SECTORS is required (0 for a filesystem on a whole disk, else /sys/class/block/PARTITION/start)`,
    );
  }
  return { ...map, partitionStart: options.partitionStart };
}
