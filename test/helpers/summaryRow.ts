import type { GapCounts, Summary } from "../../model/summary.js";

/**
 * A row of sql/summary.sql (DuckDB or chDB, columns `events`, `read_bytes`,
 * …, `physical_sequential`, …) as the Summary of the JSON contract, so a
 * test compares it with analyze's output or a case's expected summary.
 * Counts come back from the engines as numbers or bigints; missing file
 * figures (no extents) are null.
 *
 * @example expect(summaryOfRow(row)).toEqual(c.expected);
 */
export function summaryOfRow(row: Record<string, unknown>): Summary {
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const gaps = (space: string): GapCounts => ({
    sequential: Number(row[`${space}_sequential`]),
    small: Number(row[`${space}_small`]),
    medium: Number(row[`${space}_medium`]),
    large: Number(row[`${space}_large`]),
    backward: Number(row[`${space}_backward`]),
  });
  return {
    events: Number(row.events),
    readBytes: Number(row.read_bytes),
    uniqueBytes: Number(row.unique_bytes),
    uniqueSectors: Number(row.unique_sectors),
    fileBytes: n(row.file_bytes),
    fileSectors: n(row.file_sectors),
    coverage: n(row.coverage),
    extents: n(row.extents),
    gaps: { physical: gaps("physical"), logical: gaps("logical") },
  };
}
