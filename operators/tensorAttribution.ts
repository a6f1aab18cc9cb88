import type { OperatorFunction } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { END_REGION, type GgufLayout, type GgufRegion, ggufRegions, PADDING_REGION } from "../model/ggufLayout.js";
import type { TensorAttribution } from "../model/tensorAttribution.js";
import { foldBatches } from "./foldBatches.js";
import { SectorSet } from "./sectorSet.js";

/**
 * Attribute kept events' file pieces to the regions of a GGUF file and
 * backward seeks to region transitions, as spec v2 defines them. The file is
 * cut into segments (header, each tensor, each gap, the end, open-ended so
 * every piece lands somewhere); each piece (file sectors × 512 = bytes) is
 * split at segment boundaries. Unique bytes are byte-exact: covered file
 * sectors are bits of a bitmap over the file (1 MiB per 4 GiB: a second
 * `SectorSet` next to the summary's cost as much as the rest of analyze;
 * sectors past the file's end, possible without extents, go to a
 * `SectorSet`), counted per segment at the end and corrected at the
 * segment's partial first and last sector. Works without pieces too (no
 * extents: the event's own sectors, logical = physical).
 *
 * @example const acc = new TensorAttributionAccumulator(layout); acc.add(batch); acc.result().backward[0]
 */
export class TensorAttributionAccumulator {
  private readonly regions: GgufRegion[];
  /** Segment i covers bytes [segStart[i], segStart[i + 1]); the last one is open-ended. */
  private readonly segStart: Float64Array;
  /** Output region of each segment. */
  private readonly segRegion: Int32Array;
  /** Bit s set = file sector s covered by some piece, for s < `limit`. */
  private readonly covered: Uint32Array;
  private readonly limit: number;
  /** Covered sectors at or past `limit`. */
  private readonly beyond = new SectorSet();
  /** Segment of the previous piece: sequential reads mostly stay in it. */
  private lastSegment = 0;
  private readonly readBytes: Float64Array;
  private readonly firstRead: Float64Array;
  private readonly transitions = new Map<number, number>();
  /** Largest piece end (sectors) of the previous kept event; NaN before the first. */
  private prevEnd = Number.NaN;

  /** `endBytes`: where `(end)` stops for its `bytes` (default: the file size in whole sectors). */
  constructor(layout: GgufLayout, endBytes?: number) {
    this.regions = ggufRegions(layout, endBytes);
    const starts: number[] = [];
    const owners: number[] = [];
    const padding = this.regions.findIndex((r) => r.name === PADDING_REGION);
    const end = this.regions.findIndex((r) => r.name === END_REGION);
    const push = (start: number, owner: number) => {
      // a later segment at the same start replaces an empty one
      if (starts.length > 0 && starts[starts.length - 1] === start) owners[owners.length - 1] = owner;
      else {
        starts.push(start);
        owners.push(owner);
      }
    };
    push(0, 0);
    let cursor = 0;
    layout.tensors.forEach((t, i) => {
      if (t.offset > cursor && i > 0) push(cursor, padding);
      push(t.offset, i + 1);
      cursor = t.offset + t.bytes;
    });
    push(cursor, end);
    this.segStart = Float64Array.from(starts);
    this.segRegion = Int32Array.from(owners);
    this.limit = Math.ceil(Math.max(endBytes ?? 0, layout.fileBytes, cursor) / 512);
    this.covered = new Uint32Array(Math.ceil(this.limit / 32));
    this.readBytes = new Float64Array(this.regions.length);
    this.firstRead = new Float64Array(this.regions.length).fill(Number.NaN);
  }

  /** Fold one batch of kept events in (after sectorRange; gap columns are not needed). */
  add(batch: EventBatch): void {
    const p = batch.pieces;
    for (let i = 0; i < batch.length; i++) {
      const time = batch.time[i] as number;
      let lStart = Number.POSITIVE_INFINITY;
      let lEnd = Number.NEGATIVE_INFINITY;
      if (p) {
        const last = p.first[i + 1] as number;
        for (let j = p.first[i] as number; j < last; j++) {
          const s = p.start[j] as number;
          const e = s + (p.sectors[j] as number);
          this.addPiece(s, e, time);
          if (s < lStart) lStart = s;
          if (e > lEnd) lEnd = e;
        }
      } else {
        lStart = batch.sector[i] as number;
        lEnd = lStart + Math.floor((batch.bytes[i] as number) / 512);
        this.addPiece(lStart, lEnd, time);
      }
      if (lStart < this.prevEnd) {
        const from = this.segRegion[this.segmentOf(this.prevEnd * 512 - 1)] as number;
        const to = this.segRegion[this.segmentOf(lStart * 512)] as number;
        const key = from * this.regions.length + to;
        this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
      }
      this.prevEnd = lEnd;
    }
  }

