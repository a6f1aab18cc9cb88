import type { EventBatch } from "../model/batch.js";
import { type GgufLayout, layerAndGroup } from "../model/ggufLayout.js";
import type { LayerTime } from "../model/plotData.js";

/**
 * Fold kept events' file pieces into bytes read per layer per time bucket,
 * in bounded memory: at most `maxBuckets` buckets; when time runs past the
 * last one, the bucket width doubles and neighbours merge. Pieces are split
 * at layer boundaries (a layer's span runs from its first tensor's offset to
 * its last one's end; bytes outside every layer go to "other").
 *
 * @example const g = new LayerTimeGrid(layout); g.add(batch); g.result().rows // ["0", …, "other"]
 */
export class LayerTimeGrid {
  private readonly rows: string[];
  /** Boundary k starts segment k at byte segStart[k]; segRow[k] is its row. */
  private readonly segStart: Float64Array;
  private readonly segRow: Int32Array;
  private bucketNs: number;
  private buckets = 0;
  private bytes: Float64Array;

  constructor(
    layout: GgufLayout,
    private readonly maxBuckets = 120,
    firstBucketNs = 1e6,
  ) {
    const spans = new Map<number, { start: number; end: number }>();
    for (const t of layout.tensors) {
      const { layer } = layerAndGroup(t.name);
      if (layer === null) continue;
      const s = spans.get(layer);
      if (!s) spans.set(layer, { start: t.offset, end: t.offset + t.bytes });
      else {
        s.start = Math.min(s.start, t.offset);
        s.end = Math.max(s.end, t.offset + t.bytes);
      }
    }
    const layers = [...spans.keys()].sort((a, b) => a - b);
    this.rows = [...layers.map(String), "other"];
    const other = layers.length;
    const cuts: { start: number; row: number }[] = [{ start: 0, row: other }];
    for (const [row, layer] of layers.entries()) {
      const s = spans.get(layer) as { start: number; end: number };
      cuts.push({ start: s.start, row }, { start: s.end, row: other });
    }
    cuts.sort((a, b) => a.start - b.start);
    this.segStart = Float64Array.from(cuts, (c) => c.start);
    this.segRow = Int32Array.from(cuts, (c) => c.row);
    this.bucketNs = firstBucketNs;
    this.bytes = new Float64Array(maxBuckets * this.rows.length);
  }

  /** Fold one batch of kept events in (file pieces when present, else the event's own sectors). */
  add(batch: EventBatch): void {
    const p = batch.pieces;
    for (let i = 0; i < batch.length; i++) {
      const bucket = this.bucketOf(batch.time[i] as number);
      if (p) {
        const last = p.first[i + 1] as number;
        for (let j = p.first[i] as number; j < last; j++) {
          const s = (p.start[j] as number) * 512;
          this.addBytes(bucket, s, s + (p.sectors[j] as number) * 512);
        }
      } else {
        const s = (batch.sector[i] as number) * 512;
        this.addBytes(bucket, s, s + Math.floor((batch.bytes[i] as number) / 512) * 512);
      }
    }
  }

  /** The grid so far (a copy of the used buckets). */
  result(): LayerTime {
    const n = this.rows.length;
    return {
      rows: this.rows,
      bucketNs: this.bucketNs,
      buckets: this.buckets,
      bytes: this.bytes.slice(0, this.buckets * n),
    };
  }

  private bucketOf(time: number): number {
    let b = Math.floor(Math.max(time, 0) / this.bucketNs);
    while (b >= this.maxBuckets) {
      this.halve();
      b = Math.floor(Math.max(time, 0) / this.bucketNs);
    }
    if (b + 1 > this.buckets) this.buckets = b + 1;
    return b;
  }

  /** Double the bucket width: bucket k of the new grid = buckets 2k and 2k + 1 of the old. */
  private halve(): void {
    const n = this.rows.length;
    const old = this.bytes;
    const merged = new Float64Array(old.length);
    for (let b = 0; b < this.buckets; b++)
      for (let r = 0; r < n; r++)
        merged[(b >> 1) * n + r] = (merged[(b >> 1) * n + r] as number) + (old[b * n + r] as number);
    this.bytes = merged;
    this.bucketNs *= 2;
    this.buckets = Math.ceil(this.buckets / 2);
  }

  private addBytes(bucket: number, start: number, end: number): void {
    const n = this.rows.length;
    // last segment starting at or before `start`
    let lo = 0;
    let hi = this.segStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.segStart[mid] as number) <= start) lo = mid;
      else hi = mid - 1;
    }
    let s = start;
    for (let k = lo; s < end; k++) {
      const segEnd = k + 1 < this.segStart.length ? Math.min(end, this.segStart[k + 1] as number) : end;
      if (segEnd > s) {
        const c = bucket * n + (this.segRow[k] as number);
        this.bytes[c] = (this.bytes[c] as number) + (segEnd - s);
      }
      s = Math.max(s, segEnd);
    }
  }
}
