import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Act, Cat } from "../../../model/actions.js";
import { type EventBatch, NO_GAP } from "../../../model/batch.js";
import { type BlockEvent, batchOf } from "../../../model/event.js";
import { parseFilefrag } from "../../../model/fileMap.js";
import type { Summary } from "../../../model/summary.js";
import { openRunWriter, openStore, SCHEMA_VERSION } from "../../../sinks/duckdb/index.js";

const dir = mkdtempSync(join(tmpdir(), "blkrx-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (time: number, sector: number, sectors: number, code = Act.ISSUE | Cat.READ): BlockEvent => ({
  device: { major: 7, minor: 0 },
  cpu: 1,
  sequence: time,
  time,
  pid: 42,
  action: "D",
  rwbs: "R",
  code,
  sector,
  sectors,
  bytes: sectors * 512,
  error: 0,
});

/** Three kept events with hand-made gaps and pieces (file map: 8 blocks of 4 KiB at device sector 1000). */
function analyzedBatch(): EventBatch {
  const base = batchOf([
    event(0, 1000, 8),
    event(10, 1008, 16),
    event(5_000_000_000, 1000, 8, Act.ISSUE | Cat.READ | Cat.AHEAD),
  ]);
  return {
    ...base,
    pieces: { first: Uint32Array.of(0, 1, 2, 3), start: Float64Array.of(0, 8, 0), sectors: Float64Array.of(8, 16, 8) },
    gaps: {
      physical: Float64Array.of(Number.NaN, 0, -24),
      physicalClass: Uint8Array.of(NO_GAP, 0, 4),
      logical: Float64Array.of(Number.NaN, 0, -24),
      logicalClass: Uint8Array.of(NO_GAP, 0, 4),
    },
    phase: Uint16Array.of(0, 0, 1),
  };
}

const FILEFRAG = `File size of /mnt/x is 32768 (8 blocks of 4096 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0..       7:        250..       257:      8:             last,eof
`;

const summary: Summary = {
  events: 3,
  readBytes: 32 * 512,
  uniqueBytes: 24 * 512,
  uniqueSectors: 24,
  fileBytes: 32768,
  fileSectors: 64,
  coverage: 24 / 64,
  extents: 1,
  gaps: {
    physical: { sequential: 1, small: 0, medium: 0, large: 0, backward: 1 },
    logical: { sequential: 1, small: 0, medium: 0, large: 0, backward: 1 },
  },
  durationNs: 5_000_000_000,
};

