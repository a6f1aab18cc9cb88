import { promises as fsp } from "node:fs";
import cliProgress from "cli-progress";

/** A progress reporter: `read(bytes)` as input is consumed, `stop()` at the end. */
export interface Progress {
  read(bytes: number): void;
  stop(): void;
}

const NONE: Progress = { read: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr for replaying `inputs` (bytes read of their
 * total size), shown only when stderr is a terminal and the inputs are
 * regular files of at least 64 MiB, so pipes, tests and small traces stay quiet.
 *
 * @example const progress = await progressFor(["big.bin"]); fromTrace(inputs, { onRead: progress.read });
 */
export async function progressFor(
  inputs: readonly string[],
  stream: NodeJS.WriteStream = process.stderr,
): Promise<Progress> {
  if (!stream.isTTY || inputs.includes("-")) return NONE;
  const sizes = await Promise.all(
    inputs.map((i) =>
      fsp.stat(i).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < 64 * 2 ** 20) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "blkrx {bar} {percentage}% | {value}/{total} MiB | {eta}s left",
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const mib = (n: number) => Math.round(n / 2 ** 20);
  bar.start(mib(total), 0);
  let done = 0;
  let shown = 0;
  return {
    read(bytes) {
      done += bytes;
      if (done - shown >= 8 * 2 ** 20) {
        shown = done;
        bar.update(mib(done));
      }
    },
    stop() {
      bar.update(mib(total));
      bar.stop();
    },
  };
}
