import { promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../model/errors.js";

/** One trace to read: a single stream, or the per-CPU files of a blktrace set. */
export interface ResolvedInput {
  /** What the user named. */
  readonly name: string;
  /** Files (or "-") to read; more than one means a per-CPU set merged by time. */
  readonly files: readonly string[];
}

const PER_CPU = /\.blktrace\.(\d+)$/;

/**
 * Resolve a command-line input: "-" is standard input; an existing path
 * other than a directory (a file, FIFO, `/dev/fd/N`, character device) is
 * read as it is; a blktrace base name `NAME` (no such file, but
 * `NAME.blktrace.0`, `NAME.blktrace.1`, ... exist) becomes its per-CPU set,
 * ordered by CPU. Anything else is an InputError naming the path.
 *
 * @example await resolveInput("sda") // { name: "sda", files: ["sda.blktrace.0", "sda.blktrace.1"] }
 */
export async function resolveInput(input: string): Promise<ResolvedInput> {
  if (input === "-") return { name: "-", files: ["-"] };
  const stat = await fsp.stat(input).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined; // maybe a base name
    throw new InputError(`${input}: cannot read the trace file (${error.code ?? error.message})`);
  });
  if (stat?.isDirectory())
    throw new InputError(`${input}: expected a trace file or blktrace base name, found a directory`);
  // Anything else that exists is read as it is: files, FIFOs, <(process substitution), character devices.
  if (stat) return { name: input, files: [input] };
  const dir = dirname(input);
  const prefix = `${basename(input)}.blktrace.`;
  const entries = await fsp.readdir(dir).catch(() => [] as string[]);
  const cpus = entries
    .filter((e) => e.startsWith(prefix) && PER_CPU.test(e))
    .map((e) => ({ file: join(dir, e), cpu: Number(PER_CPU.exec(e)?.[1]) }))
    .sort((a, b) => a.cpu - b.cpu);
  if (cpus.length === 0) {
    throw new InputError(`${input}: no such file, and no blktrace per-CPU files ${input}.blktrace.N either`);
  }
  return { name: input, files: cpus.map((c) => c.file) };
}
