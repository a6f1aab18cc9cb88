import * as fsp from "node:fs/promises";
import { InputError, TraceFormatError } from "../model/errors.js";
import { ggmlTypeByCode, tensorBytes } from "../model/ggmlTypes.js";
import { alignUp, GGUF_DEFAULT_ALIGNMENT, type GgufLayout, type GgufTensor } from "../model/ggufLayout.js";
import { type GgufTensorInfo, readGgufQuickHeader } from "./ggufQuickHeader.js";

/**
 * Read where a GGUF file's tensors lie: the header is read by blkrx's quick
 * reader (ggufQuickHeader.ts; `@huggingface/gguf` costs ~0.2 s to load and
 * run, and is the reference in tests and the path that words the error
 * when the quick reader cannot read a file); blkrx adds the
 * byte size of each tensor from its ggml type and shape, sorts them into
 * file order and checks that every tensor lies inside the file. Bad input
 * (not GGUF, a cut header, another version, a tensor past the end) throws a
 * {@link TraceFormatError} whose message is one sentence naming the file.
 *
 * @example const layout = await readGgufLayout("model.gguf"); layout.tensors.length // 291
 */
export async function readGgufLayout(path: string): Promise<GgufLayout> {
  const fileBytes = await sizeOf(path);
  const { dataStart, alignment, tensorInfos } =
    (await quickHeader(path, fileBytes)) ?? (await libraryHeader(path, fileBytes));
  const tensors: GgufTensor[] = tensorInfos.map((info) => {
    const type = ggmlTypeByCode(info.dtype);
    if (!type) {
      throw new TraceFormatError(
        { file: path },
        `a ggml type blkrx can size for tensor ${info.name}`,
        `type ${info.dtype}`,
      );
    }
    const shape = info.shape.map(Number);
    const offset = dataStart + info.offset;
    let bytes: number;
    try {
      bytes = tensorBytes(type, shape);
    } catch (error) {
      throw new TraceFormatError(
        { file: path },
        `whole ${type.name} blocks in tensor ${info.name}`,
        `rows of ${shape[0]} values`,
        {
          cause: error,
        },
      );
    }
    if (offset + bytes > fileBytes) {
      throw new TraceFormatError(
        { file: path, offset },
        `tensor ${info.name} (${bytes} bytes) inside the file`,
        `it ends at byte ${offset + bytes}, past the end of the file (${fileBytes} bytes)`,
      );
    }
    return { name: info.name, type, shape, offset, bytes };
  });
  tensors.sort((a, b) => a.offset - b.offset);
  return { dataStart, alignment, tensors, fileBytes };
}

/** The header as blkrx's quick reader gives it (undefined when it cannot: the library path words the error). */
async function quickHeader(path: string, fileBytes: number): Promise<Header | undefined> {
  const quick = await readGgufQuickHeader(path, fileBytes);
  if (!quick || quick.tensorInfoEnd > fileBytes) return undefined;
  const alignment = quick.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  return { dataStart: alignUp(quick.tensorInfoEnd, alignment), alignment, tensorInfos: quick.tensorInfos };
}

interface Header {
  dataStart: number;
  alignment: number;
  tensorInfos: readonly GgufTensorInfo[];
}

/** The header as `@huggingface/gguf` reads it, with blkrx's checks and one-sentence errors around it. */
async function libraryHeader(path: string, fileBytes: number): Promise<Header> {
  await checkMagicAndVersion(path, fileBytes);
  const { gguf } = await import("@huggingface/gguf");
  let parsed: Awaited<ReturnType<typeof gguf>>;
  try {
    parsed = await gguf(path, { allowLocalFile: true });
  } catch (error) {
    throw new TraceFormatError(
      { file: path },
      "a complete GGUF header (metadata and tensor infos)",
      "one that is cut short or damaged",
      { cause: error },
    );
  }
  // the library reads past the end of a local file as if it went on, so a cut header is caught here
  const headerEnd = parsed.tensorInfoByteRange[1];
  if (headerEnd > fileBytes) {
    throw new TraceFormatError(
      { file: path, offset: fileBytes },
      `a complete GGUF header (${headerEnd} bytes of metadata and tensor infos)`,
      "the end of the file: the header is cut short",
    );
  }
  const rawAlignment = (parsed.metadata as Record<string, unknown>)["general.alignment"];
  return {
    dataStart: Number(parsed.tensorDataOffset),
    alignment: rawAlignment === undefined ? GGUF_DEFAULT_ALIGNMENT : Number(rawAlignment),
    tensorInfos: parsed.tensorInfos.map((info) => ({
      name: info.name,
      shape: info.shape.map(Number),
      dtype: info.dtype,
      offset: Number(info.offset),
    })),
  };
}

async function sizeOf(path: string): Promise<number> {
  try {
    const s = await fsp.stat(path);
    if (!s.isFile()) throw new InputError(`${path} is not a regular file: expected a GGUF model file`);
    return s.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${path}: no such file or no permission`, { cause: error });
  }
}

/** The checks the library would word as its own: magic "GGUF" and version 2 or 3 (GGUF v1 has no u64 counts). */
async function checkMagicAndVersion(path: string, fileBytes: number): Promise<void> {
  const fh = await fsp.open(path, "r");
  const head = Buffer.alloc(8);
  try {
    await fh.read(head, 0, 8, 0);
  } finally {
    await fh.close();
  }
  const magic = head.subarray(0, Math.min(4, fileBytes)).toString("latin1");
  if (magic !== "GGUF") {
    throw new TraceFormatError(
      { file: path, offset: 0 },
      'a GGUF file (magic "GGUF")',
      fileBytes === 0 ? "an empty file" : JSON.stringify(magic),
    );
  }
  if (fileBytes < 8) throw new TraceFormatError({ file: path, offset: 4 }, "a GGUF version", "the end of the file");
  const version = head.readUInt32LE(4);
  if (version !== 2 && version !== 3) {
    throw new TraceFormatError({ file: path, offset: 4 }, "GGUF version 2 or 3", `version ${version}`);
  }
}
