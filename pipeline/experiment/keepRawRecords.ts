import { type MonoTypeOperatorFunction, pipe, tap } from "rxjs";
import type { EventBatch } from "../../model/batch.js";
import type { TraceFile } from "../../sinks/traceFile.js";
import type { LiveStats } from "../../sources/liveFraming.js";
import type { CliStore } from "../openStoreForCli.js";
import { collectEvery, LIVE_COLLECT_ROWS } from "./leanMemory.js";

/**
 * The raw-record step of `blkrx live` and `blkrx run`, before any analysis:
 * every batch is stored raw (`store`, absent with --no-db) and written to
 * the --save-trace file (`saved`), each as it arrives, with a full garbage
 * collection every LIVE_COLLECT_ROWS events so memory stays flat. The
 * batches pass on unchanged.
 *
 * The saved file's times are the kernel's clock: `stats.firstRecordNs` is
 * read at each batch, since the live source sets it only once the first
 * record has been decoded (until then the base is 1 s).
 *
 * @example liveTrace({ device: "sda", tracer: "auto", stats }).pipe(keepRawRecords(stats, writer, saved), analyzeEvents())
 */
export function keepRawRecords(
  stats: Pick<LiveStats, "firstRecordNs">,
  store: Pick<CliStore, "appendRaw"> | undefined,
  saved: Pick<TraceFile, "write"> | undefined,
): MonoTypeOperatorFunction<EventBatch> {
  return pipe(
    collectEvery(LIVE_COLLECT_ROWS),
    tap((b) => {
      store?.appendRaw(b);
      saved?.write(b, BigInt(stats.firstRecordNs ?? 1e9));
    }),
  );
}
