import { concat, defer, filter, map, type Observable, type OperatorFunction, of } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import type { RequestBatch } from "../model/requests.js";
import { type RequestLifecycleOptions, RequestTracker, validateLifecycleOptions } from "./requestTracker.js";

/**
 * requestLifecycle: follow every queued bio through its life (Q, then G or
 * M/F, I, D, C; X splits it, R sends it back) and emit one record per
 * completed bio with the time spent in each stage.
 *
 * Matching is by device and sector, never by sequence number: the tracefs
 * `bin` stream leaves sequence at 0. The rules follow btt (blktrace 1.2):
 * G, I and M/F attach to the queued bio that starts at their sector; a D or
 * C covers every queued bio lying wholly inside its sector range (a merged
 * request completes all of its bios); zero-byte events (flushes) are
 * ignored; G2I, I2D and M2D are taken only when the later stage arrives
 * after the earlier one (btt computes them on arrival); a non-positive
 * interval counts as 1 ns (and one whose end was
 * stamped before its start, by another CPU's skewed clock, is counted in
 * `skewed`: btt clamps it the same way). One deliberate
 * difference: an X (split) splits the queued bio in two at the split
 * sector, so both halves are followed to their own D and C, where btt loses
 * them.
 */

export { LATENCY_INTERVALS, type LatencyInterval } from "../model/latency.js";
export {
  REQUEST_DIRECTIONS,
  type RequestBatch,
  RequestDirection,
  type RequestDirectionName,
} from "../model/requests.js";
export { type RequestLifecycleOptions, RequestTracker } from "./requestTracker.js";

/**
 * Follow each bio from queue to completion, pairing events by device and
 * sector (not by sequence number), and emit the completed ones as columns of
 * stage intervals (Q2G, G2I, Q2M, I2D, M2D, D2C, Q2C in ns; NaN where the
 * trace lacks a stage). Batches with no completions are not emitted; when the
 * source completes, one `final` batch carries the counts of bios aged out,
 * unmatched and still pending. State is bounded by `maxPending` and `maxAgeNs`.
 *
 * @example
 * fromTrace(["trace.bin"]).pipe(requestLifecycle()).subscribe((r) => console.log(r.length, r.d2c[0]));
 */
export function requestLifecycle(options: RequestLifecycleOptions = {}): OperatorFunction<EventBatch, RequestBatch> {
  validateLifecycleOptions(options);
  return (source: Observable<EventBatch>) =>
    defer(() => {
      const tracker = new RequestTracker(options);
      return concat(
        source.pipe(
          map((batch) => tracker.push(batch)),
          filter((out) => out.length > 0),
        ),
        defer(() => of(tracker.finish())),
      );
    });
}
