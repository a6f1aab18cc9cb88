import type { DuckDBValue } from "@duckdb/node-api";
import { type FileMap, fileSectorsOf } from "../../model/fileMap.js";
import type { Summary } from "../../model/summary.js";
import type { Store } from "./openStore.js";
import type { RunExtras, RunMeta } from "./runWriter.js";

/**
 * A run's rows outside its event tables: its `extents` rows and its one
 * `runs` row (parameters, summary and the experiment's extras), as the run
 * writer inserts them at commit.
 */

/**
 * Insert the file map's extents of run `runId`, with their device and file
 * sectors (the file's last extent cut at the file's size).
 *
 * @example await insertExtents(store, 3, fileMap);
 */
export async function insertExtents(store: Store, runId: number, map: FileMap): Promise<void> {
  const perBlock = map.blockSize / 512;
  const limit = fileSectorsOf(map);
  const appender = await store.connection.createAppender("extents");
  map.extents.forEach((e, ordinal) => {
    const file = e.logical * perBlock;
    appender.appendInteger(runId);
    appender.appendInteger(ordinal);
    appender.appendBigInt(BigInt(e.logical));
    appender.appendBigInt(BigInt(e.physical));
    appender.appendBigInt(BigInt(e.length));
    appender.appendInteger(map.blockSize);
    appender.appendBigInt(BigInt(map.partitionStart + e.physical * perBlock));
    appender.appendBigInt(BigInt(file));
    appender.appendBigInt(BigInt(Math.max(0, Math.min(e.length * perBlock, limit - file))));
    appender.endRow();
  });
  appender.closeSync();
}

const RUN_COLUMNS = [
  "run_id",
  "label",
  "created_at",
  "command_line",
  "source",
  "device",
  "file_path",
  "file_bytes",
  "file_sectors",
  "extent_count",
  "partition_start",
  "block_size",
  "action",
  "rw",
  "small",
  "medium",
  "events",
  "read_bytes",
  "unique_bytes",
  "unique_sectors",
  "coverage",
  "physical_sequential",
  "physical_small",
  "physical_medium",
  "physical_large",
  "physical_backward",
  "logical_sequential",
  "logical_small",
  "logical_medium",
  "logical_large",
  "logical_backward",
  "duration_ns",
  "dropped",
  "skipped",
  "raw_events",
  "wall_seconds",
  "tokens",
  "tokens_per_second",
  "mem_limit_bytes",
  "locked_bytes",
  "page_cache_delta_bytes",
  "peak_rss_bytes",
] as const;

/** The parameterised INSERT of one `runs` row; `created_at` is now(). */
export const INSERT_RUN = `INSERT INTO runs (${RUN_COLUMNS.join(", ")}) VALUES (${RUN_COLUMNS.map((c) =>
  c === "created_at" ? "now()" : `$${c}`,
).join(", ")})`;

const int = (n: number | null | undefined): DuckDBValue =>
  n === null || n === undefined ? null : BigInt(Math.round(n));
const real = (n: number | null | undefined): DuckDBValue => (n === null || n === undefined ? null : n);

/**
 * The `runs` row of a run: its parameters, summary and extras, by column
 * name (BIGINT columns as bigint, missing values as null).
 *
 * @example await connection.run(INSERT_RUN, runRow(runId, meta, summary, extras, 0));
 */
export function runRow(
  runId: number,
  meta: RunMeta,
  s: Summary,
  x: RunExtras,
  rawEvents: number,
): Record<string, DuckDBValue> {
  const map = meta.fileMap;
  const g = s.gaps;
  return {
    run_id: runId,
    label: meta.label ?? null,
    command_line: meta.commandLine,
    source: meta.source,
    device: meta.device ?? null,
    file_path: meta.filePath ?? map?.path ?? null,
    file_bytes: int(s.fileBytes),
    file_sectors: int(s.fileSectors),
    extent_count: s.extents,
    partition_start: int(map?.partitionStart),
    block_size: map?.blockSize ?? null,
    action: meta.action,
    rw: meta.rw,
    small: int(meta.small),
    medium: int(meta.medium),
    events: int(s.events),
    read_bytes: int(s.readBytes),
    unique_bytes: int(s.uniqueBytes),
    unique_sectors: int(s.uniqueSectors),
    coverage: real(s.coverage),
    physical_sequential: int(g.physical.sequential),
    physical_small: int(g.physical.small),
    physical_medium: int(g.physical.medium),
    physical_large: int(g.physical.large),
    physical_backward: int(g.physical.backward),
    logical_sequential: int(g.logical.sequential),
    logical_small: int(g.logical.small),
    logical_medium: int(g.logical.medium),
    logical_large: int(g.logical.large),
    logical_backward: int(g.logical.backward),
    duration_ns: int(s.durationNs),
    dropped: int(x.dropped ?? s.dropped),
    skipped: int(x.skipped ?? s.skipped),
    raw_events: rawEvents > 0 ? BigInt(rawEvents) : null,
    wall_seconds: real(x.wallSeconds),
    tokens: int(x.tokens),
    tokens_per_second: real(x.tokensPerSecond),
    mem_limit_bytes: int(x.memLimitBytes),
    locked_bytes: int(x.lockedBytes),
    page_cache_delta_bytes: int(x.pageCacheDeltaBytes),
    peak_rss_bytes: int(x.peakRssBytes),
  };
}
