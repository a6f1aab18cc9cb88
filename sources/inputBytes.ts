import type { FileHandle } from "node:fs/promises";
import * as fsp from "node:fs/promises";
import type { Readable } from "node:stream";
import { InputError } from "../model/errors.js";

/** Read size for trace files: large reads keep the decode loop busy. */
const READ_CHUNK = 1 << 20;
/** Synchronous reads give the event loop a turn after this many chunks (64 MiB). */
const READS_PER_TURN = 64;

// node:fs comes through getBuiltinModule, not `import`: an ES import of node:fs builds its namespace, whose
// getters load Node's whole streams stack, ~6 ms of `import("blkrx")` (A/B); the module object costs nothing.
const { createReadStream, readSync } = process.getBuiltinModule("node:fs");
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The bytes of a trace input as chunks: a file path, or "-" for standard
 * input. Gzip is detected from its magic (1f 8b) and decompressed on the
 * fly, so `trace.bin.gz` and `trace.bin` read alike. A missing or unreadable
 * file is an InputError naming it.
 *
 * A chunk of a plain file is valid only until the next one is requested:
 * files are read into one reused 1 MiB buffer (measured: allocating a fresh
 * Buffer per read kept V8's GC threads busy on the second core, which
 * `analyze-many` needs). Decoders copy what they keep. Plain files are read
 * synchronously on the calling thread (measured: libuv's thread-pool hand-off
 * per 1 MiB read cost ~25 % of a 10M-record binary replay, and with the DuckDB
 * writer thread busy the pool waited for a core), with an event-loop turn
 * every 64 MiB so timers, signals and worker messages are still served.
 *
 * @example for await (const chunk of inputBytes("trace.bin.gz")) decoder.push(chunk);
 */
export async function* inputBytes(
  path: string,
  stdin: Readable = process.stdin,
  onRead?: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  const source = path === "-" ? (stdin[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>) : await fileChunks(path);
  const iterator: AsyncIterator<Uint8Array> = onRead
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
  let head = first.value;
  // A pipe may deliver one byte first; the gzip magic takes two (copied: a file chunk's buffer is reused).
  while (head.length < 2) {
    const more = await iterator.next();
    if (more.done) break;
    head = Buffer.concat([head, more.value]);
  }
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

/** A file's bytes as chunks of one reused buffer (see inputBytes); FIFOs and devices are read as streams. */
async function fileChunks(path: string): Promise<AsyncIterator<Uint8Array>> {
  let handle: FileHandle;
  try {
    const stat = await fsp.stat(path);
    if (stat.isDirectory()) throw new InputError(`${path}: expected a trace file, found a directory`);
    if (!stat.isFile()) return streamChunks(path);
    handle = await fsp.open(path, "r");
  } catch (error: unknown) {
    if (error instanceof InputError) throw error;
    throw unreadable(path, error);
  }
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  let reads = 0;
  return {
    async next() {
      if (closed) return { done: true, value: undefined };
      if (++reads % READS_PER_TURN === 0) await nextTurn();
      let bytesRead: number;
      try {
        bytesRead = readSync(handle.fd, buffer, 0, READ_CHUNK, null);
      } catch (error: unknown) {
        await close(); // a failed next() is not followed by return(): close here
        throw unreadable(path, error);
      }
      if (bytesRead === 0) {
        await close();
        return { done: true, value: undefined };
      }
      // A plain Uint8Array view, not a Buffer: its slice() copies, so a carried tail never aliases the reused buffer.
      return { done: false, value: new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead) };
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
  };
}

/** FIFOs, `/dev/fd/N` and character devices, read as a stream: a failed open or read names the path. */
async function* streamChunks(path: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) yield chunk as Buffer;
  } catch (error: unknown) {
    throw unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): InputError {
  return new InputError(`${path}: cannot read the trace file (${(error as NodeJS.ErrnoException).code ?? error})`);
}

/**
 * Decompress `head` and the rest of the input. Node's pipeline() owns both
 * streams, so whichever side stops first (the reader returns early on a
 * format error, the gzip data is damaged, a read fails) destroys the other
 * and the whole settles. The hand-written feed this replaces waited for a
 * 'drain' that a destroyed stream never emits: once the compressed input
 * outran zlib's 16 KiB write buffer, a format error left the CLI's top-level
 * await unsettled (exit 13, no message).
 */
async function* gunzip(head: Uint8Array, rest: AsyncIterator<Uint8Array>, path: string): AsyncGenerator<Uint8Array> {
  // Loaded here, on the first gzip input: node:zlib and node:stream cost ~8 ms of every `import "blkrx"` otherwise.
  const [{ createGunzip }, { Readable }, { pipeline }] = await Promise.all([
    import("node:zlib"),
    import("node:stream"),
    import("node:stream/promises"),
  ]);
  const inflate = createGunzip({ chunkSize: READ_CHUNK });
  // Byte mode with a 1 MiB mark: one read ahead of zlib, not 16 chunks (object mode's default).
  const compressed = Readable.from(copies(head, rest), { objectMode: false, highWaterMark: READ_CHUNK });
  const piped = pipeline(compressed, inflate).catch(() => undefined); // its error reaches the loop below
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error: unknown) {
    if (error instanceof InputError) throw error; // the compressed file itself could not be read
    throw new InputError(`${path}: expected a complete gzip stream, found ${(error as Error).message}`);
  } finally {
    inflate.destroy();
    await piped; // settles once the input is closed
  }
}

/** Copies of the input's chunks: zlib keeps written buffers until it has read them, and file chunks reuse one buffer. */
async function* copies(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  try {
    yield Buffer.from(head);
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield Buffer.from(r.value);
  } finally {
    await rest.return?.();
  }
}
