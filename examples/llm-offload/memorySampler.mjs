// Memory of this process sampled on a timer: RSS of the model's mapping (file-backed pages of the GGUF file, from
// /proc/self/smaps), anonymous and total RSS (smaps_rollup), and when the process is in a memory cgroup other than
// the root, that cgroup's memory.stat (v1: rss, cache, mapped_file, workingset_refault...; v2: anon, file...).
import { existsSync, readFileSync } from "node:fs";

/**
 * Start sampling every `intervalMs`; stop() takes a last sample and returns peaks and the series.
 *
 * @example const s = startMemorySampler("/mnt/m.gguf", 100); ...; const memory = s.stop(); memory.peakFileMappedBytes
 */
export function startMemorySampler(modelPath, intervalMs) {
  const statPath = cgroupStatPath();
  const t0 = performance.now();
  const series = [];
  const peak = { rss: 0, anon: 0, file: 0, at: null };
  const cgroupPeak = {};
  let baseline = null;
  const sample = () => {
    const s = { t: (performance.now() - t0) / 1000, ...processMemory(modelPath) };
    baseline ??= s; // before llama.cpp is loaded: the runtime's own memory
    series.push([round3(s.t), s.file, s.anon, s.rss]);
    if (s.rss > peak.rss) peak.at = s;
    peak.rss = Math.max(peak.rss, s.rss);
    peak.anon = Math.max(peak.anon, s.anon);
    peak.file = Math.max(peak.file, s.file);
    if (statPath) {
      for (const [key, value] of Object.entries(readStat(statPath)))
        cgroupPeak[key] = Math.max(cgroupPeak[key] ?? 0, value);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const last = statPath ? readStat(statPath) : null;
      return {
        intervalMs,
        samples: series.length,
        peakRssBytes: peak.rss,
        peakAnonBytes: peak.anon,
        peakFileMappedBytes: peak.file,
        atPeakRss: peak.at,
        baseline,
        cgroup: statPath ? { statPath, peak: cgroupPeak, last, maxUsageBytes: maxUsage(statPath) } : null,
        series: { columns: ["seconds", "fileMappedBytes", "anonBytes", "rssBytes"], rows: series },
      };
    },
  };
}

/** File-backed RSS of the model's mappings, anonymous RSS and total RSS of this process, in bytes. */
function processMemory(modelPath) {
  let file = 0;
  let inModel = false;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inModel = line.endsWith(` ${modelPath}`);
    else if (inModel && line.startsWith("Rss:")) file += kb(line);
  }
  let anon = 0;
  let rss = 0;
  for (const line of readFileSync("/proc/self/smaps_rollup", "utf8").split("\n")) {
    if (line.startsWith("Anonymous:")) anon = kb(line);
    else if (line.startsWith("Rss:")) rss = kb(line);
  }
  return { file, anon, rss };
}

function kb(line) {
  return Number(/(\d+)\s*kB/.exec(line)?.[1] ?? 0) * 1024;
}

/** This process's memory cgroup's memory.stat, or null in the root cgroup or none. */
function cgroupStatPath() {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, path] = line.split(":");
    if (path === undefined || path === "/") continue;
    if (controllers === "memory" || controllers?.split(",").includes("memory")) {
      const p = `/sys/fs/cgroup/memory${path}/memory.stat`;
      if (existsSync(p)) return p;
    }
    if (controllers === "") {
      const p = `/sys/fs/cgroup${path}/memory.stat`;
      if (existsSync(p)) return p;
    }
  }
  return null;
}

function readStat(path) {
  const out = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const [key, value] = line.split(" ");
    if (key && value !== undefined && !key.startsWith("total_")) out[key] = Number(value);
  }
  return out;
}

function maxUsage(statPath) {
  for (const name of ["memory.max_usage_in_bytes", "memory.peak"]) {
    const p = statPath.replace(/memory\.stat$/, name);
    if (existsSync(p)) return Number(readFileSync(p, "utf8").trim());
  }
  return null;
}

function round3(x) {
  return Math.round(x * 1000) / 1000;
}
