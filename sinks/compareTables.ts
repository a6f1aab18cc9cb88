import { GAP_CLASSES } from "../model/batch.js";
import type { CompareRun } from "./duckdb/queries.js";
import { newTable } from "./textTable.js";
import { formatBytes } from "./units.js";

/** A rendered table: a header row and body rows of display strings. */
export interface TextTable {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const size = (bytes: number | null): string => formatBytes(bytes, "–");
const pct = (ratio: number | null): string => (ratio === null ? "–" : `${(100 * ratio).toFixed(1)}`);
const num = (n: number | null, digits: number): string => (n === null ? "–" : n.toFixed(digits));
const nameOf = (run: CompareRun): string => run.label ?? `run ${run.runId}`;
const share = (count: number, events: number): number | null => (events > 1 ? count / (events - 1) : null);

/**
 * The study's results table: one row per run with configuration, the
 * actions counted (so a `Q,D,C` count shows beside a `D` one), device,
 * extents, memory limit (or locked memory), time, tokens/s, total read and
 * unique bytes (GiB/MiB, see sinks/units.ts), coverage % and the share of
 * backward physical gaps.
 *
 * @example renderConsole(resultsTable(await compareRuns(store, [1, 2])));
 */
export function resultsTable(runs: readonly CompareRun[]): TextTable {
  return {
    head: [
      "configuration",
      "actions",
      "device",
      "extents",
      "memory limit",
      "time s",
      "tok/s",
      "read",
      "unique",
      "coverage %",
      "backward %",
    ],
    rows: runs.map((r) => [
      nameOf(r),
      r.action,
      r.device ?? "–",
      r.extents === null ? "–" : String(r.extents),
      size(r.memLimitBytes ?? r.lockedBytes),
      num(r.seconds, 2),
      num(r.tokensPerSecond, 2),
      size(r.readBytes),
      size(r.uniqueBytes),
      pct(r.coverage),
      pct(share(r.physical[4] ?? 0, r.events)),
    ]),
  };
}

/**
 * The study's gap-distribution table: per run, the physical and logical
 * shares of sequential, small, medium, large and backward gaps, in % of
 * (events − 1).
 *
 * @example renderMarkdown(gapTable(runs));
 */
export function gapTable(runs: readonly CompareRun[]): TextTable {
  return {
    head: ["configuration", "space", ...GAP_CLASSES.map((c) => `${c} %`)],
    rows: runs.flatMap((r) =>
      (["physical", "logical"] as const).map((space) => [
        nameOf(r),
        space,
        ...GAP_CLASSES.map((_, k) => pct(share(r[space][k] ?? 0, r.events))),
      ]),
    ),
  };
}

/**
 * Per tensor group, the bytes each `analyze --gguf` run read, as a size and
 * as a multiple of the group's size ("263.0 MiB (3.0×)"), runs side by
 * side; undefined when no run has tensor rows.
 *
 * @example const t = tensorGroupTable(runs); if (t) print(renderConsole(t));
 */
export function tensorGroupTable(runs: readonly CompareRun[]): TextTable | undefined {
  if (runs.every((r) => r.groups.length === 0)) return undefined;
  const groups = [...new Set(runs.flatMap((r) => r.groups.map((g) => g.group)))];
  return {
    head: ["group", ...runs.map(nameOf)],
    rows: groups.map((group) => [
      group,
      ...runs.map((r) => {
        const g = r.groups.find((x) => x.group === group);
        if (!g) return "–";
        return g.bytes > 0 ? `${size(g.readBytes)} (${(g.readBytes / g.bytes).toFixed(1)}×)` : size(g.readBytes);
      }),
    ]),
  };
}

/**
 * A table drawn with box characters for the terminal (cli-table3).
 *
 * @example process.stdout.write(`${renderConsole(table)}\n`);
 */
export function renderConsole(table: TextTable): string {
  const out = newTable({ head: [...table.head], style: { head: [], border: [] } });
  for (const row of table.rows) out.push([...row]);
  return out.toString();
}

/**
 * A GitHub-flavoured markdown table (pipes in cells escaped), for notes.
 *
 * @example renderMarkdown({ head: ["a"], rows: [["1"]] }) // "| a |\n| --- |\n| 1 |"
 */
export function renderMarkdown(table: TextTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(table.head), line(table.head.map(() => "---")), ...table.rows.map(line)].join("\n");
}
