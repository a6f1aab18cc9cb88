import { type MonoTypeOperatorFunction, Observable } from "rxjs";
import { type EventBatch, GAP_CLASSES } from "../model/batch.js";
import type { FileMap } from "../operators/fileMap.js";
import { SummaryAccumulator } from "../operators/summaryAccumulator.js";
import type { Summary } from "../operators/summaryTypes.js";
import { formatMiB } from "./units.js";

/** Options for {@link liveView}. */
export interface LiveViewOptions {
  /** The file map the batches were clipped to (gives coverage). */
  fileMap?: FileMap;
  /** Redraw period in ms. @default 250 on a terminal, 1000 otherwise */
  intervalMs?: number;
  /** Where the view is drawn. @default process.stderr */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Extra text at the end of the line (e.g. dropped events), read at each redraw. */
  status?: () => string;
}

const SHORT: Record<(typeof GAP_CLASSES)[number], string> = {
  sequential: "seq",
  small: "small",
  medium: "med",
  large: "large",
  backward: "back",
};

/**
 * One status line for a running summary: elapsed time, events and events/s,
 * MiB read and unique, coverage % and the physical gap mix in percent.
 *
 * @example renderLiveLine(summary, 2.5, 40) // "  2.5 s  events 100 (40/s)  read 6.0 MiB  unique ..."
 */
export function renderLiveLine(s: Summary, elapsedSeconds: number, eventsPerSecond: number): string {
  const pairs = Math.max(s.events - 1, 0);
  const mix = GAP_CLASSES.map((c) => `${SHORT[c]} ${pairs ? ((s.gaps.physical[c] / pairs) * 100).toFixed(0) : "-"}%`);
  const coverage = s.coverage === null ? "" : `  coverage ${(s.coverage * 100).toFixed(1)} %`;
  return (
    `${elapsedSeconds.toFixed(1).padStart(6)} s  events ${s.events} (${Math.round(eventsPerSecond)}/s)` +
    `  read ${formatMiB(s.readBytes)}  unique ${formatMiB(s.uniqueBytes)}${coverage}  gaps ${mix.join(" ")}`
  );
}

/**
 * A console live view over analyzed batches (after classifyGaps): passes the
 * batches through unchanged, folds them into a running summary and redraws
 * one status line on stderr at a fixed rate (in place on a terminal, one
 * line per period otherwise). The last state is drawn once more when the
 * source ends or is unsubscribed (on an error only when events were seen, so
 * a start-up failure prints just its one sentence).
 *
 * @example liveTrace({ device }).pipe(analyzeEvents({ fileMap }), liveView({ fileMap }), summarize({ fileMap }))
 */
export function liveView(options: LiveViewOptions = {}): MonoTypeOperatorFunction<EventBatch> {
  return (source) =>
    new Observable<EventBatch>((subscriber) => {
      const out = options.out ?? process.stderr;
      const tty = out.isTTY === true;
      const acc = new SummaryAccumulator(options.fileMap);
      const started = Date.now();
      let lastEvents = 0;
      let lastAt = started;
      let rate = 0;
      const draw = (final: boolean): void => {
        const now = Date.now();
        if (now > lastAt) rate = ((acc.events - lastEvents) * 1000) / (now - lastAt);
        lastEvents = acc.events;
        lastAt = now;
        const extra = options.status?.() ?? "";
        const line = `${renderLiveLine(acc.summary(), (now - started) / 1000, rate)}${extra ? `  ${extra}` : ""}`;
        out.write(tty ? `\r\x1b[2K${line}${final ? "\n" : ""}` : `${line}\n`);
      };
      const timer = setInterval(() => draw(false), options.intervalMs ?? (tty ? 250 : 1000));
      let finished = false;
      const finish = (drawLast = true): void => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        if (drawLast) draw(true);
        else if (tty) out.write("\r\x1b[2K");
      };
      const sub = source.subscribe({
        next: (batch) => {
          acc.add(batch);
          subscriber.next(batch);
        },
        error: (error: unknown) => {
          finish(acc.events > 0);
          subscriber.error(error);
        },
        complete: () => {
          finish();
          subscriber.complete();
        },
      });
      return () => {
        finish();
        sub.unsubscribe();
      };
    });
}
