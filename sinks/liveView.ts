import { type MonoTypeOperatorFunction, Observable } from "rxjs";
import { GAP_CLASSES } from "../model/batch.js";
import type { Summary } from "../model/summary.js";
import { formatMiB } from "./units.js";

/** Options for {@link liveView}. */
export interface LiveViewOptions {
  /** Redraw period in ms. @default 250 on a terminal, 1000 otherwise */
  intervalMs?: number;
  /** Where the view is drawn. @default process.stderr */
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Events lost so far, read at each redraw (undefined: not shown). */
  dropped?: () => number | undefined;
  /** Draw even when `out` is not a terminal (one line per period). @default false */
  always?: boolean;
}

const SHORT: Record<(typeof GAP_CLASSES)[number], string> = {
  sequential: "seq",
  small: "small",
  medium: "med",
  large: "large",
  backward: "back",
};

/** Width assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;

/**
 * One status line for a running summary, at most `width` characters: the
 * fields in order of importance — elapsed time, events/s, MiB read, unique
 * MiB, coverage, drops, events, then the physical gap mix — each kept only
 * while it fits, so a redraw never wraps (a wrapped line breaks `\r` redraws).
 *
 * @example renderLiveLine(summary, 2.5, 40, { dropped: 0, width: 80 }) // "  2.5 s  40 ev/s  read 6.3 MiB  unique 6.1 MiB  drops 0  events 100  seq 93% ..."
 */
export function renderLiveLine(
  s: Summary,
  elapsedSeconds: number,
  eventsPerSecond: number,
  options: { dropped?: number | undefined; width?: number } = {},
): string {
  const pairs = Math.max(s.events - 1, 0);
  const fields = [
    `${elapsedSeconds.toFixed(1).padStart(6)} s`,
    `${Math.round(eventsPerSecond)} ev/s`,
    `read ${formatMiB(s.readBytes)}`,
    `unique ${formatMiB(s.uniqueBytes)}`,
    ...(s.coverage === null ? [] : [`coverage ${(s.coverage * 100).toFixed(1)} %`]),
    ...(options.dropped === undefined ? [] : [`drops ${options.dropped}`]),
    `events ${s.events}`,
    ...GAP_CLASSES.map((c) => `${SHORT[c]} ${pairs ? ((s.gaps.physical[c] / pairs) * 100).toFixed(0) : "-"}%`),
  ];
  const width = options.width ?? Number.POSITIVE_INFINITY;
  let line = "";
  for (const field of fields) {
    const next = line ? `${line}  ${field}` : field;
    if (next.length > width) break;
    line = next;
  }
  return line;
}

/**
 * A console live view of running summaries (what `runningSummary` emits):
 * passes them through unchanged and redraws one status line from the latest,
 * as wide as the terminal at most, in place on stderr at a fixed rate. Not
 * drawn when stderr is not a terminal (a log would fill with redraws) unless
 * `always` (then one line per period). The last state is drawn once more
 * when the source ends or is unsubscribed (on an error only when events were
 * seen, so a start-up failure prints just its one sentence).
 *
 * @example analyzed.pipe(runningSummary({ fileMap }), liveView()).subscribe()
 */
export function liveView(options: LiveViewOptions = {}): MonoTypeOperatorFunction<Summary> {
  return (source) =>
    new Observable<Summary>((subscriber) => {
      const out = options.out ?? process.stderr;
      const tty = out.isTTY === true;
      if (!tty && !options.always) return source.subscribe(subscriber);
      let latest: Summary | undefined;
      const started = Date.now();
      let lastEvents = 0;
      let lastAt = started;
      let rate = 0;
      const draw = (final: boolean): void => {
        if (!latest) return;
        const now = Date.now();
        if (now > lastAt) rate = ((latest.events - lastEvents) * 1000) / (now - lastAt);
        lastEvents = latest.events;
        lastAt = now;
        // One column short of the width: a line that fills the last column wraps on some terminals.
        const width = tty ? (out.columns ?? DEFAULT_COLUMNS) - 1 : Number.POSITIVE_INFINITY;
        const line = renderLiveLine(latest, (now - started) / 1000, rate, { dropped: options.dropped?.(), width });
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
        next: (summary) => {
          latest = summary;
          subscriber.next(summary);
        },
        error: (error: unknown) => {
          finish((latest?.events ?? 0) > 0);
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
