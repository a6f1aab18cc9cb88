import { createReadStream, promises as fsp } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { InputError } from "../model/errors.js";

/** Read size for trace files: large reads keep the decode loop busy. */
const READ_CHUNK = 1 << 20;

/**
 * The bytes of a trace input as chunks: a file path, or "-" for standard
 * input. Gzip is detected from its magic (1f 8b) and decompressed on the
 * fly, so `trace.bin.gz` and `trace.bin` read alike. A missing or unreadable
 * file is an InputError naming it.
 *
 * @example for await (const chunk of inputBytes("trace.bin.gz")) decoder.push(chunk);
 */
export async function* inputBytes(
  path: string,
  stdin: Readable = process.stdin,
  onRead?: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  const raw = path === "-" ? stdin : await openFile(path);
  const source = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const iterator: AsyncIterator<Buffer> = onRead
    ? {
        next: async () => {
          const r = await source.next();
          if (!r.done) onRead(r.value.length);
          return r;
        },
        return: async () => (await source.return?.()) ?? { done: true, value: undefined },
      }
    : source;
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    yield* gunzip(head, iterator, path);
    return;
  }
  try {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  } finally {
    await iterator.return?.();
  }
}

async function openFile(path: string): Promise<Readable> {
  try {
    const stat = await fsp.stat(path);
    if (stat.isDirectory()) throw new InputError(`${path}: expected a trace file, found a directory`);
  } catch (error: unknown) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read the trace file (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  return createReadStream(path, { highWaterMark: READ_CHUNK });
}

async function* gunzip(head: Buffer, rest: AsyncIterator<Buffer>, path: string): AsyncGenerator<Uint8Array> {
  const inflate = createGunzip({ chunkSize: READ_CHUNK });
  const feed = (async () => {
    try {
      if (!inflate.write(head)) await waitDrain(inflate);
      for (let r = await rest.next(); !r.done; r = await rest.next()) {
        if (inflate.destroyed) break;
        if (!inflate.write(r.value)) await waitDrain(inflate);
      }
      inflate.end();
    } catch (error: unknown) {
      inflate.destroy(error as Error);
    } finally {
      await rest.return?.();
    }
  })();
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error: unknown) {
    throw new InputError(`${path}: expected a complete gzip stream, found ${(error as Error).message}`);
  } finally {
    inflate.destroy();
    await feed;
  }
}

function waitDrain(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.once("drain", () => resolve()));
}
