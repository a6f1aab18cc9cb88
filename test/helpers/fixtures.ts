import type { BlockEvent } from "../../model/event.js";

/** Fixtures that have both X.bin and X.blkparse.txt (test/fixtures, copied from shared/fixtures/traces). */
export const BIN_FIXTURES = [
  "direct-contig",
  "direct-frag",
  "mmap-contig",
  "mmap-frag",
  "pressure-contig",
  "pressure-frag",
  "seq-contig",
] as const;

/** A BlockEvent with every field zero or empty on device 7,0, to spread test events over. */
export function blankEvent(): BlockEvent {
  return {
    device: { major: 7, minor: 0 },
    cpu: 0,
    sequence: 0,
    time: 0,
    pid: 0,
    action: "",
    rwbs: "",
    code: 0,
    sector: 0,
    sectors: 0,
    bytes: 0,
    error: 0,
  };
}
