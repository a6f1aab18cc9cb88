#!/usr/bin/env node
// The LLM offloading study in one command (issue 15). Root; from the blkrx checkout after `npm run build`:
//
//   node examples/llm-offload/study.mjs --size ci [--repeat 1] [--db study.duckdb] [--report report.md]
//   node examples/llm-offload/study.mjs --size ci --setup-only     # make the disk and models, print them, tear down
//
// Set-up (setup.mjs) → one untraced calibration run (the runner's anonymous memory without a limit) → the sweep
// (sweep.mjs: baseline and one factor at a time, each under `blkrx run`) → study_runs rows (store.mjs) →
// report.md (report.mjs). The loop disk is always torn down, also on Ctrl-C and errors.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { attributeRun, inLayerBackward } from "./attribute.mjs";
import { removeParentCgroups } from "./parentCgroup.mjs";
import { writeReport } from "./report.mjs";
import { SIZES, setUpDisk } from "./setup.mjs";
import { insertStudyRun, mergeRunStore } from "./store.mjs";
import { memAvailable, memoryPlan, runOne, sweepPlan } from "./sweep.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
/** Context size per --size: study uses 4096 (the study's question (d) is about the 2 GiB KV cache it implies). */
const CONTEXT = { ci: 512, small: 1024, study: 4096 };
/** What the mlock helper locks per --size (inside the parent cgroup that also holds the workload). */
const LOCK = { ci: 128 * 2 ** 20, small: 512 * 2 ** 20, study: 2 ** 30 };

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "ci" },
    repeat: { type: "string", default: "1" },
    db: { type: "string", default: "study.duckdb" },
    report: { type: "string" },
    "work-dir": { type: "string", default: "/var/tmp/llm-offload" },
    "setup-only": { type: "boolean", default: false },
    floor: { type: "string", default: String(4 * 2 ** 30) },
    only: { type: "string" },
    "blkrx-run": { type: "string" },
    context: { type: "string" },
    "lock-bytes": { type: "string" },
    "sweep-id": { type: "string" },
    "anon-bytes": { type: "string" },
    "report-only": { type: "boolean", default: false },
    command: { type: "string" },
    "wall-seconds": { type: "string" },
  },
});
const size = values.size;
if (!(size in SIZES)) fail(`--size expects ci, small or study, got "${size}"`);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) fail(`--repeat expects a positive integer, got "${values.repeat}"`);
const floorBytes = Number(values.floor);
const lockBytes = Number(values["lock-bytes"] ?? LOCK[size]);
if (!Number.isSafeInteger(lockBytes) || lockBytes <= 0)
  fail(`--lock-bytes expects a byte count, got "${values["lock-bytes"]}"`);
const context = Number(values.context ?? CONTEXT[size]);
const blkrxBin = join(ROOT, "dist/cli/bin.js");
const blkrxRun = values["blkrx-run"] ? values["blkrx-run"].split(" ") : [process.execPath, blkrxBin, "run"];
const db = resolve(values.db);
const reportPath = resolve(values.report ?? `report-${size}.md`);
if (values["report-only"]) {
  // Re-render the report from the store (e.g. a sweep run in chunks with one --sweep-id).
  // --command and --wall-seconds: what the report states for a sweep run in chunks (the chunks' commands, their sum).
  await writeReport({
    db,
    out: reportPath,
    sweepId: values["sweep-id"],
    command: values.command,
    wallSeconds: values["wall-seconds"] ? Number(values["wall-seconds"]) : undefined,
  });
  process.stderr.write(`study: report: ${reportPath}\n`);
  process.exit(0);
}
if (process.getuid?.() !== 0) fail("the study needs root (loop device, mount, cgroups, drop caches, tracing)");

