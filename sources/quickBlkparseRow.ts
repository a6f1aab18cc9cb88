/**
 * Byte-level reader for the commonest blkparse event line: every header
 * field in its fixed column and the trailer `SECTOR + COUNT [TEXT]`, e.g.
 * `  7,0    1        0     0.000050885 22958  D   R 2048 + 8 [dd]`. Lines
 * a selection keeps (D or C reads, typically) are read this way without
 * turning them into strings; anything else is left to the full parser.
 * Measured (cpu profile of the 5M-record bench text): the kept ~9 % of
 * lines took a quarter of text replay through the string parser.
 */

const SPACE = 32;
const DIGIT_0 = 48;
/** Digits of a sector number that stay exact in a float64 (2^53 has 16 digits). */
const MAX_SECTOR_DIGITS = 15;

/** One line's fields as {@link quickBlkparseRow} reads them (reused from line to line). */
export interface QuickRow {
  major: number;
  minor: number;
  cpu: number;
  sequence: number;
  /** SEC.NSEC as nanoseconds (not rebased). */
  timeNs: number;
  pid: number;
  /** The action letter's byte (D, C, ...). */
  letter: number;
  /** The RWBS letters (at most 5) packed one byte each, first letter lowest: a cache key below 2^40. */
  rwbsKey: number;
  sector: number;
  /** Sector count (≤ 0x7fffff). */
  count: number;
  /** Where the bracketed text lies in the buffer: [textFrom, textTo). */
  textFrom: number;
  textTo: number;
}

/** A fresh QuickRow to pass to {@link quickBlkparseRow}. */
export function newQuickRow(): QuickRow {
  return {
    major: 0,
    minor: 0,
    cpu: 0,
    sequence: 0,
    timeNs: 0,
    pid: 0,
    letter: 0,
    rwbsKey: 0,
    sector: 0,
    count: 0,
    textFrom: 0,
    textTo: 0,
  };
}

/** Position after the digits at `p` (p itself when there are none). */
function digitsEnd(buf: Uint8Array, p: number, to: number): number {
  let q = p;
  while (q < to && (buf[q] as number) - DIGIT_0 >= 0 && (buf[q] as number) - DIGIT_0 <= 9) q++;
  return q;
}

/** Value of the number in [from, to): digits, after spaces when right-aligned (validated by the caller). */
function fieldValue(buf: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let p = from; p < to; p++) {
    const c = buf[p] as number;
    if (c !== SPACE) v = v * 10 + (c - DIGIT_0);
  }
  return v;
}

/**
 * Read the line [from, to), already known to hold blkparse's fixed header
 * columns (quickBlkparseColumns accepted it), into `row`, when it is a
 * single-letter action with the trailer `SECTOR + COUNT [TEXT]` exactly
 * (single spaces, `]` last on the line). Returns false for any other shape
 * (two-letter actions, PC requests, remaps, splits, trailing spaces, a
 * sector of 16 or more digits ...): the caller then parses the line in full, which
 * also reports it if it is malformed.
 *
 * @example const row = newQuickRow(); if (quickBlkparseRow(bytes, 0, bytes.length, row)) row.sector // 2048
 */
export function quickBlkparseRow(buf: Uint8Array, from: number, to: number, row: QuickRow): boolean {
  if (buf[from + 42] !== SPACE || buf[from + 44] !== SPACE || buf[to - 1] !== 93) return false; // "]"
  const letter = buf[from + 43] as number;
  // RWBS: capital letters up to a space (right-aligned in 3 columns, or longer; 6 letters take the full path).
  let p = from + 45;
  while (p < to && buf[p] === SPACE) p++;
  const rwbsFrom = p;
  let key = 0;
  let scale = 1;
  while (p < to && buf[p] !== SPACE) {
    const c = buf[p] as number;
    if (c < 65 || c > 90 || p - rwbsFrom >= 5) return false;
    key += c * scale;
    scale *= 256;
    p++;
  }
  if (p === rwbsFrom) return false;
  // " SECTOR + COUNT [".
  const sectorFrom = p + 1;
  const sectorTo = digitsEnd(buf, sectorFrom, to);
  if (sectorTo === sectorFrom || sectorTo - sectorFrom > MAX_SECTOR_DIGITS) return false;
  if (buf[sectorTo] !== SPACE || buf[sectorTo + 1] !== 43 || buf[sectorTo + 2] !== SPACE) return false; // " + "
  const countFrom = sectorTo + 3;
  const countTo = digitsEnd(buf, countFrom, to);
  if (countTo === countFrom || countTo - countFrom > 7) return false;
  const count = fieldValue(buf, countFrom, countTo);
  if (count > 0x7fffff || buf[countTo] !== SPACE || buf[countTo + 1] !== 91) return false; // " ["
  row.major = fieldValue(buf, from, from + 3);
  row.minor = fieldValue(buf, from + 4, from + 7);
  row.cpu = fieldValue(buf, from + 8, from + 10);
  row.sequence = fieldValue(buf, from + 11, from + 19);
  row.timeNs = fieldValue(buf, from + 20, from + 25) * 1e9 + fieldValue(buf, from + 26, from + 35);
  row.pid = fieldValue(buf, from + 36, from + 41);
  row.letter = letter;
  row.rwbsKey = key;
  row.sector = fieldValue(buf, sectorFrom, sectorTo);
  row.count = count;
  row.textFrom = countTo + 2;
  row.textTo = to - 1;
  return true;
}
