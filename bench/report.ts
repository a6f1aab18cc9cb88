/** Outcome of one measured goal. */
export type Status = "PASS" | "FAIL" | "SKIPPED" | "INFO";

/** One line of the bench table: a measure, its same-run baseline, the ratio and the verdict. */
export interface BenchRow {
  /** Goal group, e.g. "binary replay". */
  goal: string;
  /** What was measured, e.g. "blkrx analyze, 5,002,492 records". */
  measure: string;
  value: number | null;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
  /** The compared ratio (speed-up, scaling factor, ...), when there is one. */
  ratio?: number;
  /** The target as text, e.g. "≥ 20×". */
  target: string;
  status: Status;
  note?: string;
}

/**
 * A row whose verdict is `ratio >= min` (a speed-up target).
 *
 * @example atLeast({ goal: "binary replay", measure: "...", value: 0.8, unit: "s", target: "" }, 64.1, 20)
 */
export function atLeast(row: Omit<BenchRow, "status" | "ratio">, ratio: number, min: number): BenchRow {
  return { ...row, ratio, target: row.target || `≥ ${min}×`, status: ratio >= min ? "PASS" : "FAIL" };
}

/** A SKIPPED row with its reason. */
export function skipped(goal: string, measure: string, target: string, reason: string): BenchRow {
  return { goal, measure, value: null, unit: "", target, status: "SKIPPED", note: reason };
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1000) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

/**
 * The rows as a plain-text (and markdown-compatible) table.
 *
 * @example process.stdout.write(renderRows(rows));
 */
export function renderRows(rows: readonly BenchRow[]): string {
  const head = ["goal", "measure", "blkrx", "baseline (same run)", "ratio", "target", "result"];
  const body = rows.map((r) => [
    r.goal,
    r.measure,
    r.value === null ? "–" : `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : "–",
    r.ratio === undefined ? "–" : `${fmt(r.ratio)}×`,
    r.target,
    r.note ? `${r.status} (${r.note})` : r.status,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return `${[line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n")}\n`;
}
