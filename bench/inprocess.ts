/**
 * Child-process entry of the bench for measures taken inside one process
 * (so start-up and module loading are not counted):
 *
 *   node dist/bench/inprocess.js analyze TRACE EXTENTS PARTITION_START REPS [GROUP]
 *     → {"seconds": [...], "cpuSeconds": [...], "summary": {...}}   decode + analyze wall and CPU time per
 *       analysis, one entry per repetition; a repetition runs GROUP analyses back to back (default 1)
 *   node --expose-gc dist/bench/inprocess.js sectorset READS SECTORS RANGE_SECTORS
 *     → SectorSet memory after READS random reads of SECTORS over RANGE_SECTORS
 *   node dist/bench/inprocess.js ingest TRACE DB_PATH
 *     → DuckDB ingest rate of the kept events of TRACE (action Q, any direction)
 */
import type { RunSettings } from "../pipeline/analyzeMany.js";
import { analyzeInput } from "../pipeline/analyzeWorker.js";
import { fileMapFromOptions } from "../pipeline/fileMapFromOptions.js";
import { measureIngest } from "./ingest.js";
import { measureSectorSet } from "./sectorSetMemory.js";

/**
 * Time (wall, and CPU of the whole process: user + system) full in-process
 * analyses (decode, select, sector range, dedup, gaps, summary) of one
 * trace: `reps` samples, each `group` analyses back to back, reported per
 * analysis. Grouping lets a small trace's samples last as long as a big
 * one's, so the best-of-N of both meets the host's noise alike.
 *
 * @example await timeAnalyze("/tmp/blkrx-bench/frag-x361.bin", "frag.filefrag.txt", 2048, 3, 10)
 */
export async function timeAnalyze(trace: string, extents: string, partitionStart: number, reps: number, group = 1) {
  const fileMap = await fileMapFromOptions({ extents, partitionStart });
  const settings: RunSettings = { action: "D", rw: "read", small: 256, medium: 2048, ...(fileMap ? { fileMap } : {}) };
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let summary: unknown;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let g = 0; g < group; g++) summary = await analyzeInput(trace, settings);
    const c = process.cpuUsage(c0);
    cpuSeconds.push((c.user + c.system) / 1e6 / group);
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9 / group);
  }
  return { seconds, cpuSeconds, summary };
}

async function main(argv: string[]): Promise<unknown> {
  const [mode, ...rest] = argv;
  if (mode === "analyze") {
    const [trace, extents, start, reps, group] = rest;
    return timeAnalyze(trace as string, extents as string, Number(start), Number(reps ?? 1), Number(group ?? 1));
  }
  if (mode === "sectorset") {
    const [reads, sectors, range] = rest.map(Number);
    return measureSectorSet(reads as number, sectors as number, range as number);
  }
  if (mode === "ingest") return measureIngest(rest[0] as string, rest[1] as string);
  throw new TypeError(`inprocess: unknown mode "${mode}" (expected analyze, sectorset or ingest)`);
}

main(process.argv.slice(2)).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
