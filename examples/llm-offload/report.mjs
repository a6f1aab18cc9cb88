// report.md from the store: every table is a query over study_runs joined with blkrx run's runs/raw_events.
import { writeFileSync } from "node:fs";
import { LLAMA_LAYER_EVAL_ORDER } from "../../dist/model/ggufLayout.js";
import { memoryBreakdown } from "./breakdown.mjs";
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
        "MemAvailable at start",
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
          : `lock ${mib(r.lock_bytes)} in parent ${mib(r.parent_limit_bytes)}`,
        mib(r.available_before_run),
        r.threads,
        r.tokens,
        r.mmap ? "mmap" : "no-mmap",
        r.exit_code,
      ]),
    ),
  );
  out.push(
    "",
    "Memory targets are `factor × model bytes + the runner's anonymous memory` (one untraced calibration run without a limit), so the factor is the share of the model's pages that fit. cgroup: blkrx run's `--mem-limit` is the target. lock (the safe variant on a shared machine): blkrx run's `--lock` helper locks the stated bytes inside a parent cgroup limited to target + lock that also holds the workload, so the workload is left the target and nothing outside the parent is squeezed; reclaim is then the parent's (per-cgroup), not the machine's global reclaim. Every run waits until MemAvailable leaves the floor (`--floor`, default 4 GiB) beside its limit; the table shows MemAvailable at its start.",
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
  out.push(
    "",
    "## Memory accounting at the peak (sampled every 100 ms; llama.cpp's own buffer sizes from its log)",
    "",
  );
  out.push(
    table(
      [
        "run",
        "varied",
        "peak RSS",
        "runtime",
        "model pages",
        "JS heap +",
        "llama.cpp buffers, resident/reported",
        "KV (log)",
        "KV (formula)",
        "breakdown",
        "breakdown / peak",
        "cgroup max usage",
        "cg rss @peak",
        "cg cache @peak",
        "cg refaults",
        "maj faults",
      ],
      rows.map((r) => {
        const b = breakdownOf(r);
        const p = b ? Object.fromEntries(b.parts.map((x) => [x.part, x.bytes])) : undefined;
        return [
          r.run_id ?? "-",
          varied(r),
          mib(r.rss_at_peak),
          mib(p?.["runtime before the model"]),
          mib(p?.["model pages (mapping)"]),
          mib(p?.["JS heap growth"]),
          b ? buffersCell(b) : "-",
          mib(r.kv_bytes),
          mib(r.kv_formula_bytes),
          mib(b?.sum),
          b?.ratio != null ? `${(100 * b.ratio).toFixed(1)} %` : "-",
          mib(r.mechanism === "lock" ? r.parent_max_usage : r.cg_max_usage),
          mib(r.cg_rss_at_peak),
          mib(r.cg_cache_at_peak),
          r.cg_workingset_refault ?? "-",
          r.cg_pgmajfault ?? "-",
        ];
      }),
    ),
  );
  out.push(
    "",
    "All columns in MiB. The breakdown is what was measured at the peak RSS sample (`breakdown.mjs`): the runtime (node with llama.cpp's libraries loaded, before the model: its RSS then) + the model's pages resident in its mapping (smaps Rss) + the growth of node's JS heap (node-llama-cpp reads the GGUF metadata in JavaScript) + each buffer llama.cpp reported, counted by the resident bytes of its own anonymous mapping when it has one (the compute buffer is reserved in full and touched only as far as a batch needs; the kernel merges neighbouring mappings, so buffers that share one are shown together), by its reported size when it sits in a malloc arena, and as 0 when the peak came before it was made; + what the large anonymous mappings no buffer matched (malloc arenas of llama.cpp's threads, thread stacks) gained since the runtime was measured, less the buffers counted in arenas and the JS heap's growth. What it leaves out is what mappings under 1 MiB gained. cgroup columns are the runner's cgroup: blkrx run's own, or for lock runs the parent (its usage and rss include the locked bytes).",
    "",
  );
  out.push("## Repeats: mean ± standard deviation (min–max) per configuration (`--repeat N`)", "");
  out.push(repeatSection(rows), "");
  out.push(...answers(rows, lines));
  return `${out.join("\n")}\n`;
}

/**
 * The memory breakdown of a run, computed by breakdown.mjs from the measurements stored with it (the peak sample's
 * mappings, the marks, llama.cpp's sizes), so a report always shows the current method's reading of them.
 */
function breakdownOf(r) {
  if (!r.runner_json) return undefined;
  const s = JSON.parse(r.runner_json);
  const m = s.memory;
  return (
    memoryBreakdown({ atPeak: m?.atPeakRss, runtime: m?.marks?.runtime, llama: s.llama, marks: m?.marks }) ?? undefined
  );
}

