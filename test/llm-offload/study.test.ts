import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { liveSkipReason, takeLiveTestTurn } from "../live/loopDisk.js";

/**
 * Acceptance of issue 15 at ci size: examples/llm-offload/study.mjs runs real llama.cpp (node-llama-cpp from the
 * example's own package) on a ~108 MB synthetic model on a loop disk under `blkrx run`, and the stored runs answer.
 * Needs root, loop devices, tracefs (takes the live tests' turn) and `npm ci` in examples/llm-offload.
 */
const EXAMPLE = join(ROOT, "examples/llm-offload");

function skipReason(): string | undefined {
  const live = liveSkipReason();
  if (live) return live;
  if (!existsSync(join(EXAMPLE, "node_modules/node-llama-cpp/package.json"))) {
    return "node-llama-cpp is not installed in examples/llm-offload (run npm ci there)";
  }
  return undefined;
}
const reason = skipReason();
if (reason) process.stderr.write(`test/llm-offload/study.test.ts skipped: ${reason}\n`);

type Row = Record<string, unknown>;

describe.skipIf(reason !== undefined)("the LLM offloading study, ci size", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-study-"));
  const db = join(dir, "study.duckdb");
  const report = join(dir, "report.md");
  let rows: Row[] = [];
  let lines = new Map<number, { lines: number; backward: number }>();
  let endTurn: () => void = () => {};

  beforeAll(async () => {
    endTurn = await takeLiveTestTurn();
    const r = await execa(
      process.execPath,
      [
        "study.mjs",
        "--size",
        "ci",
        "--only",
        "baseline,memory,layout,order",
        "--db",
        db,
        "--report",
        report,
        "--work-dir",
        join(dir, "work"),
      ],
      { cwd: EXAMPLE, reject: false, timeout: 10 * 60_000, all: true },
    );
    expect(r.exitCode, r.all?.slice(-4000)).toBe(0);
    const instance = await DuckDBInstance.create(db);
    const c = await instance.connect();
    const read = async (sql: string): Promise<Row[]> =>
      (await c.runAndReadAll(sql))
        .getRowObjectsJS()
        .map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
    rows = await read(
      `SELECT s.*, r.coverage, r.events, r.physical_large, r.physical_backward, r.logical_large, r.logical_backward,
         CAST(json_extract(s.runner_json, '$.memory.baseline.rss') AS BIGINT) AS baseline_rss
       FROM study_runs s JOIN runs r USING (run_id)`,
    );
    // Every-line counting: all raw read records inside the file's sectors, in arrival order.
    const counted = await read(
      `WITH r AS (SELECT e.run_id, e.ordinal, e.sector, e.sectors FROM raw_events e
         WHERE CAST(e.rwbs AS VARCHAR) LIKE '%R%' AND EXISTS (SELECT 1 FROM extents x WHERE x.run_id = e.run_id
           AND e.sector < x.device_start_sector + x.sectors AND e.sector + greatest(e.sectors, 1) > x.device_start_sector)),
       g AS (SELECT run_id, sector - lag(sector + sectors) OVER (PARTITION BY run_id ORDER BY ordinal) AS gap FROM r)
       SELECT run_id, count(*) AS lines, count(*) FILTER (WHERE gap < 0) AS backward FROM g GROUP BY run_id`,
    );
    lines = new Map(
      counted.map((x) => [x.run_id as number, { lines: x.lines as number, backward: x.backward as number }]),
    );
    c.closeSync();
    instance.closeSync();
  }, 11 * 60_000);
  afterAll(() => {
    // The measured numbers behind each line, for the CI log (the store and report are removed with the folder).
    const pick = (pred: (r: Row) => boolean): Row | undefined => rows.find(pred);
    const b = pick((r) => r.varied === "baseline");
    const q = pick((r) => r.varied === "memory" && r.mechanism === "cgroup" && r.memory_factor === 0.5);
    const e = pick((r) => r.varied === "order" && r.memory_factor === 0.5);
    const f = pick((r) => r.varied === "layout");
    const inLayer = (r: Row | undefined): string => {
      const a = r?.attribution_json ? JSON.parse(String(r.attribution_json)).inference : null;
      return a ? `${a.inLayerBackward} of ${a.backwardTotal}` : "-";
    };
    process.stderr.write(
      `study.test.ts measured: ${rows.length} runs; baseline coverage ${b?.coverage}, load coverage ${b?.load_coverage}; ` +
        `0.5x cgroup inference read ${q?.infer_read_bytes} B; fragmented (${f?.extent_runs} runs) physical large+backward ` +
        `${Number(f?.physical_large) + Number(f?.physical_backward)} vs logical ${Number(f?.logical_large) + Number(f?.logical_backward)}; ` +
        `in-layer backward at 0.5x quantize ${inLayer(q)} vs eval ${inLayer(e)}; every-line backward ` +
        `${lines.get(b?.run_id as number)?.backward} vs D ${b?.physical_backward}; lock runs ` +
        `${rows
          .filter((r) => r.mechanism === "lock")
          .map(
            (r) =>
              `${r.memory_factor}x infer ${r.infer_read_bytes} B, parent ${r.parent_max_usage}/${r.parent_limit_bytes}`,
          )
          .join(", ")}; ` +
        `breakdown ${b?.breakdown_bytes} / peak ${b?.rss_at_peak} = ${b?.breakdown_ratio} (${breakdownParts(b)}); ` +
        `KV ${b?.kv_bytes} vs formula ${b?.kv_formula_bytes}\n`,
    );
    endTurn();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The breakdown's parts in MiB, so a failing sum says which part moved. */
  const breakdownParts = (r: Row | undefined): string =>
    r?.breakdown_json
      ? (JSON.parse(String(r.breakdown_json)) as { parts: { part: string; bytes: number }[] }).parts
          .map((p) => `${p.part} ${(p.bytes / 2 ** 20).toFixed(1)}`)
          .join(", ")
      : "none";

  const run = (pred: (r: Row) => boolean): Row => {
    const found = rows.find(pred);
    if (!found) throw new Error(`no such stored run among ${rows.length}`);
    return found;
  };
  const baseline = (): Row => run((r) => r.varied === "baseline");
  const attribution = (r: Row): { inference: Attr | null; all: Attr | null } => JSON.parse(String(r.attribution_json));
  interface Attr {
    readBytes: number;
    regionReadSum: number;
    inLayerBackward: number;
    backwardTotal: number;
  }

  it("contiguous copy: coverage 100 %, the load phase covers ≥ 99 % of the file", () => {
    const b = baseline();
    expect(b.extent_runs).toBeLessThanOrEqual(3);
    expect(b.coverage).toBeGreaterThanOrEqual(0.9999);
    expect(b.load_coverage).toBeGreaterThanOrEqual(0.99);
  });

  it("0.5× memory: the inference phase reads > 0 bytes and its per-tensor bytes add up to its readBytes", () => {
    const low = run((r) => r.varied === "memory" && r.mechanism === "cgroup" && r.memory_factor === 0.5);
    expect(low.infer_read_bytes).toBeGreaterThan(0);
    const a = attribution(low).inference;
    expect(a?.readBytes).toBe(low.infer_read_bytes);
    expect(a?.regionReadSum).toBe(a?.readBytes);
  });

  it("fragmented copy: more large + backward physical gaps than logical ones", () => {
    const f = run((r) => r.varied === "layout");
    expect(f.extent_runs).toBeGreaterThanOrEqual(10);
    expect((f.physical_large as number) + (f.physical_backward as number)).toBeGreaterThan(
      (f.logical_large as number) + (f.logical_backward as number),
    );
  });

  // Compared where inference reads most: the inference phases at 0.5× memory (cgroup). At 0.8× the whole run had
  // ~10 backward transitions and the comparison flipped between runs (6 vs 1, then 2 vs 4). Issue 15 accepts either
  // the difference or the report's explanation with numbers (repacked weights are not read from the mapping).
  it("quantize order has backward transitions inside layers that the eval order lacks, or the report says why", () => {
    const low = (order: string): Row =>
      run(
        (r) =>
          r.file_order === order && r.mechanism === "cgroup" && r.memory_factor === 0.5 && r.layout === "contiguous",
      );
    const q = attribution(low("quantize")).inference;
    const e = attribution(low("eval")).inference;
    expect(q).not.toBeNull();
    expect(e).not.toBeNull();
    if ((q?.inLayerBackward ?? 0) > (e?.inLayerBackward ?? 0)) return;
    const text = readFileSync(report, "utf8");
    expect(text).toContain(
      `inference phase at 0.5× memory: quantize order ${q?.inLayerBackward} of ${q?.backwardTotal}, eval order ${e?.inLayerBackward} of ${e?.backwardTotal}`,
    );
    expect(text).toMatch(
      /does not have fewer in-layer backward transitions here, and the numbers say why: llama\.cpp repacked \d/,
    );
  });

  it("every-line counting gives more backward gaps than one action per I/O", () => {
    const b = baseline();
    expect(lines.get(b.run_id as number)?.backward).toBeGreaterThan(b.physical_backward as number);
  });

  it("both pressure mechanisms appear side by side, the lock (safe variant) in a parent cgroup with the workload", () => {
    for (const mechanism of ["cgroup", "lock"]) {
      expect(rows.filter((r) => r.mechanism === mechanism).map((r) => r.memory_factor)).toEqual(
        expect.arrayContaining([0.5, 0.8, 1.5]),
      );
    }
    for (const r of rows.filter((x) => x.mechanism === "lock")) {
      // The parent holds helper + workload: limit = target + lock, never more used than that.
      expect(r.parent_limit_bytes).toBe(Number(r.target_bytes) + Number(r.lock_bytes));
      expect(Number(r.parent_max_usage)).toBeGreaterThan(Number(r.lock_bytes));
      expect(Number(r.parent_max_usage)).toBeLessThanOrEqual(Number(r.parent_limit_bytes));
    }
    // The lock creates pressure: at 0.5× inference re-reads evicted model pages under either mechanism.
    for (const mechanism of ["cgroup", "lock"]) {
      expect(
        run((r) => r.varied === "memory" && r.mechanism === mechanism && r.memory_factor === 0.5).infer_read_bytes,
      ).toBeGreaterThan(0);
    }
    const text = readFileSync(report, "utf8");
    expect(text).toMatch(/\| memory: cgroup 0\.5× \|/);
    expect(text).toMatch(/\| memory: lock 0\.5× \|/);
  });

  it("the KV cache size from the formula equals llama.cpp's own", () => {
    const b = baseline();
    expect(b.kv_bytes).toBe(b.kv_formula_bytes);
    expect(b.kv_bytes).toBeGreaterThan(0);
  });

  // The breakdown is what was measured at the peak RSS sample (examples/llm-offload/breakdown.mjs): the runtime's RSS
  // with llama.cpp's libraries before the model, the model mapping's Rss, the JS heap's growth, and each llama.cpp
  // buffer by the resident bytes of its own mapping (the reserved compute buffer is mostly untouched) or its size.
  it("the memory breakdown sums to the measured peak within 10 %", () => {
    const b = baseline();
    const d = JSON.parse(String(b.breakdown_json)) as {
      parts: { part: string; bytes: number }[];
      sum: number;
      peak: number;
    };
    expect(d.parts.reduce((s, p) => s + p.bytes, 0)).toBe(d.sum);
    expect(d.peak).toBe(b.rss_at_peak);
    expect(d.parts.find((p) => p.part === "model pages (mapping)")?.bytes).toBe(b.file_mapped_at_peak);
    expect(Math.abs(d.sum - d.peak) / d.peak).toBeLessThanOrEqual(0.1);
  });

  it("the report states blkrx's own peak RSS for every run", () => {
    for (const r of rows) expect(Number(r.blkrx_peak_rss)).toBeGreaterThan(0);
    expect(readFileSync(report, "utf8")).toMatch(/blkrx peak RSS MiB/);
  });
});
