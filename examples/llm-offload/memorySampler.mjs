// Memory of this process sampled on a timer: RSS of the model's mapping (file-backed pages of the GGUF file, from
// /proc/self/smaps), anonymous and total RSS (smaps_rollup), and when the process is in a memory cgroup other than
// the root, that cgroup's memory.stat (v1: rss, cache, mapped_file, workingset_refault...; v2: anon, file...).
// At the sample with the highest RSS it also keeps what the memory breakdown needs, measured at that moment: each
// large anonymous mapping (size, resident bytes), the JS heap's resident size and the cgroup's memory.stat.
import { existsSync, readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";

/** Anonymous mappings at least this large are kept at the peak (llama.cpp's buffers are matched to them by size). */
const LARGE_ANON_BYTES = 2 ** 20;

/**
 * Start sampling every `intervalMs`; mark(name) keeps the current sample under a name (e.g. "runtime" once llama.cpp's
 * libraries are loaded); stop() takes a last sample and returns peaks, marks and the series.
 *
 * @example const s = startMemorySampler("/mnt/m.gguf", 100); ...; s.mark("runtime"); ...; const memory = s.stop(); memory.atPeakRss.file
 */
export function startMemorySampler(modelPath, intervalMs) {
  const statPath = cgroupStatPath();
  const t0 = performance.now();
  const series = [];
  const peak = { rss: 0, anon: 0, file: 0, at: null };
  const cgroupPeak = {};
  const marks = {};
  let baseline = null;
  const sample = () => {
    const all = { t: (performance.now() - t0) / 1000, ...processMemory(modelPath) };
    const { anonVmas, ...s } = all;
    baseline ??= s; // before llama.cpp is loaded: the runtime's own memory
    series.push([round3(s.t), s.file, s.anon, s.rss]);
    const stat = statPath ? readStat(statPath) : null;
    if (s.rss > peak.rss) peak.at = { ...s, anonVmas, cgroup: stat };
    peak.rss = Math.max(peak.rss, s.rss);
    peak.anon = Math.max(peak.anon, s.anon);
    peak.file = Math.max(peak.file, s.file);
    if (stat) for (const [key, value] of Object.entries(stat)) cgroupPeak[key] = Math.max(cgroupPeak[key] ?? 0, value);
    return all;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    // A mark keeps its sample's large mappings too: the breakdown counts what each gained by the peak.
    mark(name) {
      marks[name] = sample();
    },
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
        marks,
        cgroup: statPath ? { statPath, peak: cgroupPeak, last, maxUsageBytes: maxUsage(statPath) } : null,
        series: { columns: ["seconds", "fileMappedBytes", "anonBytes", "rssBytes"], rows: series },
      };
    },
  };
}

/**
 * This process's memory in bytes: file-backed RSS of the model's mappings (file), of every other file (otherFile:
 * node, shared libraries), anonymous and total RSS (smaps_rollup), the JS heap's resident bytes (jsHeap), and the
 * large anonymous mappings with their start address, size and resident bytes.
 */
function processMemory(modelPath) {
  let file = 0;
  let otherFile = 0;
  const anonVmas = [];
  let current = null;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const [, start, end, perms, inode, name] = head;
      const kind = name === modelPath ? "model" : inode !== "0" ? "file" : "anon";
      const from = Number.parseInt(start, 16);
      current = { kind, start: from, size: Number.parseInt(end, 16) - from, rss: 0 };
      // Writable private anonymous mappings only: reserved guard regions (---p) are no one's buffer.
      if (kind === "anon" && perms.startsWith("rw") && current.size >= LARGE_ANON_BYTES) anonVmas.push(current);
    } else if (current && line.startsWith("Rss:")) {
      current.rss = kb(line);
      if (current.kind === "model") file += current.rss;
      else if (current.kind === "file") otherFile += current.rss;
    }
  }
  let anon = 0;
  let rss = 0;
  for (const line of readFileSync("/proc/self/smaps_rollup", "utf8").split("\n")) {
    if (line.startsWith("Anonymous:")) anon = kb(line);
    else if (line.startsWith("Rss:")) rss = kb(line);
  }
  // node's JavaScript heap, resident part (node-llama-cpp reads the GGUF's metadata, vocabulary included, in JS).
  const jsHeap = getHeapStatistics().total_physical_size;
  return {
    file,
    otherFile,
    anon,
    rss,
    jsHeap,
    anonVmas: anonVmas.map(({ start, size, rss: resident }) => ({ start, size, rss: resident })),
  };
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
