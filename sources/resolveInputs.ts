import * as fsp from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InputError } from "../model/errors.js";

/** One trace to read: a single stream, or the per-CPU files of a blktrace set. */
export interface ResolvedInput {
  /** What the user named. */
  readonly name: string;
  /** Files (or "-") to read; more than one means a per-CPU set merged by time. */
  readonly files: readonly string[];
  /** CPUs below the highest one of a per-CPU set that have no file (absent when none is missing). */
  readonly missingCpus?: readonly number[];
}

const PER_CPU = /\.blktrace\.(\d+)$/;

/**
 * Resolve a command-line input: "-" is standard input; an existing path
 * other than a directory (a file, FIFO, `/dev/fd/N`, character device) is
 * read as it is; a blktrace base name `NAME` (no such file, but
 * `NAME.blktrace.0`, `NAME.blktrace.1`, ... exist) becomes its per-CPU set,
 * ordered by CPU, with the CPUs missing below the highest in `missingCpus`
 * (see {@link missingCpusWarning}). Anything else is an InputError naming the path.
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
  const missing = missingCpus(cpus.map((c) => c.cpu));
  return { name: input, files: cpus.map((c) => c.file), ...(missing.length > 0 ? { missingCpus: missing } : {}) };
}

/**
 * The CPU numbers from 0 to the highest present that have no file: blktrace
 * writes one file per traced CPU, so a hole is a lost file (or a CPU that was
 * offline while tracing).
 *
 * @example missingCpus([0, 2, 5]) // [1, 3, 4]
 */
export function missingCpus(present: readonly number[]): number[] {
  const have = new Set(present);
  const out: number[] = [];
  for (let cpu = 0; cpu < Math.max(-1, ...present); cpu++) if (!have.has(cpu)) out.push(cpu);
  return out;
}

/**
 * The warning for a per-CPU set with holes, in the user's words.
 *
 * @example missingCpusWarning({ name: "sda", files: [...], missingCpus: [1] })
 * // "sda: per-CPU set without sda.blktrace.1 (CPU 1): its events are not in this analysis (nothing is lost if that CPU was offline while tracing)"
 */
export function missingCpusWarning(input: ResolvedInput): string | undefined {
  const missing = input.missingCpus;
  if (!missing || missing.length === 0) return undefined;
  const [first] = missing;
  const which =
    missing.length === 1
      ? `${input.name}.blktrace.${first} (CPU ${first})`
      : `${missing.length} files (CPUs ${cpuRanges(missing)})`;
  const those = missing.length === 1 ? "that CPU was" : "those CPUs were";
  return `${input.name}: per-CPU set without ${which}: ${missing.length === 1 ? "its" : "their"} events are not in this analysis (nothing is lost if ${those} offline while tracing)`;
}

/** Sorted CPU numbers as ranges: [1, 2, 3, 5] -> "1-3, 5". */
function cpuRanges(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === (cpus[j] as number) + 1) j++;
    parts.push(j > i ? `${cpus[i]}-${cpus[j]}` : `${cpus[i]}`);
    i = j + 1;
  }
  return parts.join(", ");
}
