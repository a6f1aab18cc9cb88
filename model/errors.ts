/** Where in an input a problem was found: a byte offset (binary) or a line (text). */
export interface TraceLocation {
  /** File path, or "-" for standard input. */
  file: string;
  /** Byte offset from the start of the (decompressed) input. */
  offset?: number;
  /** 1-based line number for text formats. */
  line?: number;
}

/**
 * A trace input does not follow its format. The message names the file, the
 * byte offset or line, what was expected and what was found, so the CLI can
 * print it as one sentence without a stack trace.
 *
 * @example throw new TraceFormatError({ file: "x.bin", offset: 96 }, "a blk_io_trace magic", "0xdeadbeef");
 */
export class TraceFormatError extends Error {
  override readonly name = "TraceFormatError";
  readonly location: TraceLocation;
  readonly expected: string;
  readonly found: string;

  constructor(location: TraceLocation, expected: string, found: string, options?: { cause?: unknown }) {
    super(`${describeLocation(location)}: expected ${expected}, found ${found}`, options);
    this.location = location;
    this.expected = expected;
    this.found = found;
  }
}

/** "file at byte N" / "file line N" / "file". */
export function describeLocation(loc: TraceLocation): string {
  if (loc.line !== undefined) return `${loc.file} line ${loc.line}`;
  if (loc.offset !== undefined) return `${loc.file} at byte ${loc.offset}`;
  return loc.file;
}

/**
 * An input cannot be opened or used at all (missing file, no extents in a
 * filefrag listing, unknown format). Printed as one sentence by the CLI.
 *
 * @example throw new InputError("no such file: x.bin");
 */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** Counts records skipped in lenient mode, reported as `skipped` in summaries. */
export interface SkipCounter {
  skipped: number;
  /** First few reasons, for the stderr note. */
  reasons: string[];
}

/**
 * A fresh skip counter for lenient parsing.
 *
 * @example const skips = newSkipCounter(); decode(..., { lenient: skips });
 */
export function newSkipCounter(): SkipCounter {
  return { skipped: 0, reasons: [] };
}

/** Record one skipped record (keeps the first 5 reasons). */
export function noteSkip(counter: SkipCounter, reason: string): void {
  counter.skipped++;
  if (counter.reasons.length < 5) counter.reasons.push(reason);
}
