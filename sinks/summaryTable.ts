import { GAP_CLASSES } from "../model/batch.js";
import type { Summary } from "../model/summary.js";
import { newTable } from "./textTable.js";
import { formatBytes } from "./units.js";

/**
 * Render a summary as the study's console tables: one row of results
 * (events, total read and unique bytes in GiB/MiB, coverage %, extents) and the gap
 * distribution in percent of (events − 1), physical and logical side by side.
 *
 * @example process.stderr.write(renderSummary(summary, "fragmented"));
 */
export function renderSummary(summary: Summary, label = "run"): string {
  const results = newTable({
    head: ["run", "events", "total read", "unique", "coverage %", "extents"],
    style: { head: [], border: [] },
  });
  results.push([
    label,
    String(summary.events),
    formatBytes(summary.readBytes),
    formatBytes(summary.uniqueBytes),
    summary.coverage === null ? "-" : (summary.coverage * 100).toFixed(1),
    summary.extents === null ? "-" : String(summary.extents),
  ]);
  const gaps = newTable({
    head: ["gap class", "physical %", "logical %", "physical n", "logical n"],
    style: { head: [], border: [] },
  });
  const pairs = Math.max(summary.events - 1, 0);
  for (const c of GAP_CLASSES) {
    const p = summary.gaps.physical[c];
    const l = summary.gaps.logical[c];
    gaps.push([c, percent(p, pairs), percent(l, pairs), String(p), String(l)]);
  }
  const notes: string[] = [];
  if (summary.skipped !== undefined) notes.push(`skipped records: ${summary.skipped}`);
  if (summary.dropped !== undefined) notes.push(`dropped events: ${summary.dropped}`);
  return `${results.toString()}\n${gaps.toString()}\n${notes.map((n) => `${n}\n`).join("")}`;
}

/** count / total as a percentage with one decimal ("-" when total is 0). */
export function percent(count: number, total: number): string {
  return total > 0 ? ((count / total) * 100).toFixed(1) : "-";
}
