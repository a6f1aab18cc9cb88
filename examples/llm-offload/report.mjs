// report.md from the store: every table is a query over study_runs joined with blkrx run's runs/raw_events.
import { writeFileSync } from "node:fs";
import { query, withStudyStore } from "./store.mjs";

const MIB = 2 ** 20;

/**
 * Write the study's report for one sweep (or the latest when sweepId is undefined).
 *
 * @example await writeReport({ db: "study.duckdb", out: "report-ci.md", wallSeconds: 600, command: "study.mjs --size ci" })
 */
export async function writeReport({ db, out, sweepId, wallSeconds, command }) {
  const text = await withStudyStore(db, async (c) => {
    const id = sweepId ?? (await query(c, "SELECT max(sweep_id) AS id FROM study_runs"))[0]?.id;
    const hasRuns =
      (await query(c, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'runs'"))[0].n > 0;
    const rows = await query(
      c,
      hasRuns
        ? `SELECT s.*, r.events, r.read_bytes, r.unique_bytes, r.coverage, r.file_bytes, r.dropped,
             r.physical_sequential, r.physical_small, r.physical_medium, r.physical_large, r.physical_backward,
             r.logical_sequential, r.logical_small, r.logical_medium, r.logical_large, r.logical_backward
           FROM study_runs s LEFT JOIN runs r USING (run_id) WHERE s.sweep_id = '${id}' ORDER BY s.repeat, s.run_id NULLS LAST`
        : `SELECT * FROM study_runs WHERE sweep_id = '${id}' ORDER BY repeat`,
    );
    const lines = hasRuns ? await everyLineCounts(c, rows) : new Map();
    return render({ rows, lines, wallSeconds, command, id });
  });
  writeFileSync(out, text);
}

/**
 * Every-line counting: all raw read records (Q, G, I, D, C...) inside the file's sectors, in arrival order, with
 * the spec's backward test (start < previous end), beside one action per I/O (runs' own D-based counts).
 */
async function everyLineCounts(c, rows) {
  const ids = rows.map((r) => r.run_id).filter((x) => x !== null);
  if (ids.length === 0) return new Map();
  const result = await query(
    c,
    `WITH r AS (
       SELECT e.run_id, e.ordinal, e.sector, e.sectors FROM raw_events e
       WHERE e.run_id IN (${ids.join(",")}) AND CAST(e.rwbs AS VARCHAR) LIKE '%R%'
         AND EXISTS (SELECT 1 FROM extents x WHERE x.run_id = e.run_id
           AND e.sector < x.device_start_sector + x.sectors AND e.sector + greatest(e.sectors, 1) > x.device_start_sector)),
     g AS (SELECT run_id, sector - lag(sector + sectors) OVER (PARTITION BY run_id ORDER BY ordinal) AS gap FROM r)
     SELECT run_id, count(*) AS lines, count(*) FILTER (WHERE gap < 0) AS backward FROM g GROUP BY run_id`,
  );
  return new Map(result.map((r) => [r.run_id, r]));
}

function render({ rows, lines, wallSeconds, command, id }) {
  const out = [];
  const first = rows[0];
  out.push(`# LLM offloading study: ${first?.size ?? "?"} size`, "");
  out.push(
    `Sweep ${id}: ${rows.length} runs, whole sweep ${wallSeconds ? `${wallSeconds.toFixed(0)} s` : "?"} wall time.`,
  );
  out.push(`Command: \`node ${command ?? "examples/llm-offload/study.mjs"}\``, "");
  if (first) {
    out.push(
      `Model: ${fmtInt(first.model_bytes)} bytes, ${first.n_layer} layers × ${first.n_embd}, Q4_K_M mix (\`blkrx gguf synth\`), context ${first.context}; loop device direct I/O ${first.direct_io ? "on" : "off"}.`,
      "",
    );
  }
  out.push("## Configuration", "");
  out.push(
    table(
      [
        "run",
        "varied",
        "layout",
        "order",
        "extents",
        "mechanism",
        "memory",
        "limit / lock",
        "threads",
        "tokens",
        "mmap",
        "exit",
      ],
      rows.map((r) => [
        r.run_id ?? "-",
        varied(r),
        r.layout,
        r.file_order,
        r.extents,
        r.mechanism,
        `${r.memory_factor}×`,
        r.mechanism === "cgroup"
          ? `limit ${mib(r.limit_bytes)}`
          : `lock ${mib(r.lock_bytes)} (avail ${mib(r.available_before_lock)})`,
        r.threads,
        r.tokens,
        r.mmap ? "mmap" : "no-mmap",
        r.exit_code,
      ]),
    ),
  );
  out.push(
    "",
    "Memory targets are `factor × model bytes + the runner's anonymous memory` (one untraced calibration run without a limit), so the factor is the share of the model's pages that fit. `--lock` locks MemAvailable − target − a floor (`--floor`, default 4 GiB; this machine is shared), so target + floor stays free; the table shows the lock and the MemAvailable it was computed from.",
    "",
  );
  out.push("## Time, reads, coverage", "");
  out.push(
    table(
      [
        "run",
        "varied",
        "wall s",
        "load s",
        "gen tok/s",
        "read MiB",
        "unique MiB",
        "coverage %",
        "load cov %",
        "infer read MiB",
        "phys back %",
        "log back %",
        "cache Δ MiB",
        "blkrx peak RSS MiB",
        "dropped",
      ],
      rows.map((r) => [
        r.run_id ?? "-",
        varied(r),
        fix(r.wall_seconds, 1),
        fix(r.load_seconds, 1),
        fix(r.generate_tokens_per_second, 2),
        mib(r.read_bytes),
        mib(r.unique_bytes),
        pct(r.coverage),
        pct(r.load_coverage),
        mib(r.infer_read_bytes),
        pct(share(r.physical_backward, r.events)),
        pct(share(r.logical_backward, r.events)),
        mib(r.page_cache_delta),
        mib(r.blkrx_peak_rss),
        r.dropped ?? "-",
      ]),
    ),
  );
  out.push("", "## Gap distributions (one action per I/O: D)", "");
  const classes = ["sequential", "small", "medium", "large", "backward"];
  out.push(
    table(
      ["run", "varied", ...classes.map((k) => `phys ${k}`), ...classes.map((k) => `log ${k}`)],
      rows.map((r) => [
        r.run_id ?? "-",
        varied(r),
        ...classes.map((k) => r[`physical_${k}`] ?? "-"),
        ...classes.map((k) => r[`logical_${k}`] ?? "-"),
      ]),
    ),
  );
  out.push("", "## Counting: every blkparse line vs one action per I/O", "");
  out.push(
    table(
      ["run", "varied", "read lines (all actions)", "backward (every line)", "D events", "backward (D, physical)"],
      rows.map((r) => {
        const l = lines.get(r.run_id);
        return [
          r.run_id ?? "-",
          varied(r),
          l?.lines ?? "-",
          l?.backward ?? "-",
          r.events ?? "-",
          r.physical_backward ?? "-",
        ];
      }),
    ),
  );
  out.push("", "## Memory accounting (peaks sampled every 100 ms; llama.cpp's own buffer sizes from its log)", "");
  out.push(
    table(
      [
        "run",
        "varied",
        "mapped buf",
        "repack",
        "CPU copy",
        "KV (log)",
        "KV (formula)",
        "compute",
        "peak RSS",
        "file-mapped @peak",
        "anon @peak",
        "baseline RSS",
        "breakdown",
        "breakdown / peak",
        "cg max usage",
        "cg cache peak",
        "cg refaults",
        "maj faults",
      ],
      rows.map((r) => {
        const b = breakdown(r);
        return [
          r.run_id ?? "-",
          varied(r),
          mib(r.mapped_buffer),
          mib(r.repack_buffer),
          mib(r.model_cpu_buffer),
          mib(r.kv_bytes),
          mib(r.kv_formula_bytes),
          mib(r.compute_buffer),
          mib(r.rss_at_peak),
          mib(r.file_mapped_at_peak),
          mib(r.anon_at_peak),
          mib(b?.baseline),
          mib(b?.sum),
          b ? `${((100 * b.sum) / r.rss_at_peak).toFixed(1)} %` : "-",
          ...(r.mechanism === "cgroup"
            ? [mib(r.cg_max_usage), mib(r.cg_cache_peak), r.cg_workingset_refault ?? "-", r.cg_pgmajfault ?? "-"]
            : ["(no own cgroup)", "-", "-", "-"]),
        ];
      }),
    ),
  );
  out.push(
    "",
    "breakdown = model pages resident in the mapping at peak (file-mapped) + CPU_REPACK + the --no-mmap CPU copy + KV + compute + output buffers + the runner's RSS before llama.cpp was loaded (baseline).",
    "",
  );
  out.push(...answers(rows, lines));
  return `${out.join("\n")}\n`;
}

/** The memory breakdown of a run's peak, from llama.cpp's own sizes plus what was resident and the baseline. */
function breakdown(r) {
  if (!r.runner_json || !r.rss_at_peak) return undefined;
  const s = JSON.parse(r.runner_json);
  const baseline = s.memory?.baseline?.rss ?? 0;
  const baselineAnon = s.memory?.baseline?.anon ?? 0;
  const llamaAnon =
    (r.repack_buffer ?? 0) +
    (r.model_cpu_buffer ?? 0) +
    (r.kv_bytes ?? 0) +
    (r.compute_buffer ?? 0) +
    (r.output_buffer ?? 0);
  const sum =
    (r.file_mapped_at_peak ?? 0) +
    (r.repack_buffer ?? 0) +
    (r.model_cpu_buffer ?? 0) +
    (r.kv_bytes ?? 0) +
    (r.compute_buffer ?? 0) +
    (r.output_buffer ?? 0) +
    baseline;
  return { baseline, sum, baselineAnon, llamaAnon };
}

function answers(rows, lines) {
  const out = ["## The four questions", ""];
  const find = (varied, pred = () => true) => rows.find((r) => r.varied === varied && pred(r));
  const base = find("baseline");
  const low = find("memory", (r) => r.mechanism === "cgroup" && r.memory_factor === 0.5);
  out.push("### (a) Does 100 % coverage mean the whole file is read at load?", "");
  if (base?.load_coverage != null) {
    out.push(
      `In the baseline run (${base.memory_factor}× memory by cgroup) the load phase read ${pct(base.load_coverage)} % of the file (${mib(base.load_unique_bytes)} MiB unique) before the first token and inference read ${mib(base.infer_read_bytes)} MiB more; at 0.5× memory inference read ${mib(low?.infer_read_bytes)} MiB (${pct(share(low?.infer_read_bytes, low?.model_bytes))} % of the file) again. ${base.load_coverage >= 0.99 ? "So coverage is complete at load (MAP_POPULATE), and what inference reads under pressure is re-reading evicted pages." : "So load does not read the whole file here."}`,
    );
  } else
    out.push("No traced phases in this sweep (blkrx run did not store the run), so this cannot be answered from it.");
  out.push("", "### (b) Where do the backward seeks come from?", "");
  const frag = find("layout");
  const evalOrder = find("order");
  const t1 = find("threads");
  const l = base ? lines.get(base.run_id) : undefined;
  if (base?.events != null) {
    out.push(
      `Counting: every read line gives ${l?.backward ?? "?"} backward of ${l?.lines ?? "?"} (${pct(share(l?.backward, l?.lines))} %) vs ${base.physical_backward} of ${base.events} D events (${pct(share(base.physical_backward, base.events))} %). ` +
        `Fragmentation: the fragmented copy (${frag?.extents ?? "?"} extents) has ${frag?.physical_backward ?? "?"} physical vs ${frag?.logical_backward ?? "?"} logical backward gaps and ${frag?.physical_large ?? "?"} vs ${frag?.logical_large ?? "?"} large ones. ` +
        `File order: logical backward ${pct(share(base.logical_backward, base.events))} % (quantize order) vs ${pct(share(evalOrder?.logical_backward, evalOrder?.events))} % (eval order). ` +
        `Threads: ${pct(share(t1?.logical_backward, t1?.events))} % with 1 thread vs ${pct(share(base.logical_backward, base.events))} % with 2.`,
    );
  } else out.push("No traced runs in this sweep.");
  out.push("", "### (c) Which tensors are read when, and which step seeks backward?", "");
  out.push(...tensorSection(rows));
  out.push("", "### (d) Why does the model need more RAM than its size?", "");
  const b = base ? breakdown(base) : undefined;
  if (base && b) {
    out.push(
      `Peak RSS of the baseline runner was ${mib(base.rss_at_peak)} MiB for a ${mib(base.model_bytes)} MiB model: ${mib(base.file_mapped_at_peak)} MiB of mapped model pages, ${mib(base.repack_buffer)} MiB repacked weights (anonymous copies), ${mib(base.kv_bytes)} MiB KV cache (formula 2 × ${base.n_layer} × ${base.context} × n_embd_kv × 2 = ${mib(base.kv_formula_bytes)} MiB: ${base.kv_bytes === base.kv_formula_bytes ? "equal" : "different"}), ${mib(base.compute_buffer)} MiB compute buffer and ${mib(b.baseline)} MiB of runtime before loading: ${mib(b.sum)} MiB, ${((100 * b.sum) / base.rss_at_peak).toFixed(1)} % of the peak. Anonymous memory at the peak was ${mib(base.anon_at_peak)} MiB against ${mib(b.llamaAnon)} MiB of anonymous buffers llama.cpp reported plus ${mib(b.baselineAnon)} MiB anonymous before loading (reserved buffers need not be touched in full).`,
    );
  } else out.push("No runner statistics in this sweep.");
  return out;
}

/** Per-layer × group reads of the low-memory run's inference phase, in-layer backward transitions by order. */
function tensorSection(rows) {
  const attr = (r) => (r?.attribution_json ? JSON.parse(r.attribution_json) : null);
  const low = rows.find((r) => r.varied === "memory" && r.mechanism === "cgroup" && r.memory_factor === 0.5);
  const base = rows.find((r) => r.varied === "baseline");
  const evalRun = rows.find((r) => r.varied === "order");
  const a = attr(low)?.inference;
  if (!a) return ["No tensor attribution stored for the 0.5× cgroup run (not traced, or no inference-phase reads)."];
  const out = [];
  const groups = [...new Set(a.tensors.map((t) => t.group))];
  const layers = [...new Set(a.tensors.map((t) => t.layer ?? -1))].sort((x, y) => x - y);
  out.push(
    `Inference phase of run ${low.run_id} (0.5× cgroup): ${mib(a.readBytes)} MiB read, regions add up to ${mib(a.regionReadSum)} MiB (${a.readBytes === a.regionReadSum ? "equal" : "different"}). MiB read per layer × group (-1: tensors outside layers):`,
    "",
  );
  out.push(
    table(
      ["layer", ...groups],
      layers.map((l) => [
        l,
        ...groups.map((g) =>
          mib(a.tensors.filter((t) => (t.layer ?? -1) === l && t.group === g).reduce((s, t) => s + t.readBytes, 0)),
        ),
      ]),
    ),
  );
  out.push("", "Top backward transitions (inference phase):", "");
  out.push(
    table(
      ["from", "to", "count"],
      a.backward.slice(0, 10).map((b) => [b.from, b.to, b.count]),
    ),
  );
  const q = attr(base)?.all;
  const e = attr(evalRun)?.all;
  out.push(
    "",
    `Backward transitions inside a layer (whole run): quantize order ${q?.inLayerBackward ?? "-"} of ${q?.backwardTotal ?? "-"}, eval order ${e?.inLayerBackward ?? "-"} of ${e?.backwardTotal ?? "-"}.`,
  );
  return out;
}

function table(head, body) {
  const esc = (v) => String(v ?? "-").replaceAll("|", "\\|");
  return [
    `| ${head.map(esc).join(" | ")} |`,
    `|${head.map(() => " --- ").join("|")}|`,
    ...body.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}
function share(n, d) {
  return n == null || !d ? null : n / Math.max(1, d);
}
function pct(x) {
  return x == null ? "-" : (100 * x).toFixed(1);
}
function mib(x) {
  return x == null ? "-" : (x / MIB).toFixed(1);
}
function fix(x, digits) {
  return x == null ? "-" : Number(x).toFixed(digits);
}
function fmtInt(x) {
  return x == null ? "-" : Number(x).toLocaleString("en-US");
}

/** What a run varied, with the memory runs' mechanism and factor. */
function varied(r) {
  return r.varied === "memory" ? `memory: ${r.mechanism} ${r.memory_factor}×` : r.varied;
}
