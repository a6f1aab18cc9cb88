// The sweep: from a baseline, vary one factor at a time; each run is `blkrx run ... -- node llama-run.mjs ...`,
// its parameters and the runner's stats are stored beside blkrx's own row (same run_id) in study_runs.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOADED_MARKER } from "./marker.mjs";
import { createParentCgroup } from "./parentCgroup.mjs";

export const BASELINE = {
  layout: "contiguous",
  order: "quantize",
  mechanism: "cgroup",
  memoryFactor: 0.8,
  threads: 2,
  tokens: 10,
  mmap: true,
};

/**
 * The runs of one repeat: the baseline, then one factor changed at a time (each labelled by what changed). The
 * file order is varied twice: at the baseline's 0.8× and at 0.5× memory (beside the quantize-order 0.5× cgroup
 * run), because at 0.8× inference reads too little to compare backward transitions inside layers.
 *
 * @example sweepPlan().length // 12
 */
export function sweepPlan() {
  const plan = [{ varied: "baseline", ...BASELINE }];
  for (const mechanism of ["cgroup", "lock"]) {
    for (const memoryFactor of [0.5, 0.8, 1.5]) {
      if (mechanism === BASELINE.mechanism && memoryFactor === BASELINE.memoryFactor) continue;
      plan.push({ varied: "memory", ...BASELINE, mechanism, memoryFactor });
    }
  }
  plan.push({ varied: "threads", ...BASELINE, threads: 1 });
  plan.push({ varied: "tokens", ...BASELINE, tokens: 100 });
  plan.push({ varied: "mmap", ...BASELINE, mmap: false });
  plan.push({ varied: "layout", ...BASELINE, layout: "fragmented" });
  plan.push({ varied: "order", ...BASELINE, order: "eval" });
  plan.push({ varied: "order", ...BASELINE, order: "eval", memoryFactor: 0.5 });
  return plan;
}

/**
 * The memory a run is given: `memoryFactor` × the model's bytes for its pages, plus `anonBytes` (the runner's
 * anonymous need, measured once without a limit). cgroup: that is blkrx run's --mem-limit. lock (the safe variant
 * on a shared machine): blkrx run's helper locks `lockBytes` inside a parent cgroup limited to target + lockBytes
 * that also holds the workload, so the workload gets the target and nothing outside is squeezed.
 *
 * @example memoryPlan({ mechanism: "cgroup", memoryFactor: 0.8 }, 100e6, 150e6, 2 ** 30) // { targetBytes: 230000000, limitBytes: 230000000 }
 */
export function memoryPlan(run, modelBytes, anonBytes, lockBytes) {
  const targetBytes = Math.round(run.memoryFactor * modelBytes + anonBytes);
  if (run.mechanism === "cgroup") return { targetBytes, limitBytes: targetBytes };
  return { targetBytes, lockBytes, parentLimitBytes: targetBytes + lockBytes };
}

/**
 * Safety on a shared machine: should others' memory grow into the floor, the OOM killer must take blkrx run's
 * mlock helper (the python3 whose script calls libc.mlock), not a bystander: oom_score_adj 1000 on it.
 */
function sacrificeLockHelper(pid, depth = 0) {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const kid of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean)) {
      // python3 may be a shim (pyenv, the parent cgroup's) that runs the interpreter as its own child: look down.
      if (readFileSync(`/proc/${kid}/cmdline`, "utf8").includes("libc.mlock")) {
        writeFileSync(`/proc/${kid}/oom_score_adj`, "1000");
      }
      if (depth < 2) sacrificeLockHelper(kid, depth + 1);
    }
  }
}

/** MemAvailable from /proc/meminfo, in bytes. */
export function memAvailable() {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync("/proc/meminfo", "utf8"));
  return Number(m?.[1] ?? 0) * 1024;
}

/**
 * Run one configuration under `blkrx run` and resolve to { result (its --json object), stats (the runner's),
 * blkrxPeakRssBytes, exitCode, parentMaxUsageBytes (lock runs: the parent cgroup's peak) }. `blkrxRun` is the argv prefix that runs `blkrx run` (a fake can stand in).
 */
export async function runOne({ run, model, memory, blkrxRun, db, statsPath, context, label, here, echo }) {
  rmSync(statsPath, { force: true });
  const parent = memory.parentLimitBytes ? createParentCgroup(memory.parentLimitBytes) : undefined;
  const workload = [
    process.execPath,
    join(here, "llama-run.mjs"),
    "--model",
    model.path,
    "--stats",
    statsPath,
    "--tokens",
    String(run.tokens),
    "--threads",
    String(run.threads),
    "--context",
    String(context),
    ...(run.mmap ? [] : ["--no-mmap"]),
  ];
  const args = [
    ...blkrxRun,
    "--file",
    model.path,
    "--drop-caches",
    "--phase-marker",
    LOADED_MARKER,
    "--json",
    "--db",
    db,
    "--label",
    label,
    "--tokens",
    String(run.tokens),
    ...(memory.limitBytes !== undefined ? ["--mem-limit", String(memory.limitBytes)] : []),
    ...(memory.lockBytes ? ["--lock", String(memory.lockBytes)] : []),
    "--",
    ...(parent ? parent.wrap(workload) : workload),
  ];
  const child = spawn(args[0], args.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    ...(parent ? { env: parent.env } : {}),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
    echo?.(String(d));
  });
  // The tracer's own memory adds to the pressure it measures: its peak RSS (VmHWM), polled until it exits.
  let blkrxPeakRssBytes = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) blkrxPeakRssBytes = Math.max(blkrxPeakRssBytes, Number(m[1]) * 1024);
      if (memory.lockBytes) sacrificeLockHelper(child.pid);
    } catch {}
  }, 200);
  const exitCode = await new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  clearInterval(poll);
  const parentMaxUsageBytes = parent?.maxUsage() ?? null;
  parent?.remove();
  let result = null;
  try {
    result = JSON.parse(stdout);
  } catch {
    result = null;
  }
  const stats = existsSync(statsPath) ? JSON.parse(readFileSync(statsPath, "utf8")) : null;
  return {
    result,
    stats,
    exitCode,
    blkrxPeakRssBytes,
    parentMaxUsageBytes,
    parentCgroup: parent?.path ?? null,
    stderrTail: stderr.split("\n").slice(-15).join("\n"),
  };
}
