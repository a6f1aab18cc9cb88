/**
 * The time origin of a binary trace: times are ns relative to the first
 * timed record read, and the trace's time zero is the earliest of its first
 * records, as blkparse takes them. Shared by the decoders of the files of a
 * per-CPU set so their times stay comparable.
 */

/** Records blkparse reads from a stream before it sorts and prints them (`rb_batch`); time zero is their earliest. */
export const GENESIS_RECORDS = 512;

/** The absolute u64 time (two u32 halves) that relative times are measured from. */
export interface TimeBase {
  hi: number;
  lo: number;
  set: boolean;
  /**
   * Smallest relative time among the first timed records of each decoder
   * sharing it (see `genesisRecords`): the trace's time zero, as blkparse's
   * `genesis_time`. Readers shift times by it (see `fromTrace`).
   */
  min: number;
}

/**
 * A time origin not yet set, to share between decoders.
 *
 * @example const base = newTimeBase(); new BinaryDecoder({ timeBase: base, genesisRecords: 1 });
 */
export function newTimeBase(): TimeBase {
  return { hi: 0, lo: 0, set: false, min: Number.POSITIVE_INFINITY };
}
