import { Act, Cat } from "../model/actions.js";

/**
 * Byte-level readers for the `ACTION RWBS` fields of blk text lines, used to
 * skip lines a selection drops without parsing them (see
 * TextLineDecoder.quickAction). Each returns -1 when the bytes are not what
 * a well-formed line holds, so the caller falls back to the full parser.
 */

const SPACE = 32;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/** Position after the spaces at `p` (at least one required), or -1. */
function skipSpaces(buf: Uint8Array, p: number, to: number): number {
  if (p >= to || buf[p] !== SPACE) return -1;
  let q = p + 1;
  while (q < to && buf[q] === SPACE) q++;
  return q;
}

/** Position after the digits at `p` (at least one required), or -1. */
function skipDigits(buf: Uint8Array, p: number, to: number): number {
  let q = p;
  while (q < to && (buf[q] as number) >= DIGIT_0 && (buf[q] as number) <= DIGIT_9) q++;
  return q > p ? q : -1;
}

/** Spaces then digits at `p`; -1 when either is missing or `p` is already -1. */
function spacedDigits(buf: Uint8Array, p: number, to: number): number {
  if (p < 0) return -1;
  const q = skipSpaces(buf, p, to);
  return q < 0 ? -1 : skipDigits(buf, q, to);
}

/** quickBlkparseColumns found the line not in blkparse's fixed columns: scan it field by field. */
export const NOT_FIXED = -2;

/** `c` is an ASCII digit (one unsigned compare). */
function isDigit(c: number): boolean {
  return (c - DIGIT_0) >>> 0 < 10;
}

/*
 * The field checks of quickBlkparseColumns, one per width, unrolled where
 * the width is small: measured on the bench text (micro-benchmark over 1M
 * lines), 47 ns per line against 67 ns for the general loops they replace.
 */

/** [p, p + 2) is `%2d`: a digit after a space or a digit. */
function rightAligned2(buf: Uint8Array, p: number): boolean {
  const a = buf[p] as number;
  return isDigit(buf[p + 1] as number) && (a === SPACE || isDigit(a));
}

/** [p, p + 3) is `%3d`: spaces then at least one digit. */
function rightAligned3(buf: Uint8Array, p: number): boolean {
  const a = buf[p] as number;
  const b = buf[p + 1] as number;
  if (!isDigit(buf[p + 2] as number)) return false;
  return isDigit(b) ? a === SPACE || isDigit(a) : b === SPACE && a === SPACE;
}

/** [p, p + 3) is `%-3d`: at least one digit then spaces. */
function leftAligned3(buf: Uint8Array, p: number): boolean {
  const b = buf[p + 1] as number;
  const c = buf[p + 2] as number;
  if (!isDigit(buf[p] as number)) return false;
  return isDigit(b) ? c === SPACE || isDigit(c) : b === SPACE && c === SPACE;
}

/** [from, to) is spaces then at least one digit (a right-aligned number of any width). */
function rightAligned(buf: Uint8Array, from: number, to: number): boolean {
  let q = to - 1;
  if (!isDigit(buf[q] as number)) return false;
  q--;
  while (q >= from && isDigit(buf[q] as number)) q--;
  for (; q >= from; q--) if (buf[q] !== SPACE) return false;
  return true;
}

/** [from, to) is digits only (a zero-padded number). */
function allDigits(buf: Uint8Array, from: number, to: number): boolean {
  for (let p = from; p < to; p++) if (!isDigit(buf[p] as number)) return false;
  return to > from;
}

/**
 * The raw action of a blkparse default-format line whose fields all fit
 * their widths (`%3d,%-3d %2d %8d %5T.%9t %5p %2a %3d `: the action then
 * sits at column 42–43), read at fixed offsets; NOT_FIXED when a field
 * overflowed or the line has another shape (the caller then scans field by
 * field), or -1 when the action/RWBS are not what a well-formed line holds.
 * Measured on the 5M-record bench text: most lines fit, and the fixed
 * offsets replace the scan that was a third of text replay.
 *
 * @example quickBlkparseColumns(bytes, lineStart, lineEnd) // Act.ISSUE | Cat.READ for "  7,0    1        0     0.000050885 22958  D   R ..."
 */
export function quickBlkparseColumns(buf: Uint8Array, from: number, to: number): number {
  if (
    to - from < 48 ||
    buf[from + 3] !== 44 || // ","
    buf[from + 7] !== SPACE ||
    buf[from + 10] !== SPACE ||
    buf[from + 19] !== SPACE ||
    buf[from + 25] !== 46 || // "."
    buf[from + 35] !== SPACE ||
    buf[from + 41] !== SPACE ||
    !rightAligned3(buf, from) ||
    !leftAligned3(buf, from + 4) ||
    !rightAligned2(buf, from + 8) ||
    !rightAligned(buf, from + 11, from + 19) ||
    !rightAligned(buf, from + 20, from + 25) ||
    !allDigits(buf, from + 26, from + 35) || // nanoseconds: nine digits
    !rightAligned(buf, from + 36, from + 41)
  ) {
    return NOT_FIXED;
  }
  if (buf[from + 42] !== SPACE) return quickActionRwbs(buf, from + 42, to);
  // More than one space before the action is not %2a's shape: the scan reads it (found by the property test).
  return buf[from + 43] === SPACE ? NOT_FIXED : quickActionRwbs(buf, from + 43, to);
}

