import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventBatch } from "../model/batch.js";
import { InputError } from "../model/errors.js";
import type { RequestBatch } from "../model/requests.js";
import type { RunMeta, RunWriterOptions } from "../sinks/duckdb/runWriter.js";
import { storedColumnsOf } from "../sinks/duckdb/storedColumns.js";
import { SpillWriter } from "../sinks/spillFile.js";
import type { CliStore } from "./openStoreForCli.js";
import type { StoreSpillJob, StoreSpillResult } from "./storeSpillChild.js";

/**
 * The run store of `live` and `run`: while tracing, the run's events go to a
 * spill file beside the store (`STORE.spill-PID`, deleted afterwards); at
 * `commit`, once the traced program is done, a short-lived child process
 * (the store writer, storeSpillChild.js) loads DuckDB and stores them in one
 * transaction, so the tracer's process never maps DuckDB. Why: DuckDB's
 * library, its buffers and a writer thread cost ~90 MB of RSS, more than the
 * tracer itself (measured, `live -` of a 10M-record stream: 159–165 MiB with
 * the store in a thread, 157–173 MB with it loaded in-process at commit,
 * 70–77 MiB without); in its own process the cost is not added to the
 * tracer's. `writerPeakRssBytes()` tells the child's peak, so it is not
 * hidden. A store that cannot be written is found before tracing: an error
 * for an explicit --db, a note and no store for the default path.
 *
 * @example const store = openSpilledStore("blkrx.duckdb", false, meta, { memoryLimit: "16MB" }); store?.appendRaw(batch); await store?.commit(summary);
 */
export function openSpilledStore(
  db: string,
  isDefault: boolean,
  meta: RunMeta,
  options: RunWriterOptions,
): CliStore | undefined {
  const why = unwritable(db);
  if (why !== undefined) {
    if (!isDefault) throw new InputError(`Cannot store the run in ${db}: ${why}; pass another --db, or --no-db`);
    process.stderr.write(`blkrx: not storing the run in ${db} (${why}); use --db PATH or --no-db\n`);
    return undefined;
  }
  const spill = new SpillWriter(`${db}.spill-${process.pid}`);
  const jobPath = `${spill.path}.json`;
  let writerPeak: number | undefined;
  const discard = () => {
    spill.close();
    rmSync(spill.path, { force: true });
    rmSync(jobPath, { force: true });
  };
  return {
    busy: () => false,
    whenFree: () => Promise.resolve(),
    opened: Promise.resolve(),
    append: (batch: EventBatch) => spill.write("events", storedColumnsOf(batch)),
    appendRaw: (batch: EventBatch) => spill.write("raw", batch),
    appendRequests: (batch: RequestBatch) => spill.write("requests", batch),
    abort: async () => discard(),
    writerPeakRssBytes: () => writerPeak,
    async commit(summary, extras) {
      spill.close();
      try {
        const job: StoreSpillJob = { spill: spill.path, db, meta, options, summary, ...(extras ? { extras } : {}) };
        writeFileSync(jobPath, JSON.stringify(job, plainJson));
        const result = await runStoreWriter(jobPath, db);
        writerPeak = result.peakRssBytes;
        if ("error" in result) throw new Error(result.error);
        return result.runId;
      } finally {
        discard();
      }
    },
  };
}

/**
 * Node and glibc settings that keep the store writer small (measured on a
 * 10M-record `live -` spill, store writer alone: 163.6 MB peak with none;
 * 152.7 MB with a 1 MB young generation, V8's default being up to 16 MB per
 * semi-space; 147.8–151.1 MB with two malloc arenas too, its peak at DuckDB's
 * COMMIT; 137.2 MB with one arena and malloc giving large blocks back to the
 * system at once (fixed mmap and trim thresholds) instead of keeping them.
 */
const STORE_WRITER_NODE_FLAGS = ["--max-semi-space-size=1"];
const STORE_WRITER_MALLOC = {
  MALLOC_ARENA_MAX: "1",
  MALLOC_MMAP_THRESHOLD_: "131072",
  MALLOC_TRIM_THRESHOLD_: "131072",
};

/** The store writer's entry file: beside this module once built (dist/cli or dist/pipeline), else in dist/pipeline. */
function storeWriterEntry(): string {
  const beside = fileURLToPath(new URL("./storeSpillChild.js", import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL("../dist/pipeline/storeSpillChild.js", import.meta.url));
}

/**
 * Run the store writer on a job file and wait for it: its stderr lines pass
 * through to ours, its stdout is its result line. A writer that dies
 * without one (killed, out of memory) is one sentence naming the store.
 */
function runStoreWriter(jobPath: string, db: string): Promise<StoreSpillResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...STORE_WRITER_NODE_FLAGS, storeWriterEntry(), jobPath], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...STORE_WRITER_MALLOC },
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    child.on("error", (error) => reject(new Error(`Cannot store the run in ${db}: ${error.message}`)));
    child.on("close", (code, signal) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as StoreSpillResult);
      } catch {
        reject(
          new Error(
            `Cannot store the run in ${db}: the store writer ended (${signal ?? `exit code ${code}`}) without storing it`,
          ),
        );
      }
    });
  });
}

/** JSON.stringify's replacer for the job: refuse what JSON would change (bigint, typed arrays, maps, NaN). */
function plainJson(key: string, value: unknown): unknown {
  const lossy =
    typeof value === "bigint" ||
    ArrayBuffer.isView(value) ||
    value instanceof Map ||
    value instanceof Set ||
    (typeof value === "number" && !Number.isFinite(value));
  if (lossy) throw new TypeError(`Cannot hand ${key} to the store writer: JSON would not keep it`);
  return value;
}

/** Why this process cannot write the store at `db` (or its folder, where the spill and WAL go); undefined if it can. */
function unwritable(db: string): string | undefined {
  try {
    accessSync(dirname(db), constants.W_OK);
    if (existsSync(db)) accessSync(db, constants.W_OK);
    return undefined;
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `its folder ${dirname(db)} does not exist` : "this user may not write it";
  }
}
