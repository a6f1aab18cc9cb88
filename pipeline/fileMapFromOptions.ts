import { promises as fsp } from "node:fs";
import { InputError } from "../model/errors.js";
import { extentsOf } from "../operators/extentsOf.js";
import { type FileMap, parseFilefrag } from "../operators/fileMap.js";

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
 * `--partition-start` and `--file-size`), or none (whole device).
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
  return parseFilefrag(text, {
    source: path,
    ...(options.partitionStart !== undefined ? { partitionStart: options.partitionStart } : {}),
    ...(options.fileSize !== undefined ? { fileSize: options.fileSize } : {}),
  });
}
