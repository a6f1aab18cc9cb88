/**
 * One "GB" as the study's tables print it: 2^30 bytes (its "3.80 GB" model
 * file is 4.08e9 bytes). Every table blkrx prints uses this unit.
 *
 * @example (summary.readBytes / GB).toFixed(2)
 */
export const GB = 2 ** 30;
