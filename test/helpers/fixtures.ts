import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The one fixtures folder (test/fixtures, copied from shared/fixtures/traces), without a trailing slash. */
export const FIXTURES = fileURLToPath(new URL("../fixtures", import.meta.url));

/** Absolute path of a fixture file. @example fixturePath("pressure-frag.bin") */
export function fixturePath(name: string): string {
  return `${FIXTURES}/${name}`;
}

/** Bytes of a fixture file. @example fixtureBytes("direct-contig.bin") */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(fixturePath(name));
}

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