const log = (s) => process.stderr.write(`study: ${s}\n`);
const started = Date.now();
let disk;
const stopOnSignal = (signal) => {
  log(`${signal}: tearing down`);
  removeParentCgroups();
  disk?.teardown();
  process.exit(130);
};
process.on("SIGINT", stopOnSignal);
process.on("exit", () => {
  removeParentCgroups();
  disk?.teardown(); // also when stderr's reader went away mid-set-up (EPIPE)
});
process.on("SIGTERM", stopOnSignal);
try {
  // Only the copies the chosen runs use (and the baseline's for the calibration, unless --anon-bytes gives it): each
  // study-size copy is 4 GB.
  const copies = values["setup-only"]
    ? undefined
    : [...(values["anon-bytes"] ? [] : ["contiguous quantize"]), ...chosenPlan().map((r) => `${r.layout} ${r.order}`)];
  disk = setUpDisk({ size, blkrxBin, workDir: values["work-dir"], copies, log });
  for (const m of disk.models) log(`${m.path}: ${m.bytes} bytes, ${m.extents} extents in ${m.runs} contiguous runs`);
  if (!values["setup-only"]) await sweep();
} catch (error) {
  // One sentence, not a stack: a set-up command that failed or was interrupted (Ctrl-C reaches the whole group).
  const interrupted = error?.signal === "SIGINT" || error?.signal === "SIGTERM";
  log(interrupted ? "interrupted: tearing down" : String(error?.message ?? error).split("\n")[0]);
  process.exitCode = interrupted ? 130 : 1;
} finally {
  disk?.teardown();
}
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

async function sweep() {
  const sweepId = values["sweep-id"] ?? new Date().toISOString();
  // A sweep run in chunks passes the first chunk's calibration on, so every chunk has the same targets.
  const anonBytes = values["anon-bytes"] ? Number(values["anon-bytes"]) : calibrate(pick("contiguous", "quantize"));
  log(
    `calibration: the runner's peak anonymous memory without a limit is ${anonBytes} bytes (${(anonBytes / 2 ** 20).toFixed(1)} MiB)`,
  );
  const plan = chosenPlan();
  for (let rep = 1; rep <= repeat; rep++) {
    for (const [i, run] of plan.entries()) {
      const model = pick(run.layout, run.order);
      const memory = memoryPlan(run, disk.modelBytes, anonBytes, lockBytes);
      const label = `${size} ${run.varied}: ${run.layout} ${run.order} ${run.mechanism} ${run.memoryFactor}x t${run.threads} n${run.tokens} ${run.mmap ? "mmap" : "no-mmap"} #${rep}`;
      log(`run ${i + 1}/${plan.length} (repeat ${rep}/${repeat}): ${label}`);
      memory.availableBeforeRun = await waitForRoom(memory.limitBytes ?? memory.parentLimitBytes);
      // blkrx run writes a fresh store per run (see mergeRunStore), merged into the study's store right after.
      const runDb = join(values["work-dir"], "run.duckdb");
      rmSync(runDb, { force: true });
      const out = await runOne({
        run,
        model,
        memory,
        blkrxRun,
        db: runDb,
        statsPath: join(values["work-dir"], "runner-stats.json"),
        context,
        label,
        here: HERE,
      });
      if (out.exitCode !== 0 || !out.result) log(`  blkrx run exit ${out.exitCode}:\n${out.stderrTail}`);
      if (out.result?.runId != null) out.result.runId = await mergeRunStore(db, runDb, out.result.runId);
      rmSync(runDb, { force: true });
      const attribution = await attribute(out.result?.runId, model);
      await insertStudyRun(db, {
        ...studyRow({ sweepId, run, rep, model, memory, out }),
        attribution_json: attribution,
      });
      const r = out.result;
      log(
        `  run_id ${r?.runId ?? "-"}: wall ${r?.wallSeconds?.toFixed(1) ?? "?"} s, read ${r?.readBytes != null ? gib(r.readBytes) : "?"}, coverage ${r?.coverage != null ? (100 * r.coverage).toFixed(1) : "?"} %`,
      );
    }
  }
  await writeReport({
    db,
    out: reportPath,
    sweepId,
    wallSeconds: (Date.now() - started) / 1000,
    command: process.argv.slice(1).join(" "),
  });
  log(`report: ${reportPath}`);
}

