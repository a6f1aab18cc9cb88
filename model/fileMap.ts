import { InputError } from "./errors.js";

/** One `filefrag -v` row: file blocks `logical..logical+length` live at filesystem blocks `physical..`. */
export interface Extent {
  /** First file block. */
  readonly logical: number;
  /** First filesystem block (relative to the partition). */
  readonly physical: number;
  /** Length in blocks. */
  readonly length: number;
}

/**
 * Where a file's bytes live on the traced device: the filefrag extents, the
 * filesystem block size, the partition start and the file size. Device
 * sector = partitionStart + physical × blockSize / 512 (spec/metrics.md).
 */
export interface FileMap {
  readonly extents: readonly Extent[];
  /** Filesystem block size in bytes. */
  readonly blockSize: number;
  /** Partition start in 512-byte sectors (0 for a filesystem on a whole disk). */
  readonly partitionStart: number;
  /** File size in bytes. */
  readonly fileSize: number;
  /** Path of the file, when known. */
  readonly path?: string;
}

/** The file's length in sectors: ceil(fileSize / 512). */
export function fileSectorsOf(map: FileMap): number {
  return Math.ceil(map.fileSize / 512);
}

/** A device-sector run of the file and the file-sector offset where it starts. */
export interface SectorRun {
  /** First device sector (whole-disk numbering). */
  readonly device: number;
  /** First file sector. */
  readonly file: number;
  /** Length in sectors (clipped at the file's end). */
  readonly sectors: number;
}

/**
 * The file's extents as device-sector runs, sorted by device sector and
 * clipped to `fileSectors` (the tail of the last block is not file data).
 *
 * @example deviceRuns(map) // [{ device: 280576, file: 0, sectors: 196608 }]
 */
export function deviceRuns(map: FileMap): SectorRun[] {
  const perBlock = map.blockSize / 512;
  const limit = fileSectorsOf(map);
  const runs: SectorRun[] = [];
  for (const e of map.extents) {
    const file = e.logical * perBlock;
    if (file >= limit) continue;
    const sectors = Math.min(e.length * perBlock, limit - file);
    runs.push({ device: map.partitionStart + e.physical * perBlock, file, sectors });
  }
  return runs.sort((a, b) => a.device - b.device || a.file - b.file);
}

const HEADER = /^File size of (.*) is (\d+) \((\d+) blocks? of (\d+) bytes\)/;
const ROW = /^\s*(\d+):\s*(\d+)\.\.\s*(\d+):\s*(\d+)\.\.\s*(\d+):\s*(\d+):/;

/** An extent row and the 1-based line it came from, for messages. */
interface NumberedExtent extends Extent {
  readonly line: number;
}

/**
 * Join rows that continue each other both in the file and on the disk into
 * one extent. ext4 may list one extent as several rows (its extent status
 * cache splits them after reads, or unwritten parts were written), and
 * `filefrag` itself counts such rows as one extent in its "N extents found"
 * line; the extent count is the file's fragmentation, not the listing's length.
 *
 * @example mergeExtents([{ logical: 0, physical: 100, length: 8 }, { logical: 8, physical: 108, length: 8 }])
 * // [{ logical: 0, physical: 100, length: 16 }]
 */
export function mergeExtents(extents: readonly Extent[]): Extent[] {
  const sorted = [...extents].sort((a, b) => a.logical - b.logical);
  const merged: Extent[] = [];
  for (const e of sorted) {
    const last = merged[merged.length - 1];
    if (last && e.logical === last.logical + last.length && e.physical === last.physical + last.length) {
      merged[merged.length - 1] = { logical: last.logical, physical: last.physical, length: last.length + e.length };
    } else merged.push({ logical: e.logical, physical: e.physical, length: e.length });
  }
  return merged;
}

/**
 * The number of extents of a map: rows that continue each other count once
 * (see {@link mergeExtents}). This is the summary's `extents`.
 *
 * @example extentCount(parseFilefrag(text, { partitionStart: 2048 })) // 13
 */
export function extentCount(map: FileMap): number {
  return mergeExtents(map.extents).length;
}

/**
 * Parse `filefrag -v` output into a FileMap. The block size and file size
 * come from the "File size of ... is N (B blocks of S bytes)" header; each
 * extent row gives logical and physical ranges and a length. Rows that
 * continue each other in the file and on the disk are merged into one
 * extent ({@link mergeExtents}). Throws InputError naming `source` when the
 * text has no header or no extents, or when two rows overlap in the file or
 * on the disk (a listing edited by hand or two listings pasted together).
 *
 * @example const map = parseFilefrag(text, { partitionStart: 2048 });
 */
export function parseFilefrag(
  text: string,
  options: { source?: string; partitionStart?: number; fileSize?: number } = {},
): FileMap {
  const source = options.source ?? "filefrag output";
  let blockSize = 0;
  let fileSize = -1;
  let path: string | undefined;
  const rows: NumberedExtent[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const header = HEADER.exec(line);
    if (header) {
      path = header[1];
      fileSize = Number(header[2]);
      blockSize = Number(header[4]);
      return;
    }
    const row = ROW.exec(line);
    if (!row) return;
    const [logical, logicalEnd, physical, physicalEnd, length] = [2, 3, 4, 5, 6].map((k) => Number(row[k]));
    if (
      logical === undefined ||
      logicalEnd === undefined ||
      physical === undefined ||
      physicalEnd === undefined ||
      length === undefined
    ) {
      return;
    }
    if (logicalEnd - logical + 1 !== length || physicalEnd - physical + 1 !== length) {
      throw new InputError(
        `${source} line ${index + 1}: expected an extent row whose ranges match its length ${length}, found "${line.trim()}"`,
      );
    }
    rows.push({ logical, physical, length, line: index + 1 });
  });
  if (blockSize <= 0) {
    throw new InputError(
      `${source}: expected filefrag -v output with a "File size of ... (N blocks of S bytes)" header, found none`,
    );
  }
  if (rows.length === 0) {
    throw new InputError(
      `${source}: expected at least one extent row with a physical offset (filefrag -v), found none — the file may be empty, inline, or on a filesystem without block extents (tmpfs)`,
    );
  }
  refuseOverlaps(rows, "logical", "file blocks", source);
  refuseOverlaps(rows, "physical", "disk blocks", source);
  const map: FileMap = {
    extents: mergeExtents(rows),
    blockSize,
    partitionStart: options.partitionStart ?? 0,
    fileSize: options.fileSize ?? fileSize,
    ...(path !== undefined ? { path } : {}),
  };
  return map;
}

/**
 * Two rows that claim the same file block (or the same disk block) cannot
 * both be right: counting both would double the file's sectors on the disk.
 * Sorted by start, any overlap shows between neighbours.
 */
function refuseOverlaps(
  rows: readonly NumberedExtent[],
  key: "logical" | "physical",
  what: string,
  source: string,
): void {
  const sorted = [...rows].sort((a, b) => a[key] - b[key] || a.line - b.line);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as NumberedExtent;
    const b = sorted[i] as NumberedExtent;
    if (b[key] < a[key] + a.length) {
      const [first, second] = a.line < b.line ? [a, b] : [b, a];
      const range = (e: NumberedExtent): string => `${e[key]}..${e[key] + e.length - 1}`;
      throw new InputError(
        `Cannot map ${source}: the extent rows on lines ${first.line} and ${second.line} overlap in ${what} (got ${range(first)} and ${range(second)})`,
      );
    }
  }
}