const OWN_PARTS = ["runtime before the model", "model pages (mapping)", "JS heap growth"];

/** llama.cpp's buffers in a breakdown, as "name resident/reported" (MiB), merged mappings as one. */
function buffersCell(b) {
  const buffers = b.parts.filter((p) => !OWN_PARTS.includes(p.part));
  return buffers.map((p) => `${p.part} ${mib(p.bytes)}/${mib(p.reported)}`).join("; ");
}

function answers(rows, lines) {
  const out = ["## The four questions", ""];
  const find = (varied, pred = () => true) => rows.find((r) => r.varied === varied && pred(r));
  const memory = (mechanism, factor) =>
    rows.find(
      (r) =>
        (r.varied === "memory" || r.varied === "baseline") && r.mechanism === mechanism && r.memory_factor === factor,
    );
  const base = find("baseline");
  const low = memory("cgroup", 0.5);
  const high = memory("cgroup", 1.5);
  const lockLow = memory("lock", 0.5);
  const noMmap = find("mmap");
  out.push("### (a) Does 100 % coverage mean the whole file is read at load?", "");
  if (base?.load_coverage != null) {
    out.push(
      `${base.load_coverage >= 0.99 ? "Yes: the whole file is read before the first token, and what inference reads is re-reading." : "No: load does not read the whole file here."} ` +
        `In the baseline run (${base.memory_factor}× memory, cgroup) the load phase covered ${pct(base.load_coverage)} % of the file (${mib(base.load_unique_bytes)} MiB unique of ${mib(base.model_bytes)} MiB) before the first token (llama.cpp maps the model with MAP_POPULATE). ` +
        `Inference then read ${mib(base.infer_read_bytes)} MiB at 0.8×, ${mib(low?.infer_read_bytes)} MiB at 0.5× (${pct(share(low?.infer_read_bytes, low?.model_bytes))} % of the file; ${low?.tokens ?? "?"} tokens) and ${mib(high?.infer_read_bytes)} MiB at 1.5×: pages evicted under pressure and faulted in again, not pages load skipped. ` +
        `Whole-run coverage is ${pct(base.coverage)} % in every case, so coverage alone cannot tell load from re-reading; the phase split can. ` +
        (noMmap
          ? `With --no-mmap the load read ${mib(noMmap.load_read_bytes)} MiB into anonymous buffers and inference ${mib(noMmap.infer_read_bytes)} MiB (exit ${noMmap.exit_code}).`
          : ""),
    );
  } else
    out.push("No traced phases in this sweep (blkrx run did not store the run), so this cannot be answered from it.");
  if (low && lockLow) {
    out.push(
      "",
      `Both mechanisms at 0.5×: the cgroup limit made inference read ${mib(low.infer_read_bytes)} MiB at ${fix(low.generate_tokens_per_second, 2)} tok/s (${low.cg_workingset_refault ?? "-"} refaults); the locked ${mib(lockLow.lock_bytes)} MiB in the parent cgroup made it read ${mib(lockLow.infer_read_bytes)} MiB at ${fix(lockLow.generate_tokens_per_second, 2)} tok/s (${lockLow.cg_workingset_refault ?? "-"} refaults; the parent's peak usage ${mib(lockLow.parent_max_usage)} MiB of its ${mib(lockLow.parent_limit_bytes)} MiB limit, which also charges the helper's own interpreter). In this safe variant both are per-cgroup reclaim; the global mlock hog of the original study (global kswapd/direct reclaim) is not run on this shared machine, so that comparison stays open.`,
    );
  }
  out.push("", "### (b) Where do the backward seeks come from?", "");
  const frag = find("layout");
  const evalLow = find("order", (r) => r.memory_factor === 0.5);
  const t1 = find("threads");
  const l = base ? lines.get(base.run_id) : undefined;
  if (base?.events != null) {
    const lineShare = share(l?.backward, l?.lines);
    const dShare = share(base.physical_backward, base.events);
    out.push(
      `${lineShare != null && dShare != null && lineShare > 2 * dShare ? "Mostly from the way they were counted." : "Not from the counting method alone."} Counting every blkparse line of a read (Q, G, I, D, C... each a "request") gives ${l?.backward ?? "?"} backward of ${l?.lines ?? "?"} (${pct(lineShare)} %) in the baseline run; one action per I/O (D) gives ${base.physical_backward} of ${base.events} (${pct(dShare)} %). ` +
        `Fragmentation adds physical seeks the file does not have: the fragmented copy (${frag?.extents ?? "?"} extents) has ${frag?.physical_backward ?? "?"} physical vs ${frag?.logical_backward ?? "?"} logical backward gaps and ${frag?.physical_large ?? "?"} vs ${frag?.logical_large ?? "?"} large ones. ` +
        `File order: at 0.5× memory (where inference reads enough to count) the quantize-order file has ${pct(share(low?.logical_backward, low?.events))} % logical backward gaps vs ${pct(share(evalLow?.logical_backward, evalLow?.events))} % in the eval-order file (whole runs; inside layers see (c)). ` +
        `Threads: ${pct(share(t1?.logical_backward, t1?.events))} % with 1 thread vs ${pct(share(base.logical_backward, base.events))} % with 2.`,
    );
  } else out.push("No traced runs in this sweep.");
  out.push("", "### (c) Which tensors are read when, and which step seeks backward?", "");
  out.push(...tensorSection(rows));
  out.push("", "### (d) Why does the model need more RAM than its size?", "");
  const d = high ?? base;
  const bd = d ? breakdownOf(d) : undefined;
  if (d && bd) {
    const b = Object.fromEntries(bd.parts.map((p) => [p.part, p.bytes]));
    const buffers = bd.parts.filter((p) => !OWN_PARTS.includes(p.part));
    const anonParts = buffers.reduce((s, p) => s + p.bytes, 0);
    out.push(
      `Because llama.cpp keeps more than the file: at ${d.memory_factor}× memory (${d.mechanism}) the runner's peak RSS was ${mib(d.rss_at_peak)} MiB for a ${mib(d.model_bytes)} MiB model, measured at that moment as ` +
        `${mib(b["model pages (mapping)"])} MiB of the model's pages in its mapping, ` +
        `${mib(anonParts)} MiB of llama.cpp's own buffers (resident/reported MiB: ${buffersCell(bd)}; repacked weights are anonymous copies of Q4_K tensors, ${mib(d.repack_buffer)} MiB, whose mapped pages stay resident too; the compute buffer, ${mib(d.compute_buffer)} MiB reserved, is touched only as far as a batch needs), ` +
        `${mib(b["runtime before the model"])} MiB runtime (node with llama.cpp's libraries) and ${mib(b["JS heap growth"])} MiB of JS heap growth: ` +
        `${mib(bd.sum)} MiB, ${pct(bd.ratio)} % of the peak. ` +
        `The KV cache is ${mib(d.kv_bytes)} MiB by llama.cpp's log and ${mib(d.kv_formula_bytes)} MiB by the formula 2 × ${d.n_layer} layers × ${d.context} context × n_embd_kv × 2 bytes (${d.kv_bytes === d.kv_formula_bytes ? "equal" : "different"}). ` +
        `llama.cpp's own anonymous memory is ${pct(share(anonParts, d.model_bytes))} % of the file's size on top of the file's pages.`,
    );
  } else out.push("No runner statistics in this sweep.");
  const peaks = rows.map((r) => r.blkrx_peak_rss).filter((x) => x != null);
  if (peaks.length) {
    out.push(
      "",
      `The tracer's own memory adds to the pressure it measures: blkrx run's peak RSS was ${mib(Math.min(...peaks))}–${mib(Math.max(...peaks))} MiB per run (column "blkrx peak RSS MiB" above).`,
    );
  }
  return out;
}

