import { execa } from "execa";

/**
 * Python that runs a command (stdin, stdout and stderr passed through) and
 * then prints `maxrss KB` on fd 3: the peak RSS of the largest process in
 * the command's tree (getrusage RUSAGE_CHILDREN), as GNU time -v reports it.
 */
const WRAPPER = `
import os, resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
os.write(3, ("maxrss %d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss).encode())
sys.exit(code)
`;

/**
 * Run a command and measure its peak RSS (bytes), including every process
 * it started (so `blkrx run`'s workload too: the peak is the largest one's).
 *
 * @example const { peakRssBytes, stdout } = await withPeakRss(["node", BIN, "live", "--device", "loop0"]);
 */
export async function withPeakRss(
  command: readonly string[],
  options: { cwd?: string; input?: string | Buffer; shell?: string } = {},
): Promise<{ exitCode: number | undefined; stdout: string; stderr: string; peakRssBytes: number }> {
  const argv = options.shell !== undefined ? ["bash", "-c", options.shell] : [...command];
  const child = execa("python3", ["-c", WRAPPER, ...argv], {
    reject: false,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  let report = "";
  child.stdio[3]?.on("data", (c: Buffer) => {
    report += c.toString();
  });
  const r = await child;
  const kb = Number(/maxrss (\d+)/.exec(report)?.[1] ?? Number.NaN);
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), peakRssBytes: kb * 1024 };
}

/** The peaks `blkrx live/run --verbose` says on stderr (bytes): its own, and its store writer process's. */
export function reportedPeaks(stderr: string): { tracerBytes: number; writerBytes: number } {
  const m = /tracer peak RSS ([\d.]+) MB; store writer peak RSS ([\d.]+) MB/.exec(stderr);
  if (!m) throw new Error(`no peak RSS line on stderr:\n${stderr}`);
  return { tracerBytes: Number(m[1]) * 1e6, writerBytes: Number(m[2]) * 1e6 };
}
