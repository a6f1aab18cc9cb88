import * as fsp from "node:fs/promises";
import { InputError } from "../../model/errors.js";
import type { GgufLayout, GgufTensor } from "../../model/ggufLayout.js";
import { alignUp } from "../../model/ggufLayout.js";
import { RandomWeights } from "./randomWeights.js";

/** Options of {@link writeGguf}. */
export interface WriteGgufOptions {
  /** Seed of the random weights. */
  seed: number;
  /** F32 values are drawn around this center (1 for norm weights); default 0. */
  centerOf?: (tensor: GgufTensor) => number;
  /** Called after each chunk with bytes written so far and the file size. */
  onProgress?: (written: number, total: number) => void;
}

/** Bytes generated and written per step (two such buffers live at a time). */
const CHUNK_BYTES = 4 * 2 ** 20;

/**
 * Stream a GGUF file to `path`: `header` (from `ggufHeaderBytes`), then each
 * tensor's random data and alignment padding, in layout order. Memory stays
 * at two 4 MiB buffers whatever the model size: one is filled while the
 * other is being written. Writes `path.partial` and renames it at the end,
 * so an interrupted run never leaves a file that looks complete; an existing
 * `path` that is not a regular file (a device, a directory) is refused.
 *
 * @example await writeGguf("m.gguf", header.bytes, header.layout, { seed: 1 });
 */
export async function writeGguf(
  path: string,
  header: Uint8Array,
  layout: GgufLayout,
  options: WriteGgufOptions,
): Promise<void> {
  // the file is written beside the target and renamed over it: never over a device, pipe or directory
  const existing = await fsp.stat(path).catch(() => undefined);
  if (existing && !existing.isFile()) throw new InputError(`cannot write ${path}: it exists and is not a regular file`);
  const partial = `${path}.partial`;
  const fh = await fsp.open(partial, "w").catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      `cannot write ${path}: ${error.code === "ENOENT" ? "its directory does not exist" : (error.code ?? error.message)}`,
      {
        cause: error,
      },
    );
  });
  const buffers = [new Uint8Array(CHUNK_BYTES + 4), new Uint8Array(CHUNK_BYTES + 4)];
  const zeros = new Uint8Array(Math.max(layout.alignment, 1));
  let which = 0;
  let pending: Promise<unknown> = fh.write(header, 0, header.length, 0);
  let written = header.length;
  const report = () => options.onProgress?.(written, layout.fileBytes);
  try {
    for (let i = 0; i < layout.tensors.length; i++) {
      const t = layout.tensors[i] as GgufTensor;
      const random = new RandomWeights(options.seed, i);
      const center = options.centerOf?.(t) ?? 0;
      // whole blocks per chunk, a multiple of 4 blocks so every chunk is word-aligned
      const chunk = Math.max(4, Math.floor(CHUNK_BYTES / t.type.blockBytes / 4) * 4) * t.type.blockBytes;
      for (let done = 0; done < t.bytes; done += chunk) {
        const length = Math.min(chunk, t.bytes - done);
        const buffer = buffers[which] as Uint8Array;
        which ^= 1;
        random.fill(t.type, buffer.subarray(0, alignUp(length, 4)), center);
        await pending;
        report();
        pending = fh.write(buffer, 0, length, t.offset + done);
        written = t.offset + done + length;
      }
      const next = i + 1 < layout.tensors.length ? (layout.tensors[i + 1] as GgufTensor).offset : layout.fileBytes;
      const end = t.offset + t.bytes;
      if (next > end) {
        await pending;
        pending = fh.write(zeros, 0, next - end, end);
        written = next;
      }
    }
    await pending;
    report();
    await fh.close();
    await fsp.rename(partial, path);
  } catch (error) {
    await fh.close().catch(() => undefined);
    await fsp.rm(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    // a full disk or a lost device, in the user's words: the file and what happened
    if (code)
      throw new InputError(`cannot write ${path}: ${code === "ENOSPC" ? "the disk is full" : code}`, { cause: error });
    throw error;
  }
}
