import { readFileSync } from "node:fs";

/**
 * Page-cache size in bytes: "Cached" of /proc/meminfo.
 *
 * @example const before = readCachedBytes();
 */
export function readCachedBytes(meminfo = "/proc/meminfo"): number {
  const m = /^Cached:\s+(\d+) kB/m.exec(readFileSync(meminfo, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A process's resident memory split as smaps_rollup reports it. */
export interface RssSample {
  rssBytes: number;
  /** Anonymous pages (heap, stack, private writes). */
  anonBytes: number;
  /** File-backed pages (mapped files, e.g. an mmapped model). */
  fileBytes: number;
}

/**
 * Parse `/proc/PID/smaps_rollup` text into RSS, anonymous and file-backed bytes.
 *
 * @example parseSmapsRollup("Rss: 2048 kB\nAnonymous: 1024 kB\n") // { rssBytes: 2097152, anonBytes: 1048576, fileBytes: 1048576 }
 */
export function parseSmapsRollup(text: string): RssSample {
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  const rssBytes = kb("Rss");
  const anonBytes = kb("Anonymous");
  return { rssBytes, anonBytes, fileBytes: Math.max(0, rssBytes - anonBytes) };
}

/** Samples one process's smaps_rollup at a fixed rate and keeps the peak. */
export interface RssSampler {
  /** The sample with the largest RSS so far (zeros before the first). */
  readonly peak: RssSample;
  /** Take one more sample now and stop sampling. */
  stop(): RssSample;
}

/**
 * Sample `/proc/PID/smaps_rollup` every `intervalMs` and keep the sample with
 * the highest RSS (file-backed vs anonymous at that moment). Samples that fail
 * (the process has exited) are ignored.
 *
 * @example const sampler = sampleRss(child.pid, 100); await child; const peak = sampler.stop();
 */
export function sampleRss(pid: number, intervalMs = 100): RssSampler {
  let peak: RssSample = { rssBytes: 0, anonBytes: 0, fileBytes: 0 };
  const take = (): void => {
    try {
      const s = parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
      if (s.rssBytes > peak.rssBytes) peak = s;
    } catch {
      // Gone or not readable.
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    get peak() {
      return peak;
    },
    stop: () => {
      take();
      clearInterval(timer);
      return peak;
    },
  };
}
