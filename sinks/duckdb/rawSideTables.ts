import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import { type EventBatch, payloadOf } from "../../model/batch.js";

/**
 * `raw_payloads` and `process_names`: what a raw event carries besides its
 * columns, so a stored run prints back exactly as blkparse prints the trace
 * (`blkrx cat --run`): the payload of the raw events that have one (unplug
 * depth, split sector, remap source, message text) and the process names
 * the trace announced. Created when missing on every open, like
 * `run_warnings`: an older blkrx ignores them, and a run stored without
 * them prints `(null)` for names and no payload.
 */
export const RAW_SIDE_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS raw_payloads (
    run_id INTEGER NOT NULL,
    ordinal BIGINT NOT NULL,
    payload BLOB NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS process_names (
    run_id INTEGER NOT NULL,
    pid UINTEGER NOT NULL,
    name VARCHAR NOT NULL
  )`,
];

/**
 * Appends the payloads of raw events (one row per event that has one: few,
 * so value by value) and collects process names until the run commits.
 *
 * @example const side = new RawSideRows(appender, 3); side.add(batch, 0); await side.commitNames(connection);
 */
export class RawSideRows {
  private readonly names = new Map<number, string>();

  constructor(
    readonly appender: DuckDBAppender,
    private readonly runId: number,
  ) {}

  /** Store the payloads and names of `batch`, whose first row has ordinal `ordinal`. */
  add(batch: EventBatch, ordinal: number): void {
    for (const [pid, name] of batch.names ?? []) this.names.set(pid, name);
    const p = batch.payload;
    if (!p) return;
    for (let i = 0; i < batch.length; i++) {
      if ((p.length[i] as number) === 0) continue;
      this.appender.appendInteger(this.runId);
      this.appender.appendBigInt(BigInt(ordinal + i));
      this.appender.appendBlob(payloadOf(batch, i));
      this.appender.endRow();
    }
  }

  /** Insert the collected process names (inside the run's transaction). */
  async insertNames(connection: DuckDBConnection): Promise<void> {
    for (const [pid, name] of this.names) {
      await connection.run("INSERT INTO process_names VALUES ($1, $2, $3)", [this.runId, pid, name]);
    }
  }
}
