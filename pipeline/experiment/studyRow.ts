import Table from "cli-table3";
import { GAP_CLASSES } from "../../model/batch.js";
import { formatBytes } from "../../sinks/units.js";
import type { ExperimentResult } from "./runExperiment.js";

/**
 * The study's row for a run, as a console table: label, extents, total read
 * and unique bytes, coverage %, physical gap mix (% of events − 1: sequential /
 * small / medium / large / backward), wall time, tokens/s, memory pressure
 * (limit or locked), page-cache delta, peak RSS and dropped events (sizes in
 * GiB/MiB, see sinks/units.ts);
 * then one row per phase when the run was split.
 *
 * @example process.stdout.write(renderStudyRow(result));
 */
export function renderStudyRow(r: ExperimentResult): string {
  const table = new Table({
    head: [
      "run",
      "extents",
      "read",
      "unique",
      "coverage %",
      "gaps seq/small/med/large/back %",
      "wall s",
      "tok/s",
      "pressure",
      "cache Δ",
      "peak RSS",
      "dropped",
    ],
    style: { head: [], border: [] },
  });
  const pressure =
    r.memLimitBytes !== undefined
      ? `limit ${formatBytes(r.memLimitBytes)}`
      : r.lockedBytes !== undefined
        ? `locked ${formatBytes(r.lockedBytes)}`
        : "-";
  table.push([
    r.interrupted ? `${r.label} (interrupted)` : r.label,
    r.extents === null ? "-" : String(r.extents),
    formatBytes(r.readBytes),
    formatBytes(r.uniqueBytes),
    r.coverage === null ? "-" : (r.coverage * 100).toFixed(1),
    gapMix(r.gaps.physical, r.events),
    r.wallSeconds.toFixed(2),
    r.tokensPerSecond === undefined ? "-" : r.tokensPerSecond.toFixed(2),
    pressure,
    formatBytes(r.pageCacheDeltaBytes),
    formatBytes(r.peakRssBytes),
    String(r.dropped ?? 0),
  ]);
  let text = `${table.toString()}\n`;
  if (r.phases && r.phases.length > 0) {
    const phases = new Table({
      head: ["phase", "start s", "events", "read", "unique", "coverage %", "gaps seq/small/med/large/back %"],
      style: { head: [], border: [] },
    });
    for (const p of r.phases) {
      phases.push([
        p.name,
        (p.startNs / 1e9).toFixed(2),
        String(p.events),
        formatBytes(p.readBytes),
        formatBytes(p.uniqueBytes),
        p.coverage === null ? "-" : (p.coverage * 100).toFixed(1),
        gapMix(p.gaps.physical, p.events),
      ]);
    }
    text += `${phases.toString()}\n`;
  }
  return text;
}

function gapMix(gaps: Record<(typeof GAP_CLASSES)[number], number>, events: number): string {
  const pairs = Math.max(events - 1, 0);
  if (pairs === 0) return "-";
  return GAP_CLASSES.map((c) => ((gaps[c] / pairs) * 100).toFixed(1)).join(" / ");
}
