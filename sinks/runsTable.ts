import type { Summary } from "../model/summary.js";
import { newTable } from "./textTable.js";
import { formatBytes } from "./units.js";

/** One row of {@link renderRunsTable}: a run's name and its summary, or the one sentence why it failed. */
export type RunsTableRow = { name: string; summary: Summary } | { name: string; error: string };

/**
 * One table row per run: events, bytes read and unique (GiB/MiB), coverage,
 * physical sequential and backward shares; a failed run spans the row with
 * its error. What `analyze-many` prints without --json.
 *
 * @example process.stdout.write(renderRunsTable([{ name: "a.bin", summary }, { name: "b.bin", error }]));
 */
export function renderRunsTable(rows: readonly RunsTableRow[]): string {
  const table = newTable({
    head: ["input", "events", "read", "unique", "coverage %", "seq %", "backward %"],
    style: { head: [], border: [] },
  });
  const pct = (n: number, of: number): string => (of > 0 ? ((100 * n) / of).toFixed(1) : "-");
  for (const row of rows) {
    if ("error" in row) {
      table.push([row.name, { colSpan: 6, content: `error: ${row.error}` }]);
      continue;
    }
    const s = row.summary;
    const pairs = Math.max(s.events - 1, 0);
    table.push([
      row.name,
      String(s.events),
      formatBytes(s.readBytes),
      formatBytes(s.uniqueBytes),
      s.coverage === null ? "-" : (100 * s.coverage).toFixed(1),
      pct(s.gaps.physical.sequential, pairs),
      pct(s.gaps.physical.backward, pairs),
    ]);
  }
  return `${table.toString()}\n`;
}