/** Tensor attribution of the run's inference phase and of the whole run, compact JSON; null when not stored. */
async function attribute(runId, model) {
  if (runId === undefined || runId === null) return null;
  const compact = (a) => {
    if (!a) return null;
    const read = a.tensors.filter((t) => t.readBytes > 0);
    return {
      readBytes: a.readBytes,
      regionReadSum: a.tensors.reduce((s, t) => s + t.readBytes, 0),
      tensors: read.map((t) => ({
        name: t.name,
        layer: t.layer,
        group: t.group,
        bytes: t.bytes,
        readBytes: t.readBytes,
        uniqueBytes: t.uniqueBytes,
        firstReadNs: t.firstReadNs,
      })),
      backward: a.backward.slice(0, 40),
      backwardTotal: a.backward.reduce((s, b) => s + b.count, 0),
      inLayerBackward: inLayerBackward(a).reduce((s, b) => s + b.count, 0),
    };
  };
  const common = {
    db,
    runId,
    model: model.source,
    filefrag: model.filefragPath,
    partitionStart: disk.partitionStart,
    blkrxBin,
    scratch: join(values["work-dir"], "run.ndjson"),
  };
  try {
    const inference = compact(await attributeRun({ ...common, fromPhase: 1 }));
    const all = compact(await attributeRun({ ...common, fromPhase: 0 }));
    return JSON.stringify({ inference, all });
  } catch (error) {
    log(
      `  gguf attribute failed for run ${runId}: ${String(error.stderr ?? error)
        .trim()
        .split("\n")
        .slice(-3)
        .join(" ")}`,
    );
    return null;
  }
}

/**
 * The floor: wait (up to 10 min) until MemAvailable leaves `floor` free beyond what this run may take (its cgroup
 * limit), so the sweep never squeezes others on a shared machine; returns the MemAvailable the run started with.
 */
