import { existsSync, readFileSync } from "node:fs";
import { from, lastValueFrom, toArray } from "rxjs";
import type { EventBatch } from "../../model/batch.js";
import { concatBatches } from "../../model/batch.js";
import type { RequestBatch } from "../../model/requests.js";
import { requestLifecycle } from "../../operators/requestLifecycle.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";

/** Fixture traces recorded with the tracefs blk tracer (sequence numbers all 0). */
export { BIN_FIXTURES as FIXTURES } from "../helpers/fixtures.js";

import { fixturePath } from "../helpers/fixtures.js";

export { fixturePath };

/** Decode a fixture .bin into small batches (small on purpose: state must survive batch boundaries). */
export function decodeFixture(name: string, batchSize = 37): EventBatch[] {
  const dec = new BinaryDecoder({ file: name, batchSize });
  return [...dec.push(readFileSync(fixturePath(`${name}.bin`))), ...dec.end()];
}

/** All completed-bio records of some batches, as one RequestBatch-like set of rows. */
export async function lifecycleOf(batches: EventBatch[]): Promise<RequestBatch[]> {
  return lastValueFrom(from(batches).pipe(requestLifecycle(), toArray()));
}

/** Every non-NaN value of one interval across request batches. */
export function valuesOf(batches: readonly RequestBatch[], interval: keyof RequestBatch): number[] {
  const out: number[] = [];
  for (const b of batches) {
    const col = b[interval] as Float64Array;
    for (const v of col) if (!Number.isNaN(v)) out.push(v);
  }
  return out;
}

/** N, min, mean and max of values. */
export function basicStats(values: readonly number[]): { n: number; min: number; mean: number; max: number } {
  let sum = 0;
  for (const v of values) sum += v;
  return { n: values.length, min: Math.min(...values), mean: sum / values.length, max: Math.max(...values) };
}

/**
 * A copy of a binary blk_io_trace stream with sequence numbers 1, 2, 3, ...
 * (little- or big-endian, detected from the magic), the way real blktrace
 * numbers records; the tracefs `bin` stream leaves them at 0.
 */
export function withSequences(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const le = (view.getUint32(0, true) & 0xffffff00) >>> 0 === 0x65617400;
  let seq = 1;
  for (let pos = 0; pos + 48 <= out.length; pos += 48 + view.getUint16(pos + 46, le)) {
    view.setUint32(pos + 4, seq++, le);
  }
  return out;
}

/** True when an executable exists at one of the usual places. */
export function hasTool(name: string): boolean {
  return ["/usr/bin", "/usr/local/bin", "/bin"].some((dir) => existsSync(`${dir}/${name}`));
}

export { concatBatches };