describe("openRunWriter", () => {
  const db = join(dir, "t.duckdb");

  it("round-trips a run: runs row, events with gaps, extents, views", async () => {
    const fileMap = parseFilefrag(FILEFRAG, { partitionStart: 0 });
    const writer = await openRunWriter(db, {
      label: "synthetic",
      commandLine: "blkrx analyze x",
      source: "file",
      fileMap,
      action: "D",
      rw: "read",
      small: 256,
      medium: 2048,
    });
    expect(writer.runId).toBe(1);
    writer.append(analyzedBatch());
    writer.appendRaw?.(batchOf([event(0, 1000, 8), event(3, 5, 0, Act.QUEUE | Cat.WRITE)]));
    expect(await writer.commit(summary, { wallSeconds: 1.5, tokens: 100, lockedBytes: 2 ** 34 })).toBe(1);

    const store = await openStore(db, { mustExist: true });
    const q = async (sql: string) => (await store.connection.runAndReadAll(sql)).getRowsJS();
    try {
      expect(
        await q(
          "select run_id, label, events, read_bytes, unique_bytes, coverage, extent_count, physical_backward, wall_seconds, tokens, locked_bytes, peak_rss_bytes, raw_events from runs",
        ),
      ).toEqual([[1, "synthetic", 3n, 16384n, 12288n, 0.375, 1, 1n, 1.5, 100n, 17179869184n, null, 2n]]);
      expect(
        await q(
          "select ordinal, time_ns, cpu, pid, action::varchar, rwbs::varchar, sector, sectors, file_sector, physical_gap, physical_class::varchar, logical_gap, logical_class::varchar, phase from events order by ordinal",
        ),
      ).toEqual([
        [0n, 0n, 1, 42, "D", "R", 1000n, 8, 0n, null, null, null, null, 0],
        [1n, 10n, 1, 42, "D", "R", 1008n, 16, 8n, 0n, "sequential", 0n, "sequential", 0],
        [2n, 5000000000n, 1, 42, "D", "RA", 1000n, 8, 0n, -24n, "backward", -24n, "backward", 1],
      ]);
      expect(await q("select action::varchar, rwbs::varchar, sectors, bytes from raw_events order by ordinal")).toEqual(
        [
          ["D", "R", 8, 4096],
          ["Q", "W", 0, 0],
        ],
      );
      expect(
        await q(
          "select logical_start, physical_start, length, device_start_sector, file_start_sector, sectors from extents",
        ),
      ).toEqual([[0n, 250n, 8n, 2000n, 0n, 64n]]);
      expect(await q("select space, class, count, percent from gap_distribution where run_id = 1")).toEqual([
        ["physical", "sequential", 1n, 50],
        ["physical", "small", 0n, 0],
        ["physical", "medium", 0n, 0],
        ["physical", "large", 0n, 0],
        ["physical", "backward", 1n, 50],
        ["logical", "sequential", 1n, 50],
        ["logical", "small", 0n, 0],
        ["logical", "medium", 0n, 0],
        ["logical", "large", 0n, 0],
        ["logical", "backward", 1n, 50],
      ]);
    } finally {
      store.close();
    }
  });

  it("abort leaves nothing of the run", async () => {
    const writer = await openRunWriter(db, {
      commandLine: "x",
      source: "live",
      action: "D",
      rw: "read",
      small: 256,
      medium: 2048,
    });
    expect(writer.runId).toBe(2);
    writer.append(analyzedBatch());
    await writer.abort();
    const store = await openStore(db);
    try {
      const rows = (await store.connection.runAndReadAll("select count(*) from events where run_id = 2")).getRowsJS();
      expect(rows).toEqual([[0n]]);
    } finally {
      store.close();
    }
  });

  it("stores batches longer than one chunk", async () => {
    const n = 5000;
    const events = Array.from({ length: n }, (_, i) => event(i, 8 * i, 8));
    const writer = await openRunWriter(db, {
      commandLine: "x",
      source: "file",
      action: "D",
      rw: "read",
      small: 256,
      medium: 2048,
    });
    writer.append(batchOf(events));
    await writer.commit({ ...summary, events: n, extents: null, fileBytes: null, fileSectors: null, coverage: null });
    const store = await openStore(db);
    try {
      const rows = (
        await store.connection.runAndReadAll(
          `select count(*), sum(sector), max(ordinal), count(file_sector), count(physical_class) from events where run_id = ${writer.runId}`,
        )
      ).getRowsJS();
      expect(rows).toEqual([[5000n, BigInt((8 * (n - 1) * n) / 2), 4999n, 0n, 0n]]);
    } finally {
      store.close();
    }
  });

  it("stores a run's warnings in run_warnings, in order; a run without warnings has none", async () => {
    const meta = { commandLine: "x", source: "file", action: "D", rw: "read", small: 256, medium: 2048 } as const;
    const plain = { ...summary, extents: null, fileBytes: null, fileSectors: null, coverage: null };
    const warned = await openRunWriter(db, meta);
    const warnedId = await warned.commit(plain, { warnings: ["first warning", "second: it's quoted"] });
    const quiet = await openRunWriter(db, meta);
    const quietId = await quiet.commit(plain);
    const store = await openStore(db);
    try {
      const rows = (
        await store.connection.runAndReadAll(
          "select run_id, ordinal, message from run_warnings order by run_id, ordinal",
        )
      ).getRowsJS();
      expect(rows).toEqual([
        [warnedId, 0, "first warning"],
        [warnedId, 1, "second: it's quoted"],
      ]);
      expect(rows.some((r) => r[0] === quietId)).toBe(false);
    } finally {
      store.close();
    }
  });

  it("a store written before run_warnings existed gains the table on open, its runs untouched", async () => {
    const old = join(dir, "before-warnings.duckdb");
    const store = await openStore(old);
    await store.connection.run("DROP TABLE run_warnings"); // what a store of the previous build looks like
    store.close();
    const reopened = await openStore(old);
    try {
      const rows = (await reopened.connection.runAndReadAll("select count(*) from run_warnings")).getRowsJS();
      expect(rows).toEqual([[0n]]);
      const version = (await reopened.connection.runAndReadAll("select max(version) from schema_version")).getRowsJS();
      expect(version).toEqual([[SCHEMA_VERSION]]);
    } finally {
      reopened.close();
    }
  });
});
