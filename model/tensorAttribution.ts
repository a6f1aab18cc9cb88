/**
 * Reads attributed to the regions of a GGUF file (what `tensorAttribution`
 * emits and the GGUF tables, plots and store render).
 */

/** Reads of one region of a GGUF file (spec v2 `tensors` entry). */
export interface TensorReads {
  name: string;
  layer: number | null;
  group: string;
  /** Absolute file offset; null for `(padding)`. */
  offset: number | null;
  bytes: number;
  /** Bytes of kept pieces inside the region, re-reads included. */
  readBytes: number;
  /** Distinct bytes of the region covered by at least one piece. */
  uniqueBytes: number;
  /** Time of the first kept event touching the region; null if none did. */
  firstReadNs: number | null;
}

/** Backward seeks from one region to another (spec v2 `backward` entry). */
export interface TensorTransition {
  from: string;
  to: string;
  count: number;
}

/** The spec v2 `tensors` and `backward` keys. */
export interface TensorAttribution {
  /** Regions in file order: (header), tensors, (padding), (end). */
  tensors: TensorReads[];
  /** Backward transitions, largest count first. */
  backward: TensorTransition[];
}
