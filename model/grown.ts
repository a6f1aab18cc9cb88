/** The typed arrays blkrx grows as it learns how many rows it needs. */
export type GrowableArray = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

/**
 * A copy of `a` with room for `length` (≥ `a.length`) elements, of the same
 * type, the new ones zero: how every growable column in blkrx grows
 * (callers double the length, so growth is amortised, never per event).
 *
 * @example grown(Float64Array.of(1, 2), 4) // Float64Array [1, 2, 0, 0]
 */
export function grown<T extends GrowableArray>(a: T, length: number): T {
  const b = new (a.constructor as new (length: number) => T)(length);
  (b as Float64Array).set(a as Float64Array);
  return b;
}