/**
 * --repeat: mean ± standard deviation (min–max, n) per configuration of wall time, generation speed, inference
 * reads and the physical backward share.
 */
function repeatSection(rows) {
  const groups = new Map();
  for (const r of rows) {
    const key = [varied(r), r.layout, r.file_order, r.threads, r.tokens, r.mmap].join("|");
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const stat = (xs) => {
    const v = xs.filter((x) => x != null && Number.isFinite(x));
    if (v.length === 0) return "-";
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    if (v.length === 1) return fix(mean, 2);
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
    return `${fix(mean, 2)} ± ${fix(sd, 2)} (${fix(Math.min(...v), 2)}–${fix(Math.max(...v), 2)})`;
  };
  return table(
    ["configuration", "n", "wall s", "gen tok/s", "infer read MiB", "phys back %"],
    [...groups.values()].map((g) => [
      `${varied(g[0])} (${g[0].layout}, ${g[0].file_order}, t${g[0].threads}, n${g[0].tokens}${g[0].mmap ? "" : ", no-mmap"})`,
      g.length,
      stat(g.map((r) => r.wall_seconds)),
      stat(g.map((r) => r.generate_tokens_per_second)),
      stat(g.map((r) => (r.infer_read_bytes == null ? null : r.infer_read_bytes / MIB))),
      stat(g.map((r) => (r.events ? (100 * r.physical_backward) / r.events : null))),
    ]),
  );
}

/** Per-layer × group reads of the low-memory run's inference phase, in-layer backward transitions by order. */
function tensorSection(rows) {
  const attr = (r) => (r?.attribution_json ? JSON.parse(r.attribution_json) : null);
  const low = rows.find((r) => r.varied === "memory" && r.mechanism === "cgroup" && r.memory_factor === 0.5);
  const base = rows.find((r) => r.varied === "baseline");
  const evalRun = rows.find((r) => r.varied === "order" && r.memory_factor === 0.8);
  const evalLow = rows.find((r) => r.varied === "order" && r.memory_factor === 0.5);
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
  const q = attr(low)?.inference;
  const e = attr(evalLow)?.inference;
  const qa = attr(base)?.all;
  const ea = attr(evalRun)?.all;
  const inLayers = (x) => x.tensors.filter((t) => t.layer != null && t.layer >= 0);
  const qk = q ? inLayerKinds(q) : undefined;
  const ek = e ? inLayerKinds(e) : undefined;
  // Kinds (group → group between tensors of one layer) the quantize-order file has and the eval-order file lacks,
  // that its order explains: evaluation reads `from` before `to`, yet llama-quantize's name order stores `to` first.
  const ordered = qk && ek ? [...qk.between].filter(([k]) => !ek.between.has(k) && orderExplains(k)) : [];
  const kinds = (m) =>
    [...m.between]
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none";
  const kindsSentence =
    qk && ek
      ? ` Between tensors of one layer the quantize-order file has ${qk.betweenCount} (${kinds(qk)}), the eval-order file ${ek.betweenCount} (${kinds(ek)}); inside one tensor ${qk.same} vs ${ek.same} (the kernel's read-around starts half a window before the faulting page). ${ordered.length ? `The quantize-order file's ${ordered.map(([k, n]) => `${k} (${n})`).join(", ")} ${ordered.length === 1 ? "is" : "are"} the file order's own: evaluation reads the first before the second, which llama-quantize's name order stores first; the eval-order file has none.` : "No kind the quantize order explains is missing from the eval-order file."}`
      : "";
  const verdict =
    q && e
      ? q.inLayerBackward > e.inLayerBackward
        ? `The quantize order (tensors sorted by name inside a layer) makes the in-layer backward seeks: the eval-order file has fewer.${kindsSentence}`
        : `The eval-order file does not have fewer in-layer backward transitions here, and the numbers say why: llama.cpp repacked ${mib(low?.repack_buffer)} MiB of the ${mib(low?.mapped_buffer)} MiB model into anonymous memory at load, so inference reads from the mapping only what it did not repack: in the quantize-order run ${mib(inLayers(q).reduce((s, t) => s + t.readBytes, 0))} MiB inside layers (${inLayers(q).length} tensors) and ${mib(q.readBytes - inLayers(q).reduce((s, t) => s + t.readBytes, 0))} MiB outside them (token_embd, output); ${q.backwardTotal} and ${e.backwardTotal} backward transitions in all.${kindsSentence}`
      : "";
  out.push(
    "",
    `Backward transitions inside a layer, inference phase at 0.5× memory: quantize order ${q?.inLayerBackward ?? "-"} of ${q?.backwardTotal ?? "-"}, eval order ${e?.inLayerBackward ?? "-"} of ${e?.backwardTotal ?? "-"} (whole runs at 0.8×: ${qa?.inLayerBackward ?? "-"} of ${qa?.backwardTotal ?? "-"} vs ${ea?.inLayerBackward ?? "-"} of ${ea?.backwardTotal ?? "-"}). ${verdict}`,
  );
  return out;
}

/** In-layer backward transitions of an attribution: inside one tensor (same), and between tensors by group pair. */
function inLayerKinds(a) {
  const layerOf = (name) => /^blk\.(\d+)\./.exec(name)?.[1];
  const groupOf = (name) => /^blk\.\d+\.([^.]+)/.exec(name)?.[1];
  const between = new Map();
  let same = 0;
  let betweenCount = 0;
  for (const b of a.backward) {
    const layer = layerOf(b.from);
    if (layer === undefined || layer !== layerOf(b.to)) continue;
    if (b.from === b.to) same += b.count;
    else {
      const kind = `${groupOf(b.from)} → ${groupOf(b.to)}`;
      between.set(kind, (between.get(kind) ?? 0) + b.count);
      betweenCount += b.count;
    }
  }
  return { same, between, betweenCount };
}

/** True when evaluation reads `from` before `to` but llama-quantize's file (groups sorted by name) stores `to` first. */
function orderExplains(kind) {
  const [from, to] = kind.split(" → ");
  const evalFirst = LLAMA_LAYER_EVAL_ORDER.indexOf(from) < LLAMA_LAYER_EVAL_ORDER.indexOf(to);
  return evalFirst && to < from;
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
