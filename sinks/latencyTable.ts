import type { IntervalStats, LatencyGroup, LatencyReport } from "../model/latency.js";
import { LATENCY_INTERVALS } from "../model/latency.js";
import { newTable } from "./textTable.js";

/**
 * Console and JSON forms of a latency report. The tables print seconds with
 * 9 decimals, as `btt` does, so the two can be compared line by line.
 */

const STAT_HEAD = ["interval", "N", "MIN", "AVG", "MAX", "p50", "p90", "p99", "p99.9"];
const BAR_WIDTH = 40;

/** ns → seconds with 9 decimals (btt's format). */
function sec(ns: number): string {
  return (ns / 1e9).toFixed(9);
}

function statsRow(name: string, s: IntervalStats): string[] {
  return [
    name.toUpperCase(),
    String(s.n),
    sec(s.min),
    sec(s.mean),
    sec(s.max),
    sec(s.p50),
    sec(s.p90),
    sec(s.p99),
    sec(s.p999),
  ];
}

/** One table of interval statistics for a group. */
function groupTable(group: LatencyGroup): string {
  const table = newTable({ head: STAT_HEAD, style: { head: [], border: [] } });
  for (const name of LATENCY_INTERVALS) {
    const s = group.intervals[name];
    if (s) table.push(statsRow(name, s));
  }
  return `${group.key} (${group.requests} bios)\n${table.toString()}\n`;
}

/** btt's "Device Overhead" table: each stage's share of total Q2C time, per group and overall. */
function overheadTable(report: LatencyReport): string {
  const table = newTable({ head: [report.by, "Q2G", "G2I", "Q2M", "I2D", "D2C"], style: { head: [], border: [] } });
  for (const g of [...report.groups, report.overall]) {
    const o = g.overhead;
    if (!o) continue;
    table.push([
      g.key === "all" ? "Overall" : g.key,
      ...[o.q2g, o.g2i, o.q2m, o.i2d, o.d2c].map((p) => `${p.toFixed(4)}%`),
    ]);
  }
  return `device overhead (share of total Q2C time)\n${table.toString()}\n`;
}

/**
 * A biolatency-style log2 histogram of one interval (integer µs buckets).
 *
 * @example process.stdout.write(renderHistogram("q2c", report.overall.intervals.q2c));
 */
export function renderHistogram(name: string, stats: IntervalStats): string {
  const most = Math.max(...stats.histogram.map((b) => b.count), 1);
  const lines = stats.histogram.map((b) => {
    const range = `${b.lowUs} -> ${b.highUs}`.padStart(24);
    const bar = "*".repeat(Math.round((b.count / most) * BAR_WIDTH)).padEnd(BAR_WIDTH);
    return `${range} : ${String(b.count).padStart(8)} |${bar}|`;
  });
  return `${name.toUpperCase()} histogram\n${"usecs".padStart(24)} : ${"count".padStart(8)}\n${lines.join("\n")}\n`;
}

/**
 * Render a latency report for the console: statistics overall and per
 * group, btt's device overhead, Q2C and D2C histograms, and the counts of
 * bios aged out, unmatched or still pending, and of skewed intervals.
 *
 * @example process.stdout.write(renderLatency(report));
 */
export function renderLatency(report: LatencyReport): string {
  const parts = [groupTable(report.overall)];
  if (report.groups.length > 1 || report.by !== "device") parts.push(...report.groups.map(groupTable));
  else if (report.groups[0]) parts[0] = groupTable({ ...report.overall, key: `all (device ${report.groups[0].key})` });
  parts.push(overheadTable(report));
  for (const name of ["q2c", "d2c"] as const) {
    const s = report.overall.intervals[name];
    if (s) parts.push(renderHistogram(name, s));
  }
  parts.push(
    `completed ${report.requests}, aged out ${report.agedOut}, unmatched ${report.unmatched}, pending at end ${report.pending}, skewed intervals (end stamped before start, counted as 1 ns) ${report.skewed}\n`,
  );
  return parts.join("\n");
}

/**
 * The JSON form of a latency report (what `blkrx latency --json` prints and
 * what `analyze` puts under `latency`): the report itself, times in ns;
 * intervals a group lacks are null.
 *
 * @example process.stdout.write(`${latencyJson(report)}\n`);
 */
export function latencyJson(report: LatencyReport): string {
  return JSON.stringify(report);
}
