import type { DuckDBConnection } from "@duckdb/node-api";
import type { TensorAttribution } from "../../model/tensorAttribution.js";

/**
 * `tensors` (one row per region of the GGUF file of `analyze --gguf`, in
 * file order, with its reads: spec v2's `tensors` entries) and
 * `tensor_transitions` (spec v2's `backward` entries). Created when missing
 * on every open, like run_warnings: additive, so an older blkrx opens such
 * a store unchanged. Both have `run_id`, so `runs --delete` and the orphan
 * check find them in the catalog. Column names avoid SQL keywords
 * (`group` → group_name, `offset` → offset_bytes, `from`/`to` → from_region/to_region).
 */
export const TENSOR_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS tensors (
    run_id INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    layer INTEGER,
    group_name VARCHAR NOT NULL,
    offset_bytes BIGINT,
    bytes BIGINT NOT NULL,
    read_bytes BIGINT NOT NULL,
    unique_bytes BIGINT NOT NULL,
    first_read_ns BIGINT
  )`,
  `CREATE TABLE IF NOT EXISTS tensor_transitions (
    run_id INTEGER NOT NULL,
    from_region VARCHAR NOT NULL,
    to_region VARCHAR NOT NULL,
    count BIGINT NOT NULL
  )`,
];

/** Rows per INSERT statement (a few hundred regions make one or two statements). */
const ROWS_PER_INSERT = 200;

/**
 * Store the attribution of run `runId` (inside the run's transaction).
 *
 * @example await insertTensorRows(connection, 3, { tensors, backward });
 */
export async function insertTensorRows(
  connection: DuckDBConnection,
  runId: number,
  attribution: TensorAttribution,
): Promise<void> {
  const regions = attribution.tensors.map((t, ordinal) => [
    runId,
    ordinal,
    t.name,
    t.layer,
    t.group,
    t.offset,
    t.bytes,
    t.readBytes,
    t.uniqueBytes,
    t.firstReadNs,
  ]);
  await insertRows(connection, "tensors", regions);
  const transitions = attribution.backward.map((b) => [runId, b.from, b.to, b.count]);
  await insertRows(connection, "tensor_transitions", transitions);
}

type Value = string | number | null;

async function insertRows(connection: DuckDBConnection, table: string, rows: Value[][]): Promise<void> {
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    const chunk = rows.slice(at, at + ROWS_PER_INSERT);
    const width = chunk[0]?.length ?? 0;
    const tuples = chunk.map(
      (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(", ")})`,
    );
    await connection.run(`INSERT INTO ${table} VALUES ${tuples.join(", ")}`, chunk.flat());
  }
}
