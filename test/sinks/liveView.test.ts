import { Subject, type Subscription } from "rxjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Summary, zeroGaps } from "../../model/summary.js";
import { liveView } from "../../sinks/liveView.js";
import { MIB } from "../../sinks/units.js";

/** A stand-in for stderr: records every write. */
function terminal(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  const out = {
    isTTY,
    ...(columns !== undefined ? { columns } : {}),
    write: (chunk: string) => {
      writes.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  return { out, writes };
}

/** A running summary of `events` reads of 1 MiB each, all sequential, with coverage when given. */
function summaryOf(events: number, coverage: number | null = null): Summary {
  const physical = zeroGaps();
  physical.sequential = Math.max(events - 1, 0);
  return {
    events,
    readBytes: events * MIB,
    uniqueBytes: events * MIB,
    uniqueSectors: (events * MIB) / 512,
    fileBytes: null,
    fileSectors: null,
    coverage,
    extents: null,
    gaps: { physical, logical: zeroGaps() },
  };
}

const CLEAR = "\r\x1b[2K";

describe("liveView", () => {
  let sub: Subscription | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    sub?.unsubscribe();
    vi.useRealTimers();
  });

  it("redraws the latest summary in place on a terminal at each period, with events per second, and ends the line on completion", () => {
    const { out, writes } = terminal(true, 200);
    const summaries = new Subject<Summary>();
    const seen: number[] = [];
    sub = summaries.pipe(liveView({ out, intervalMs: 500 })).subscribe((s) => seen.push(s.events));
    summaries.next(summaryOf(0));
    vi.advanceTimersByTime(500);
    expect(writes).toEqual([
      `${CLEAR}   0.5 s  0 ev/s  read 0.0 MiB  unique 0.0 MiB  events 0  seq -%  small -%  med -%  large -%  back -%`,
    ]);
    summaries.next(summaryOf(100, 0.25));
    vi.advanceTimersByTime(500);
    // 100 events in the last 0.5 s: 200 ev/s; 99 sequential pairs of 99.
    expect(writes[1]).toBe(
      `${CLEAR}   1.0 s  200 ev/s  read 100.0 MiB  unique 100.0 MiB  coverage 25.0 %  events 100  seq 100%  small 0%  med 0%  large 0%  back 0%`,
    );
    summaries.next(summaryOf(150, 0.5));
    vi.advanceTimersByTime(250);
    summaries.complete();
    expect(writes).toHaveLength(3);
    expect(writes[2]?.startsWith(CLEAR)).toBe(true);
    expect(writes[2]?.slice(CLEAR.length)).toMatch(
      /^ {3}1\.3 s {2}200 ev\/s {2}read 150\.0 MiB .*coverage 50\.0 % {2}events 150 .*\n$/,
    );
    // Summaries pass through unchanged, and nothing is drawn after the end.
    expect(seen).toEqual([0, 100, 150]);
    vi.advanceTimersByTime(5000);
    expect(writes).toHaveLength(3);
  });

  it("fits the line in one column less than the terminal, dropping the least important fields first", () => {
    const { out, writes } = terminal(true, 40);
    const summaries = new Subject<Summary>();
    sub = summaries.pipe(liveView({ out, intervalMs: 1000, dropped: () => 7 })).subscribe();
    summaries.next(summaryOf(10));
    summaries.complete();
    const line = (writes[0] ?? "").slice(CLEAR.length, -1);
    expect(line).toBe("   0.0 s  0 ev/s  read 10.0 MiB");
    expect(line.length).toBeLessThanOrEqual(39);
  });

  it("draws nothing when the output is not a terminal, yet passes summaries through", () => {
    const { out, writes } = terminal(false);
    const summaries = new Subject<Summary>();
    const seen: number[] = [];
    sub = summaries.pipe(liveView({ out, intervalMs: 100 })).subscribe((s) => seen.push(s.events));
    summaries.next(summaryOf(3));
    vi.advanceTimersByTime(1000);
    summaries.complete();
    expect(writes).toEqual([]);
    expect(seen).toEqual([3]);
  });

  it("with `always`, writes one whole line per period to a non-terminal, with drops when given", () => {
    const { out, writes } = terminal(false);
    const summaries = new Subject<Summary>();
    let dropped = 0;
    sub = summaries.pipe(liveView({ out, always: true, dropped: () => dropped })).subscribe();
    summaries.next(summaryOf(2));
    vi.advanceTimersByTime(1000); // the default period off a terminal
    dropped = 5;
    vi.advanceTimersByTime(1000);
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(
      /^ {3}1\.0 s {2}2 ev\/s {2}read 2\.0 MiB {2}unique 2\.0 MiB {2}drops 0 {2}events 2 {2}seq 100%/,
    );
    expect(writes[1]).toMatch(/drops 5 {2}events 2 /);
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
  });

  it("on an error before any event, clears the line and passes the error on; after events, draws the last state", () => {
    const early = terminal(true, 120);
    const failing = new Subject<Summary>();
    const errors: unknown[] = [];
    failing.pipe(liveView({ out: early.out })).subscribe({ error: (e: unknown) => errors.push(e) });
    failing.next(summaryOf(0));
    failing.error(new Error("cannot open the tracer"));
    expect(early.writes).toEqual([CLEAR]);
    expect(errors).toEqual([new Error("cannot open the tracer")]);

    const late = terminal(true, 120);
    const broken = new Subject<Summary>();
    broken.pipe(liveView({ out: late.out })).subscribe({ error: () => {} });
    broken.next(summaryOf(4));
    broken.error(new Error("the disk went away"));
    expect(late.writes).toHaveLength(1);
    expect(late.writes[0]).toMatch(/events 4 .*\n$/);
  });

  it("draws the last state once when unsubscribed (Ctrl-C), and stops its timer", () => {
    const { out, writes } = terminal(true, 120);
    const summaries = new Subject<Summary>();
    const s = summaries.pipe(liveView({ out, intervalMs: 250 })).subscribe();
    summaries.next(summaryOf(8));
    s.unsubscribe();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/events 8 .*\n$/);
    expect(summaries.observed).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(writes).toHaveLength(1);
  });
});
