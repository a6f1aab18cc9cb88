import { concatMap, defer, filter, from, map, type OperatorFunction, tap } from "rxjs";
import type { EventBatch } from "../model/batch.js";
import { takeRows } from "../model/batch.js";
import { type BlockEvent, eventAt } from "../model/event.js";

/**
 * Per-event view for custom operators: keep the events for which
 * `predicate(event)` is true, batches in, batches out. Each event is
 * presented as a {@link BlockEvent} (an object per event: convenient, about
 * as fast as a hand-written loop for traces of a few million events; write a
 * batch operator with the columns when it matters). A throwing predicate
 * becomes an error notification.
 *
 * @example source.pipe(filterEvents((e) => e.pid === 1234))
 */
export function filterEvents(predicate: (event: BlockEvent) => boolean): OperatorFunction<EventBatch, EventBatch> {
  return (source) =>
    defer(() => {
      const names = new Map<number, string>();
      return source.pipe(
        map((batch) => {
          learnNames(names, batch);
          const rows = new Uint32Array(batch.length);
          let n = 0;
          for (let i = 0; i < batch.length; i++) if (predicate(eventAt(batch, i, names))) rows[n++] = i;
          return takeRows(batch, rows, n);
        }),
        filter((batch) => batch.length > 0),
      );
    });
}

/**
 * Per-event side effect (counting, logging) that passes batches through unchanged.
 *
 * @example let big = 0; source.pipe(tapEvents((e) => { if (e.bytes >= 1 << 20) big++; }))
 */
export function tapEvents(effect: (event: BlockEvent) => void): OperatorFunction<EventBatch, EventBatch> {
  return (source) =>
    defer(() => {
      const names = new Map<number, string>();
      return source.pipe(
        tap((batch) => {
          learnNames(names, batch);
          for (let i = 0; i < batch.length; i++) effect(eventAt(batch, i, names));
        }),
      );
    });
}

/**
 * Flatten batches into one emission per event, for code that wants a plain
 * `Observable<BlockEvent>` (slower: one emission per event).
 *
 * @example fromTrace("x.bin").pipe(toEvents()).subscribe((e) => console.log(e.action, e.sector));
 */
export function toEvents(): OperatorFunction<EventBatch, BlockEvent> {
  return (source) =>
    defer(() => {
      const names = new Map<number, string>();
      return source.pipe(
        concatMap((batch) => {
          learnNames(names, batch);
          const events: BlockEvent[] = [];
          for (let i = 0; i < batch.length; i++) events.push(eventAt(batch, i, names));
          return from(events);
        }),
      );
    });
}

function learnNames(names: Map<number, string>, batch: EventBatch): void {
  if (batch.names) for (const [pid, comm] of batch.names) names.set(pid, comm);
}
