import { readFileSync } from "node:fs";
import type { AnalysisSettings } from "../../model/analysisSettings.js";
import { FIXTURES } from "./cli.js";

export { contractOf } from "../../model/summary.js";

/** One entry of test/fixtures/cases.json (copied from shared/fixtures/traces). */
export interface FixtureCase {
  name: string;
  inputs: string[];
  options: Partial<AnalysisSettings> & {
    extents?: string;
    partitionStart?: number;
    fileSize?: number;
  };
  expected: Record<string, unknown>;
}

export const CASES: FixtureCase[] = JSON.parse(readFileSync(`${FIXTURES}/cases.json`, "utf8"));

/** The analyze CLI flags of a case, as the acceptance text writes them. */
export function caseFlags(c: FixtureCase, extentsDir = ""): string[] {
  const o = c.options;
  const flags: string[] = [];
  if (o.extents) flags.push("--extents", `${extentsDir}${o.extents}`);
  if (o.partitionStart !== undefined) flags.push("--partition-start", String(o.partitionStart));
  if (o.fileSize !== undefined) flags.push("--file-size", String(o.fileSize));
  if (o.action) flags.push("--action", o.action);
  if (o.rw) flags.push("--rw", o.rw);
  if (o.small !== undefined) flags.push("--small", String(o.small));
  if (o.medium !== undefined) flags.push("--medium", String(o.medium));
  return flags;
}
