import { map, type OperatorFunction, reduce } from "rxjs";
import type { MinMaxPoints } from "../model/plotData.js";
import { LATENCY_SERIES } from "../model/plotData.js";
import type { RequestBatch } from "../model/requests.js";
import { MinMaxSeries, type MinMaxSeriesOptions } from "./minMaxSeries.js";

/**
 * Fold completed bios into D2C and Q2C (ns) against completion time: exact
 * points up to `maxPoints`, then per-pixel min/max (see MinMaxSeries).
 * Bios whose trace lacks a stage (NaN) add no point for it.
 *
 * @example events.pipe(requestLifecycle(), latencySeries()).subscribe((s) => draw(s))
 */
export function latencySeries(
  options: Omit<MinMaxSeriesOptions, "keys"> = {},
): OperatorFunction<RequestBatch, MinMaxPoints> {
  return (source) =>
    source.pipe(
      reduce(
        (series: MinMaxSeries | undefined, batch: RequestBatch) => {
          const s = series ?? new MinMaxSeries({ ...options, keys: LATENCY_SERIES.length });
          LATENCY_SERIES.forEach((name, key) => {
            const values = batch[name];
            for (let i = 0; i < batch.length; i++) {
              const v = values[i] as number;
              if (!Number.isNaN(v)) s.add(batch.time[i] as number, v, key);
            }
          });
          return s;
        },
        undefined as MinMaxSeries | undefined,
      ),
      map((s) => (s ?? new MinMaxSeries({ ...options, keys: LATENCY_SERIES.length })).result()),
    );
}
