import { filter, map, type OperatorFunction } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { takeRows } from "../model/batch.js";
import { deviceRuns, type FileMap } from "../model/fileMap.js";
import { grown } from "../model/grown.js";

/**
 * Keep the events whose sectors intersect the file's device ranges and map
 * each intersecting piece to its file-sector offset (spec: File range). The
 * output batches carry `pieces` (CSR: event i owns pieces
 * `first[i]..first[i+1]`); an event that straddles extents has several.
 * Sectors past the file's end (the tail of its last block) are not file data.
 *
 * @example fromTrace("x.bin").pipe(select(), sectorRange(parseFilefrag(text, { partitionStart: 2048 })))
 */
export function sectorRange(fileMap: FileMap): OperatorFunction<EventBatch, EventBatch> {
  const runs = deviceRuns(fileMap);
  const devStart = Float64Array.from(runs, (r) => r.device);
  const devEnd = Float64Array.from(runs, (r) => r.device + r.sectors);
  const fileStart = Float64Array.from(runs, (r) => r.file);
  // Runs never overlap on the device (they are distinct blocks), so the max end so far is monotone.
  return (source) =>
    source.pipe(
      map((batch) => clip(batch, devStart, devEnd, fileStart)),
      filter((batch) => batch.length > 0),
    );
}

function clip(batch: EventBatch, devStart: Float64Array, devEnd: Float64Array, fileStart: Float64Array): EventBatch {
  const rows = new Uint32Array(batch.length);
  const first = new Uint32Array(batch.length + 1);
  let pStart: Float64Array = new Float64Array(batch.length + 16);
  let pLen: Float64Array = new Float64Array(batch.length + 16);
  let kept = 0;
  let pieces = 0;
  const nRuns = devStart.length;
  for (let i = 0; i < batch.length; i++) {
    const s = batch.sector[i] as number;
    const e = s + Math.floor((batch.bytes[i] as number) / 512);
    // First run whose end is past s (binary search on devEnd, sorted because runs are disjoint and sorted).
    let lo = 0;
    let hi = nRuns;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((devEnd[mid] as number) <= s) lo = mid + 1;
      else hi = mid;
    }
    const before = pieces;
    for (let r = lo; r < nRuns && (devStart[r] as number) < e; r++) {
      const a = Math.max(s, devStart[r] as number);
      const b = Math.min(e, devEnd[r] as number);
      if (b <= a) continue;
      if (pieces >= pStart.length) {
        pStart = grown(pStart, pStart.length * 2);
        pLen = grown(pLen, pLen.length * 2);
      }
      pStart[pieces] = (fileStart[r] as number) + (a - (devStart[r] as number));
      pLen[pieces] = b - a;
      pieces++;
    }
    if (pieces > before) {
      first[kept] = before;
      rows[kept++] = i;
    }
  }
  first[kept] = pieces;
  const out = takeRows(batch, rows, kept);
  return {
    ...out,
    pieces: {
      first: first.subarray(0, kept + 1),
      start: pStart.subarray(0, pieces),
      sectors: pLen.subarray(0, pieces),
    },
  };
}
