import { readFileSync } from "node:fs";
import { join } from "node:path";
import { contractOf } from "../../model/summary.js";
import { FIXTURES } from "../inputs.js";

/** The contract keys of a summary, serialized for comparison. */
export function contract(summary: Record<string, unknown>): string {
  return JSON.stringify(contractOf(summary));
}

type Gaps = Record<"physical" | "logical", Record<string, number>>;
type Contract = { events: number; readBytes: number; gaps: Gaps } & Record<string, unknown>;

/** The independently computed summary of one seed copy (cases.json, from real blkparse). */
export function seedExpected(): Contract {
  const cases = JSON.parse(readFileSync(join(FIXTURES, "cases.json"), "utf8")) as {
    name: string;
    expected: Contract;
  }[];
  const c = cases.find((x) => x.name === "pressure-frag.bin in frag.bin");
  if (!c) throw new Error("cases.json has no 'pressure-frag.bin in frag.bin' case");
  return c.expected;
}

/**
 * The summary `repeats` copies of the seed trace must have, from the seed's
 * expected summary (cases.json) and `two`, the summary of two copies: events
 * and bytes scale by `repeats`, unique sectors stay, and each of the
 * `repeats − 1` joins between copies adds the gap class the join has in `two`.
 *
 * @example expectedFor(1804, seedExpected(), twoCopies)
 */
export function expectedFor(repeats: number, one: Contract, two: Contract): Record<string, unknown> {
  const gaps: Gaps = { physical: {}, logical: {} };
  for (const side of ["physical", "logical"] as const) {
    for (const [k, v] of Object.entries(one.gaps[side])) {
      const join = (two.gaps[side][k] ?? 0) - 2 * v;
      gaps[side][k] = repeats * v + (repeats - 1) * join;
    }
  }
  return { ...one, events: repeats * one.events, readBytes: repeats * one.readBytes, gaps };
}
