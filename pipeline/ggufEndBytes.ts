import { type FileMap, fileSectorsOf } from "../model/fileMap.js";
import type { GgufLayout } from "../model/ggufLayout.js";

/**
 * Where the `(end)` region of `--gguf` stops: the file's last sector (from
 * the extents, or the model's size without them). Notes on stderr when the
 * extents describe a file of another size than the model.
 *
 * @example new TensorAttributionAccumulator(layout, ggufEndBytes(layout, "m.gguf", fileMap))
 */
export function ggufEndBytes(layout: GgufLayout, model: string, fileMap: FileMap | undefined): number {
  if (fileMap && fileMap.fileSize !== layout.fileBytes) {
    process.stderr.write(
      `blkrx: note: the extents describe a file of ${fileMap.fileSize} bytes but ${model} has ${layout.fileBytes} bytes\n`,
    );
  }
  return (fileMap ? fileSectorsOf(fileMap) : Math.ceil(layout.fileBytes / 512)) * 512;
}
