import type { FileMap } from "../model/fileMap.js";
import type { Summary } from "../model/summary.js";
import type { RunSettings } from "./analyzeMany.js";

/** One analyzed input (or one device of it) as `analyze-many` stores it. */
export interface ManyRun {
  input: string;
  /** The device of a `--split-by device` run ("alibaba:419"). */
  device?: string;
  summary: Summary;
  /** Why nothing was kept, when nothing was (stored in run_warnings). */
  note?: string;
}

/** Where `analyze-many --db` puts its runs. */
export interface ManyRunStore {
  /** Store one run (its `runs` row, extents and note) and resolve to its id. */
  add(run: ManyRun): Promise<number>;
  /** The ids stored so far, in input order. */
  readonly runIds: readonly number[];
}

/**
 * The run store of `analyze-many --db PATH`: each input (each device with
 * --split-by device) becomes a run with its summary, analysis settings,
 * extents and notes, as `analyze` stores it, but without its events (those
 * stay in the worker that analyzed them; `analyze` stores them). The store is
 * opened once up front, so a path that cannot be written fails before any
 * analysis; runs are committed one after another as results arrive.
 *
 * @example const store = await openManyRunStore("runs.duckdb", settings); await store.add({ input: "a.bin", summary });
 */
export async function openManyRunStore(db: string, settings: RunSettings): Promise<ManyRunStore> {
  const { openRunWriter, openStore } = await import("../sinks/duckdb/index.js");
  (await openStore(db)).close(); // creates and migrates it, or says in one sentence why it cannot
  const commandLine = ["blkrx", ...process.argv.slice(2)].join(" ");
  const fileMap: FileMap | undefined = settings.fileMap;
  const runIds: number[] = [];
  return {
    runIds,
    async add(run) {
      const device = run.device ?? settings.deviceAsTyped;
      const writer = await openRunWriter(db, {
        commandLine,
        source: "file",
        label: run.device !== undefined ? `${run.input} ${run.device}` : run.input,
        ...(fileMap ? { fileMap } : {}),
        ...(fileMap?.path ? { filePath: fileMap.path } : {}),
        ...(device !== undefined ? { device } : {}),
        action: settings.action,
        rw: settings.rw,
        small: settings.small,
        medium: settings.medium,
      });
      const runId = await writer.commit(run.summary, run.note !== undefined ? { warnings: [run.note] } : {});
      runIds.push(runId);
      return runId;
    },
  };
}
