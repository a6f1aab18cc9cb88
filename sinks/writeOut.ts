import type { Writable } from "node:stream";

/**
 * Write to a stream and wait for it to drain when its buffer is full, so a
 * fast producer (cat of a large trace) never buffers the whole output.
 *
 * @example await writeOut(process.stdout, lines);
 */
export async function writeOut(stream: Writable, text: string | Uint8Array): Promise<void> {
  if (stream.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      stream.off("error", onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off("drain", onDrain);
      reject(error);
    };
    stream.once("drain", onDrain);
    stream.once("error", onError);
  });
}
