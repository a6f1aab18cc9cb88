import type { OperatorFunction } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { type FileMap, fileSectorsOf } from "../model/fileMap.js";
import type { AccessGrid } from "../model/plotData.js";
import { foldBatches } from "./foldBatches.js";

/** Options for {@link accessGrid}. */
export interface AccessGridOptions {
  fileMap?: FileMap;
  /** @default 600 */
  columns?: number;
  /** @default 300 */
  rows?: number;
}

/**
 * Fold analyzed batches into a fixed-size density grid: x = time since the
 * first event, y = file offset (or device sector without a file map), value =
 * sectors read there. Memory is the grid alone whatever the trace length:
 * when time (or, without a file, the sector range) outgrows the grid, the
 * span doubles and neighbouring cells merge. Feeds `renderAccessPlot`.
 *
 * @example fromTrace("x.bin").pipe(analyzeEvents({ fileMap }), accessGrid({ fileMap })).subscribe(g => write(renderAccessPlot(g)))
 */
export function accessGrid(options: AccessGridOptions = {}): OperatorFunction<EventBatch, AccessGrid> {
  const columns = options.columns ?? 600;
  const rows = options.rows ?? 300;
  if (!(Number.isInteger(columns) && columns >= 2 && Number.isInteger(rows) && rows >= 2)) {
    throw new RangeError(
      `Cannot draw the access map: it needs at least 2 columns and 2 rows (got ${columns} × ${rows})`,
    );
  }
  return foldBatches(
    () => new GridBuilder(columns, rows, options.fileMap),
    (grid) => grid.result(),
  );
}

class GridBuilder {
  private cells: Float64Array;
  private spanNs = 1e6; // 1 ms to start; doubles as needed
  private spanSectors: number;
  private readonly fixedY: boolean;
  private events = 0;

  constructor(
    private readonly columns: number,
    private readonly rows: number,
    fileMap: FileMap | undefined,
  ) {
    this.cells = new Float64Array(columns * rows);
    this.fixedY = fileMap !== undefined;
    // Rows cover a whole number of sectors each, so every cell holds an exact integer count.
    const wanted = fileMap ? Math.max(fileSectorsOf(fileMap), 1) : 2 ** 20;
    this.spanSectors = rows * Math.ceil(wanted / rows);
  }

  add(batch: EventBatch): void {
    const p = batch.pieces;
    for (let i = 0; i < batch.length; i++) {
      const t = batch.time[i] as number;
      while (t >= this.spanNs) this.doubleTime();
      if (p) {
        for (let j = p.first[i] as number; j < (p.first[i + 1] as number); j++)
          this.put(t, p.start[j] as number, p.sectors[j] as number);
      } else {
        this.put(t, batch.sector[i] as number, Math.floor((batch.bytes[i] as number) / 512));
      }
    }
    this.events += batch.length;
  }

  result(): AccessGrid {
    return {
      columns: this.columns,
      rows: this.rows,
      cells: this.cells,
      spanNs: this.spanNs,
      spanSectors: this.spanSectors,
      fileOffsets: this.fixedY,
      events: this.events,
    };
  }

  /** Add `sectors` at offset `start`, spread over the rows it covers. */
  private put(t: number, start: number, sectors: number): void {
    if (sectors <= 0 || start < 0) return;
    while (!this.fixedY && start + sectors > this.spanSectors) this.doubleSectors();
    const column = Math.min(this.columns - 1, Math.floor((Math.max(t, 0) / this.spanNs) * this.columns));
    const perRow = this.spanSectors / this.rows;
    const end = Math.min(start + sectors, this.spanSectors);
    const first = Math.min(this.rows - 1, Math.floor(start / perRow));
    const lastRow = Math.min(this.rows - 1, Math.floor((end - 1) / perRow));
    // Walk whole rows by index (not by offset), so float rounding can never stall the loop.
    for (let row = first; row <= lastRow; row++) {
      const overlap = Math.min(end, (row + 1) * perRow) - Math.max(start, row * perRow);
      if (overlap <= 0) continue;
      const k = (this.rows - 1 - row) * this.columns + column; // row 0 of `cells` is the highest offset
      this.cells[k] = (this.cells[k] as number) + overlap;
    }
  }

  /** Halve the time resolution: column x takes old columns 2x and 2x + 1 (in place, left to right). */
  private doubleTime(): void {
    const c = this.cells;
    const cols = this.columns;
    for (let r = 0; r < this.rows; r++) {
      const base = r * cols;
      for (let x = 0; x < cols; x++) {
        const a = 2 * x < cols ? (c[base + 2 * x] as number) : 0;
        const b = 2 * x + 1 < cols ? (c[base + 2 * x + 1] as number) : 0;
        c[base + x] = a + b;
      }
    }
    this.spanNs *= 2;
  }

  private doubleSectors(): void {
    const c = this.cells;
    const cols = this.columns;
    // Rows are stored top = highest offset: new row r (from bottom) = old rows 2r and 2r + 1 (from bottom).
    const old = Float64Array.from(c);
    c.fill(0);
    for (let r = 0; r < this.rows; r++) {
      for (const src of [2 * r, 2 * r + 1]) {
        if (src >= this.rows) continue;
        const fromTop = this.rows - 1 - src;
        const toTop = this.rows - 1 - r;
        for (let x = 0; x < cols; x++)
          c[toTop * cols + x] = (c[toTop * cols + x] as number) + (old[fromTop * cols + x] as number);
      }
    }
    this.spanSectors *= 2;
  }
}
