import { join } from "node:path";
import { ROOT } from "../inputs.js";
import type { Command } from "../processRun.js";
import type { BenchRow } from "../report.js";

/** What every goal gets: run size, logging, and how to call the blkrx bin. */
export interface BenchContext {
  quick: boolean;
  log: (line: string) => void;
}

/** A bench goal: measures and returns its rows (never throws for a failed target; throws for a broken run). */
export type Goal = (ctx: BenchContext) => Promise<BenchRow[]>;

/** The CLI as installed (package.json "bin": the esbuild bundle), run directly with node, not through npx. */
export const BIN = join(ROOT, "dist", "cli", "bin.js");

/**
 * A `node dist/cli/bin.js ARGS` command.
 *
 * @example blkrxCommand(["analyze", "x.bin", "--no-db", "--json"])
 */
export function blkrxCommand(args: readonly string[], stdinFile?: string): Command {
  return { cmd: process.execPath, args: [BIN, ...args], ...(stdinFile ? { stdinFile } : {}) };
}