/**
 * The raw action of a blkparse event line read field by field
 * (`MAJ,MIN CPU SEQ SEC.NSEC PID ACTION RWBS `, any widths), or -1 when the
 * line does not start like that.
 *
 * @example quickBlkparseScan(bytes, lineStart, lineEnd) // Act.QUEUE | Cat.READ for "259,0 1 7 1234567.000000001 1234567 Q R ..."
 */
export function quickBlkparseScan(buf: Uint8Array, from: number, to: number): number {
  let p = from;
  while (p < to && buf[p] === SPACE) p++;
  p = skipDigits(buf, p, to); // major
  if (p < 0 || buf[p] !== 44) return -1; // ","
  p = skipDigits(buf, p + 1, to); // minor
  p = spacedDigits(buf, p, to); // cpu
  p = spacedDigits(buf, p, to); // sequence
  p = spacedDigits(buf, p, to); // seconds
  if (p < 0 || buf[p] !== 46) return -1; // "."
  p = skipDigits(buf, p + 1, to); // nanoseconds
  p = spacedDigits(buf, p, to); // pid
  p = p < 0 ? -1 : skipSpaces(buf, p, to);
  return p < 0 ? -1 : quickActionRwbs(buf, p, to);
}

/**
 * Read `ACTION RWBS ` at `p` (action letters, spaces, RWBS letters, a space)
 * and return the raw action (code | category bits), or -1.
 *
 * @example quickActionRwbs(bytes, at, end) // Act.ISSUE | Cat.READ | Cat.SYNC for "D  RS "
 */
export function quickActionRwbs(buf: Uint8Array, p: number, to: number): number {
  const a = buf[p];
  const b = buf[p + 1];
  let code: number;
  let q = p + 1;
  if (b === SPACE) code = letterCode(a as number);
  else if (a === 85 && b === 84) {
    code = Act.UNPLUG_TIMER; // "UT"
    q = p + 2;
  } else return -1;
  if (code < 0) return -1;
  q = skipSpaces(buf, q, to);
  if (q < 0) return -1;
  const category = rwbsBits(buf, q, to);
  return category < 0 ? -1 : (code | category) >>> 0;
}

/** Category bits of the RWBS word at `p` (ended by a space), or -1. */
function rwbsBits(buf: Uint8Array, p: number, to: number): number {
  let q = p;
  let bits = 0;
  if (buf[q] === 70 && q + 1 < to && isKind(buf[q + 1] as number)) {
    bits |= Cat.FLUSH; // leading F = preflush
    q++;
  }
  // As the full parser (kernelCategoryBits in blkTrailer.ts): a discard is a write op, and every op that is not a write is a READ.
  const kind = buf[q++];
  if (kind === 68) bits |= Cat.DISCARD | Cat.WRITE;
  else if (kind === 87) bits |= Cat.WRITE;
  else if (kind === 82 || kind === 78) bits |= Cat.READ;
  else return -1;
  for (; q < to; q++) {
    const c = buf[q];
    if (c === SPACE) return bits >>> 0;
    if (c === 70) bits |= Cat.FUA;
    else if (c === 65) bits |= Cat.AHEAD;
    else if (c === 83) bits |= Cat.SYNC;
    else if (c === 77) bits |= Cat.META;
    else return -1;
  }
  return -1;
}

function isKind(c: number): boolean {
  return c === 68 || c === 87 || c === 82 || c === 78;
}

/** Single-letter action codes (blkparse letters). */
function letterCode(c: number): number {
  switch (c) {
    case 81:
      return Act.QUEUE; // Q
    case 77:
      return Act.BACKMERGE; // M
    case 70:
      return Act.FRONTMERGE; // F
    case 71:
      return Act.GETRQ; // G
    case 83:
      return Act.SLEEPRQ; // S
    case 82:
      return Act.REQUEUE; // R
    case 68:
      return Act.ISSUE; // D
    case 67:
      return Act.COMPLETE; // C
    case 80:
      return Act.PLUG; // P
    case 85:
      return Act.UNPLUG_IO; // U
    case 73:
      return Act.INSERT; // I
    case 88:
      return Act.SPLIT; // X
    case 66:
      return Act.BOUNCE; // B
    case 65:
      return Act.REMAP; // A
    default:
      return -1;
  }
}