  /** The `tensors` and `backward` entries so far. */
  result(): TensorAttribution {
    const unique = new Float64Array(this.regions.length);
    for (let k = 0; k < this.segStart.length; k++) {
      const a = this.segStart[k] as number;
      const last = k + 1 === this.segStart.length;
      const b = last ? this.limit * 512 : (this.segStart[k + 1] as number);
      const first = Math.floor(a / 512);
      const end = Math.ceil(b / 512);
      let bytes = end > first ? this.countCovered(first, end) * 512 : 0;
      // the segment's first and last sectors may be shared with its neighbours
      if (end > first && this.isCovered(first)) bytes -= a - first * 512;
      if (end > first && this.isCovered(end - 1)) bytes -= end * 512 - b;
      if (last) bytes += this.beyond.size * 512;
      const r = this.segRegion[k] as number;
      unique[r] = (unique[r] as number) + bytes;
    }
    const tensors = this.regions.map((r, i) => ({
      name: r.name,
      layer: r.layer,
      group: r.group,
      offset: r.offset,
      bytes: r.bytes,
      readBytes: this.readBytes[i] as number,
      uniqueBytes: unique[i] as number,
      firstReadNs: Number.isNaN(this.firstRead[i]) ? null : (this.firstRead[i] as number),
    }));
    const n = this.regions.length;
    const backward = [...this.transitions]
      .sort(([ka, ca], [kb, cb]) => cb - ca || ka - kb)
      .map(([key, count]) => ({
        from: (this.regions[Math.floor(key / n)] as GgufRegion).name,
        to: (this.regions[key % n] as GgufRegion).name,
        count,
      }));
    return { tensors, backward };
  }

  /** Split file sectors [s, e) at segment boundaries and count each part. */
  private addPiece(s: number, e: number, time: number): void {
    if (e <= s) return;
    this.cover(s, e);
    const a = s * 512;
    const b = e * 512;
    const segments = this.segStart.length;
    let k = this.lastSegment;
    if (!((this.segStart[k] as number) <= a && (k + 1 === segments || a < (this.segStart[k + 1] as number)))) {
      k = this.segmentOf(a);
    }
    for (let from = a; from < b; k++) {
      const to = k + 1 < segments ? Math.min(b, this.segStart[k + 1] as number) : b;
      if (to > from) {
        const r = this.segRegion[k] as number;
        this.readBytes[r] = (this.readBytes[r] as number) + (to - from);
        if (Number.isNaN(this.firstRead[r])) this.firstRead[r] = time;
      }
      from = to;
    }
    this.lastSegment = k - 1;
  }

  /** Mark sectors [s, e) covered. */
  private cover(s: number, e: number): void {
    const limit = this.limit;
    if (e > limit) {
      const from = Math.max(s, limit);
      this.beyond.add(from, e - from);
      if (s >= limit) return;
      e = limit;
    }
    const bits = this.covered;
    let i = s;
    while (i < e && (i & 31) !== 0) {
      bits[i >>> 5] = ((bits[i >>> 5] as number) | (1 << (i & 31))) >>> 0;
      i++;
    }
    while (i + 32 <= e) {
      bits[i >>> 5] = 0xffffffff;
      i += 32;
    }
    while (i < e) {
      bits[i >>> 5] = ((bits[i >>> 5] as number) | (1 << (i & 31))) >>> 0;
      i++;
    }
  }

  private isCovered(sector: number): boolean {
    if (sector >= this.limit) return this.beyond.has(sector);
    return (((this.covered[sector >>> 5] as number) >>> (sector & 31)) & 1) === 1;
  }

  /** Covered sectors in [s, e) below the bitmap's limit. */
  private countCovered(s: number, e: number): number {
    const end = Math.min(e, this.limit);
    let n = 0;
    let i = s;
    while (i < end && (i & 31) !== 0) {
      if (this.isCovered(i)) n++;
      i++;
    }
    while (i + 32 <= end) {
      n += popcount(this.covered[i >>> 5] as number);
      i += 32;
    }
    while (i < end) {
      if (this.isCovered(i)) n++;
      i++;
    }
    return n;
  }

  /** Index of the segment holding byte `x` (the last segment whose start is ≤ x). */
  private segmentOf(x: number): number {
    let lo = 0;
    let hi = this.segStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.segStart[mid] as number) <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Per-region reads and backward transitions of a whole run (spec v2 `tensors`
 * and `backward`), emitted once at completion; put it after `select` and
 * `sectorRange`.
 *
 * @example fromTrace(inputs).pipe(select(), sectorRange(map), tensorAttribution(layout, map.fileSize))
 */
export function tensorAttribution(
  layout: GgufLayout,
  endBytes?: number,
): OperatorFunction<EventBatch, TensorAttribution> {
  return foldBatches(
    () => new TensorAttributionAccumulator(layout, endBytes),
    (acc) => acc.result(),
  );
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
