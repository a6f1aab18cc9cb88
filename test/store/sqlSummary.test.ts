import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analysisSettings } from "../../model/analysisSettings.js";
import type { EventBatch } from "../../model/batch.js";
import { parseFilefrag } from "../../model/fileMap.js";
import type { Summary } from "../../model/summary.js";
import { exportParquet } from "../../sinks/duckdb/exportParquet.js";
import { openRunWriter, openStore } from "../../sinks/duckdb/index.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { traceBatches } from "../../sources/fromTrace.js";
import { CASES, type FixtureCase } from "../helpers/cases.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { summaryOfRow } from "../helpers/summaryRow.js";

const SUMMARY_SQL = readFileSync(new URL("../../sql/summary.sql", import.meta.url), "utf8");

/** The cases of cases.json, with `expected` typed as the summary it is. */
type Case = Omit<FixtureCase, "expected"> & { expected: Summary };
const cases = CASES as unknown as Case[];

/** Binary inputs through BinaryDecoder (input order); text formats through the sources' own replay. */
async function decode(file: string): Promise<EventBatch[]> {
  if (file.endsWith(".bin")) {
    const decoder = new BinaryDecoder({ file });
    return [...decoder.push(readFileSync(join(FIXTURES, file))), ...decoder.end()];
  }
  const out: EventBatch[] = [];
  for await (const batch of traceBatches([join(FIXTURES, file)])) out.push(batch);
  return out;
}

const EMPTY: Summary = {
  events: 0,
  readBytes: 0,
  uniqueBytes: 0,
  uniqueSectors: 0,
  fileBytes: null,
  fileSectors: null,
  coverage: null,
  extents: null,
  gaps: {
    physical: { sequential: 0, small: 0, medium: 0, large: 0, backward: 0 },
    logical: { sequential: 0, small: 0, medium: 0, large: 0, backward: 0 },
  },
};

const dir = mkdtempSync(join(tmpdir(), "blkrx-sql-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The summary.sql row of each run, keyed by run id, computed over the exported Parquet. */
const computed = new Map<number, Record<string, unknown>>();
const runOf = new Map<string, number>();

beforeAll(async () => {
  const db = join(dir, "cases.duckdb");
  for (const c of cases) {
    const o = c.options;
    const fileMap = o.extents
      ? parseFilefrag(readFileSync(join(FIXTURES, o.extents), "utf8"), {
          partitionStart: o.partitionStart ?? 0,
          ...(o.fileSize !== undefined ? { fileSize: o.fileSize } : {}),
        })
      : undefined;
    const writer = await openRunWriter(db, {
      label: c.name,
      commandLine: `test ${c.name}`,
      source: "file",
      ...(fileMap ? { fileMap } : {}),
      ...analysisSettings(o),
    });
    for (const input of c.inputs) for (const batch of await decode(input)) writer.appendRaw?.(batch);
    // The stored summary is deliberately empty: summary.sql must not read it.
    runOf.set(c.name, await writer.commit({ ...EMPTY, fileBytes: fileMap?.fileSize ?? null }));
  }
  const store = await openStore(db);
  const out = join(dir, "parquet");
  try {
    await exportParquet(store, out);
  } finally {
    store.close();
  }
  const instance = await DuckDBInstance.create(":memory:");
  const con = await instance.connect();
  await con.run(`CREATE VIEW runs AS SELECT * FROM read_parquet('${out}/runs.parquet')`);
  await con.run(`CREATE VIEW extents AS SELECT * FROM read_parquet('${out}/extents.parquet')`);
  await con.run(
    `CREATE VIEW raw_events AS SELECT * FROM read_parquet('${out}/raw_events/**/*.parquet', hive_partitioning = true)`,
  );
  const reader = await con.runAndReadAll(SUMMARY_SQL);
  for (const row of reader.getRowObjectsJS()) computed.set(Number(row.run_id), row);
  con.closeSync();
  instance.closeSync();
}, 120_000);

describe("sql/summary.sql over exported raw-event Parquet", () => {
  it("covers every fixture case", () => {
    expect(computed.size).toBe(cases.length);
    expect(cases.length).toBe(20);
  });
  for (const c of cases) {
    it(`reproduces ${c.name}`, () => {
      const row = computed.get(runOf.get(c.name) ?? -1);
      expect(row).toBeDefined();
      expect(summaryOfRow(row ?? {})).toEqual(c.expected);
    });
  }
});
