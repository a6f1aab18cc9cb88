/**
 * Byte sizes as every table and status line prints them: binary units
 * (KiB, MiB, GiB = 2^10, 2^20, 2^30 bytes), each value labelled with its
 * unit. The study's "GB" were 2^30 bytes (its "3.80 GB" model file is
 * 4.08e9 bytes), so GiB values read the same as its tables. JSON output
 * keeps plain byte counts.
 */

/** 2^10 bytes. */
export const KIB = 2 ** 10;
/** 2^20 bytes. */
export const MIB = 2 ** 20;
/** 2^30 bytes. */
export const GIB = 2 ** 30;

/**
 * A size in the largest binary unit it reaches, with its unit: GiB with two
 * decimals from 1 GiB up, MiB with one decimal from 1 MiB, KiB below, whole
 * bytes under 1 KiB. `null` prints as `empty`.
 *
 * @example formatBytes(276_000_000) // "263.2 MiB"; formatBytes(4.08e9) // "3.80 GiB"
 */
export function formatBytes(bytes: number | null, empty = "-"): string {
  if (bytes === null || !Number.isFinite(bytes)) return empty;
  const size = Math.abs(bytes);
  if (size >= GIB) return `${(bytes / GIB).toFixed(2)} GiB`;
  if (size >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (size >= KIB) return `${(bytes / KIB).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * A size in MiB with one decimal and the unit, whatever its magnitude: for
 * lines redrawn in place (the live status line), whose width should not
 * jump when a value crosses 1 GiB.
 *
 * @example formatMiB(6_291_456) // "6.0 MiB"
 */
export function formatMiB(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}
