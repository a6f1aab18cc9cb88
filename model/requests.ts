import type { LatencyInterval } from "./latency.js";

/**
 * Completed bios as `requestLifecycle` emits them: one row per bio with the
 * time it spent in each stage (types shared by the operators and the sinks
 * that store or render them).
 */

/** RequestDirection codes of {@link RequestBatch.direction}. */
export const RequestDirection = { read: 0, write: 1, discard: 2, other: 3 } as const;
/** RequestDirection names indexed by code. */
export const REQUEST_DIRECTIONS = ["read", "write", "discard", "other"] as const;
export type RequestDirectionName = (typeof REQUEST_DIRECTIONS)[number];

/** One Float64Array per stage interval (ns, NaN when the trace lacks that stage). */
export type RequestIntervals = { readonly [K in LatencyInterval]: Float64Array };

/** Completed bios as columns; row i is one bio. Intervals are ns, NaN when the trace lacks that stage. */
export interface RequestBatch extends RequestIntervals {
  readonly length: number;
  /** Device as blktrace encodes it: major << 20 | minor. */
  readonly device: Uint32Array;
  /** First sector of the bio (after splits, of the piece). */
  readonly sector: Float64Array;
  readonly sectors: Float64Array;
  /** {@link RequestDirection} code of the queue event. */
  readonly direction: Uint8Array;
  /** Process that queued the bio. */
  readonly pid: Uint32Array;
  /** Phase index of the queue event (0 when the input has no phases). */
  readonly phase: Uint16Array;
  /** Completion time, ns since the first event of the trace. */
  readonly time: Float64Array;
  /** Queue to get-request (a request was allocated for the bio). */
  readonly q2g: Float64Array;
  /** Get-request to insert into the scheduler. */
  readonly g2i: Float64Array;
  /** Queue to merge into an existing request. */
  readonly q2m: Float64Array;
  /** Insert to issue to the driver. */
  readonly i2d: Float64Array;
  /** Merge to issue (bios that merged instead of getting a request). */
  readonly m2d: Float64Array;
  /** Issue to completion: time in the driver and device. */
  readonly d2c: Float64Array;
  /** Queue to completion: the whole life of the bio. */
  readonly q2c: Float64Array;
  /** Process names learned so far (pid → comm). */
  readonly names: ReadonlyMap<number, string>;
  /** Bios dropped so far because they never completed (older than maxAgeNs, or over maxPending). */
  readonly agedOut: number;
  /** Issues and completions that matched no queued bio on a device that has queue events. */
  readonly unmatched: number;
  /** Bios still waiting for completion when this batch was made. */
  readonly pending: number;
  /**
   * Intervals so far whose end was stamped before their start (the events
   * came from CPUs whose clocks disagree); each counts as 1 ns, as in btt.
   */
  readonly skewed: number;
  /** True on the last batch, emitted when the source completes (it may have no rows). */
  readonly final: boolean;
}