async function waitForRoom(limitBytes) {
  for (let waited = 0; ; waited += 10) {
    const available = memAvailable();
    if (available - limitBytes >= floorBytes) return available;
    if (waited >= 600) {
      log(
        `  MemAvailable ${gib(available)} still leaves less than the floor ${gib(floorBytes)} beside ${gib(limitBytes)}: running anyway (the cgroup caps it)`,
      );
      return available;
    }
    if (waited === 0)
      log(`  waiting: MemAvailable ${gib(available)} − limit ${gib(limitBytes)} < floor ${gib(floorBytes)}`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

/** The sweep's runs, only those --only names when given: a varied factor ("order") or one at a memory factor ("order@0.5"). */
function chosenPlan() {
  const only = values.only?.split(",");
  return sweepPlan().filter((r) => !only || only.includes(r.varied) || only.includes(`${r.varied}@${r.memoryFactor}`));
}

/** One untraced run without a limit: the runner's anonymous memory, added to every memory target. */
function calibrate(model) {
  const statsPath = join(values["work-dir"], "calibration.json");
  const r = spawnSync(
    process.execPath,
    [
      join(HERE, "llama-run.mjs"),
      "--model",
      model.path,
      "--stats",
      statsPath,
      "--tokens",
      "2",
      "--threads",
      "2",
      "--context",
      String(context),
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (r.status !== 0) throw new Error(`calibration run of llama-run.mjs failed (exit ${r.status})`);
  const stats = JSON.parse(readFileSync(statsPath, "utf8"));
  return stats.memory.peakAnonBytes;
}

function pick(layout, order) {
  const model = disk.models.find((m) => m.layout === layout && m.order === order);
  if (!model) throw new Error(`no ${layout} ${order}-order model`);
  return model;
}

function studyRow({ sweepId, run, rep, model, memory, out }) {
  const s = out.stats;
  const r = out.result;
  const m = s?.memory;
  // The runner's cgroup: blkrx run's own (--mem-limit), or under --lock the parent that also holds the helper (its
  // rss includes the locked bytes).
  const cg = m?.cgroup ?? undefined;
  const bd = s?.breakdown;
  const part = (name) => bd?.parts.find((p) => p.part === name)?.bytes ?? null;
  const [load, infer] = r?.phases ?? [];
  const kvFormula =
    s?.nLayer && s?.nEmbd && s?.nHead && s?.nHeadKv
      ? 2 * s.nLayer * s.contextSize * (s.nEmbd / s.nHead) * s.nHeadKv * 2
      : null;
  return {
    run_id: r?.runId ?? null,
    sweep_id: sweepId,
    size,
    varied: run.varied,
    layout: run.layout,
    file_order: run.order,
    mechanism: run.mechanism,
    memory_factor: run.memoryFactor,
    target_bytes: memory.targetBytes,
    limit_bytes: memory.limitBytes ?? null,
    lock_bytes: memory.lockBytes ?? null,
    parent_limit_bytes: memory.parentLimitBytes ?? null,
    available_before_run: memory.availableBeforeRun ?? null,
    parent_max_usage: out.parentMaxUsageBytes ?? null,
    threads: run.threads,
    tokens: run.tokens,
    context,
    mmap: run.mmap,
    repeat: rep,
    model_path: model.path,
    model_bytes: model.bytes,
    extents: model.extents,
    extent_runs: model.runs,
    direct_io: disk.directIo,
    exit_code: out.exitCode,
    wall_seconds: r?.wallSeconds ?? null,
    load_seconds: s?.loadSeconds ?? null,
    generate_seconds: s?.generateSeconds ?? null,
    generate_tokens_per_second: s?.tokensPerSecond ?? null,
    n_layer: s?.nLayer ?? null,
    n_embd: s?.nEmbd ?? null,
    n_head: s?.nHead ?? null,
    n_head_kv: s?.nHeadKv ?? null,
    kv_bytes: s?.llama.kvBytes ?? null,
    kv_formula_bytes: kvFormula,
    mapped_buffer: s?.llama.mappedBytes ?? null,
    repack_buffer: s?.llama.repackBytes ?? null,
    model_cpu_buffer: s?.llama.modelCpuBytes ?? null,
    compute_buffer: s?.llama.computeBytes ?? null,
    output_buffer: s?.llama.outputBytes ?? null,
    peak_rss: m?.peakRssBytes ?? null,
    peak_anon: m?.peakAnonBytes ?? null,
    peak_file_mapped: m?.peakFileMappedBytes ?? null,
    rss_at_peak: m?.atPeakRss?.rss ?? null,
    anon_at_peak: m?.atPeakRss?.anon ?? null,
    file_mapped_at_peak: m?.atPeakRss?.file ?? null,
    other_file_at_peak: m?.atPeakRss?.otherFile ?? null,
    runtime_rss: m?.marks?.runtime?.rss ?? null,
    js_heap_growth: part("JS heap growth"),
    kv_resident: part("KV cache"),
    compute_resident: part("compute"),
    breakdown_bytes: bd?.sum ?? null,
    breakdown_ratio: bd?.ratio ?? null,
    breakdown_json: bd ? JSON.stringify(bd) : null,
    cg_rss_at_peak: m?.atPeakRss?.cgroup?.rss ?? m?.atPeakRss?.cgroup?.anon ?? null,
    cg_cache_at_peak: m?.atPeakRss?.cgroup?.cache ?? m?.atPeakRss?.cgroup?.file ?? null,
    cg_mapped_file_at_peak: m?.atPeakRss?.cgroup?.mapped_file ?? m?.atPeakRss?.cgroup?.file_mapped ?? null,
    cg_max_usage: cg?.maxUsageBytes ?? null,
    cg_rss_peak: cg?.peak?.rss ?? cg?.peak?.anon ?? null,
    cg_cache_peak: cg?.peak?.cache ?? cg?.peak?.file ?? null,
    cg_mapped_file_peak: cg?.peak?.mapped_file ?? cg?.peak?.file_mapped ?? null,
    cg_workingset_refault: cg?.last ? (cg.last.workingset_refault_file ?? cg.last.workingset_refault ?? 0) : null,
    cg_pgmajfault: cg?.last?.pgmajfault ?? null,
    page_cache_delta: r?.pageCacheDeltaBytes ?? null,
    blkrx_peak_rss: out.blkrxPeakRssBytes || null,
    load_read_bytes: load?.readBytes ?? null,
    load_unique_bytes: load?.uniqueBytes ?? null,
    load_coverage: load?.coverage ?? null,
    infer_read_bytes: infer?.readBytes ?? null,
    infer_unique_bytes: infer?.uniqueBytes ?? null,
    phases_json: r?.phases ? JSON.stringify(r.phases) : null,
    runner_json: s ? JSON.stringify({ ...s, memory: { ...s.memory, series: undefined } }) : null,
    memory_series_json: s?.memory?.series ? JSON.stringify(s.memory.series) : null,
  };
}

function gib(bytes) {
  return `${(bytes / 2 ** 30).toFixed(3)} GiB`;
}

function fail(message) {
  process.stderr.write(`study: ${message}\n`);
  process.exit(2);
}
