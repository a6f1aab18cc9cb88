import { type EventBatch, GAP_CLASSES, NO_GAP } from "../model/batch.js";
import { extentCount, type FileMap, fileSectorsOf } from "../model/fileMap.js";
import { type GapCounts, type Summary, zeroGaps } from "../model/summary.js";
import { SectorSet } from "./sectorSet.js";

/**
 * Running totals over analyzed batches (after select, sectorRange and
 * classifyGaps): events, bytes read, unique sectors (a {@link SectorSet} of
 * file sectors, or device sectors without extents) and gap class counts.
 * `summarize`, `runningSummary` (what the live view draws) and per-phase summaries share it.
 *
 * @example const acc = new SummaryAccumulator(fileMap); acc.add(batch); acc.summary();
 */
export class SummaryAccumulator {
  events = 0;
  readSectors = 0;
  readonly unique = new SectorSet();
  readonly physical: GapCounts = zeroGaps();
  readonly logical: GapCounts = zeroGaps();
  firstTime = Number.NaN;
  lastTime = Number.NaN;

  constructor(private readonly fileMap?: FileMap) {}

  /** Fold one analyzed batch in. */
  add(batch: EventBatch): void {
    if (batch.length === 0) return;
    const g = batch.gaps;
    if (!g) throw new TypeError("summarize: batches need gap columns: put classifyGaps() before it");
    this.addCoverageOnly(batch);
    countClasses(g.physicalClass, this.physical);
    countClasses(g.logicalClass, this.logical);
  }

  /** Fold in events, bytes and unique sectors only (no gap columns needed). */
  addCoverageOnly(batch: EventBatch): void {
    const n = batch.length;
    if (n === 0) return;
    this.events += n;
    if (Number.isNaN(this.firstTime)) this.firstTime = batch.time[0] as number;
    this.lastTime = batch.time[n - 1] as number;
    const p = batch.pieces;
    if (p) {
      for (let j = 0; j < p.start.length; j++) {
        const len = p.sectors[j] as number;
        this.readSectors += len;
        this.unique.add(p.start[j] as number, len);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const len = Math.floor((batch.bytes[i] as number) / 512);
        this.readSectors += len;
        this.unique.add(batch.sector[i] as number, len);
      }
    }
  }

  /** The summary so far, in the JSON contract's shape. */
  summary(): Summary {
    const map = this.fileMap;
    const fileSectors = map ? fileSectorsOf(map) : null;
    const s: Summary = {
      events: this.events,
      readBytes: this.readSectors * 512,
      uniqueBytes: this.unique.size * 512,
      uniqueSectors: this.unique.size,
      fileBytes: map ? map.fileSize : null,
      fileSectors,
      coverage: fileSectors ? this.unique.size / fileSectors : null,
      extents: map ? extentCount(map) : null,
      gaps: { physical: { ...this.physical }, logical: { ...this.logical } },
    };
    // Always present, so a script reading --json finds the key: null when nothing was kept.
    s.durationNs = this.events > 0 ? this.lastTime - this.firstTime : null;
    return s;
  }
}

const counts = new Float64Array(256);

function countClasses(classes: Uint8Array, into: GapCounts): void {
  counts.fill(0, 0, GAP_CLASSES.length);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i] as number;
    if (c !== NO_GAP) counts[c] = (counts[c] as number) + 1;
  }
  GAP_CLASSES.forEach((name, code) => {
    into[name] += counts[code] as number;
  });
}
