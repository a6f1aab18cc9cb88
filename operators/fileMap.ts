import { InputError } from "../model/errors.js";

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

/**
 * Parse `filefrag -v` output into a FileMap. The block size and file size
 * come from the "File size of ... is N (B blocks of S bytes)" header; each
 * extent row gives logical and physical ranges and a length. Rows without a
 * physical range (unwritten/inline/delalloc data) are refused, since their
 * sectors are not on the device. Throws InputError naming `source` when the
 * text has no header or no extents.
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
  const extents: Extent[] = [];
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
    extents.push({ logical, physical, length });
  });
  if (blockSize <= 0) {
    throw new InputError(
      `${source}: expected filefrag -v output with a "File size of ... (N blocks of S bytes)" header, found none`,
    );
  }
  if (extents.length === 0) {
    throw new InputError(
      `${source}: expected at least one extent row with a physical offset (filefrag -v), found none — the file may be empty, inline, or on a filesystem without block extents (tmpfs)`,
    );
  }
  const map: FileMap = {
    extents,
    blockSize,
    partitionStart: options.partitionStart ?? 0,
    fileSize: options.fileSize ?? fileSize,
    ...(path !== undefined ? { path } : {}),
  };
  return map;
}
