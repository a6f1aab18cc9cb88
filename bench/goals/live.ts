import { execFileSync, spawn } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Observable } from "rxjs";
import type { EventBatch } from "../../model/batch.js";
import { CACHE_DIR, ROOT } from "../inputs.js";
import { type BenchRow, skipped } from "../report.js";
import type { BenchContext } from "./context.js";

const GOAL = "live tracing";
const TARGET = "0 lost, or all losses counted";
/** Issue 13: `run --db` peak RSS at most 150 MB (10^6 bytes, the unit). */
const RUN_RSS_LIMIT_BYTES = 150e6;
const RUN_RSS_TARGET = "≤ 150 MB";

/** Python that runs a command and prints the peak RSS (KiB) of its process tree last on stdout. */
const PEAK_RSS = `
import resource, subprocess, sys
subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
`;

/** Peak RSS (bytes) of `blkrx run` tracing fio's random reads for `seconds`, with or without the store. */
function runPeakRss(device: string, seconds: number, db: boolean): Promise<number> {
  const store = db ? ["--db", join(CACHE_DIR, `live-run-${process.pid}.duckdb`)] : ["--no-db"];
  const fio = ["fio", "--name=bench", `--filename=${device}`, "--rw=randread", "--bs=4k", "--direct=1"];
  const load = [...fio, "--ioengine=libaio", "--iodepth=32", "--time_based", `--runtime=${seconds}`];
  const args = ["-c", PEAK_RSS, "node", join(ROOT, "dist", "cli", "bin.js"), "run", "--device", device, ...store];
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [...args, "--json", "--", ...load], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", () => {
      if (db) rmSync(store[1] as string, { force: true });
      resolve(Number(out.trim().split("\n").pop()) * 1024);
    });
  });
}

/** The part of sources/tracefsLive.ts the bench uses (imported at run time: it may not exist yet). */
interface TracefsModule {
  tracefsLive(options: {
    device: string;
    stop?: PromiseLike<unknown>;
    signals?: boolean;
    stats?: { dropped: number; records: number };
    onStart?: () => void;
  }): Observable<EventBatch>;
}

/** fio's summary of one job: I/Os done and the rate. */
interface FioResult {
  ios: number;
  iops: number;
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function runFio(device: string, seconds: number): Promise<FioResult> {
  const args = [
    "--name=bench",
    `--filename=${device}`,
    "--rw=randread",
    "--bs=4k",
    "--direct=1",
    "--ioengine=libaio",
    "--iodepth=32",
    "--time_based",
    `--runtime=${seconds}`,
    "--output-format=json",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("fio", args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`fio exited ${code}`));
      const job = (JSON.parse(out.slice(out.indexOf("{"))) as { jobs: { read: { total_ios: number; iops: number } }[] })
        .jobs[0];
      resolve({ ios: job?.read.total_ios ?? 0, iops: job?.read.iops ?? 0 });
    });
  });
}

/**
 * Live tracing under load: a fresh 1 GiB loop device (created here and
 * always detached), fio 4 KiB random reads at full speed (libaio, depth 32,
 * O_DIRECT) for 30 s (10 s with --quick), traced by the tracefs live
 * source. Compares the queued reads the source delivered with the I/Os fio
 * reports and with the kernel's drop counters (LiveStats.dropped). A second
 * row: the peak RSS of `blkrx run --db` tracing the same load (issue 13's
 * ≤ 150 MB), against `run --no-db` as the same-run baseline. Needs
 * root, fio and sources/tracefsLive.ts; otherwise SKIPPED with the reason.
 *
 * @example await liveGoal({ quick: true, log: console.error })
 */
export async function liveGoal(ctx: BenchContext): Promise<BenchRow[]> {
  const seconds = ctx.quick ? 10 : 30;
  const measure = `tracefs source, fio randread 4 KiB on a loop device, ${seconds} s`;
  const modulePath = join(ROOT, "dist", "sources", "tracefsLive.js");
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    return [skipped(GOAL, measure, TARGET, "not running as root")];
  }
  if (!existsSync(modulePath)) return [skipped(GOAL, measure, TARGET, "sources/tracefsLive.ts does not exist")];
  if (!hasCommand("fio") || !hasCommand("losetup")) return [skipped(GOAL, measure, TARGET, "fio or losetup missing")];
  const live = (await import(modulePath)) as TracefsModule;
  const image = join(CACHE_DIR, `live-${process.pid}.img`);
  writeFileSync(image, "");
  execFileSync("truncate", ["-s", "1G", image]);
  let loop: string | undefined;
  try {
    loop = execFileSync("losetup", ["--find", "--show", image], { encoding: "utf8" }).trim();
    ctx.log(`  live: tracing ${loop} for ${seconds} s under fio`);
    const stats = { dropped: 0, records: 0 };
    let fio: Promise<FioResult> | undefined;
    let started: () => void = () => {};
    const startedP = new Promise<void>((resolve) => (started = resolve));
    const stop = startedP.then(() => fio).then(() => new Promise((r) => setTimeout(r, 300)));
    let queuedReads = 0;
    let records = 0;
    await new Promise<void>((resolve, reject) => {
      live
        .tracefsLive({
          device: loop as string,
          stats,
          signals: false,
          stop,
          onStart: () => {
            fio = runFio(loop as string, seconds);
            started();
          },
        })
        .subscribe({
          next: (b) => {
            records += b.length;
            for (let i = 0; i < b.length; i++) {
              const a = b.action[i] as number;
              if ((a & 0xffff) === 1 && (a & (2 << 16)) === 0 && (b.bytes[i] as number) > 0) queuedReads++;
            }
          },
          error: reject,
          complete: resolve,
        });
    });
    const f = await (fio as Promise<FioResult>);
    const missing = Math.max(0, f.ios - queuedReads);
    const ok = (stats.dropped === 0 && missing === 0) || (stats.dropped > 0 && missing <= stats.dropped);
    ctx.log(`  live: blkrx run --db and --no-db under fio, ${seconds} s each`);
    const withDb = await runPeakRss(loop, seconds, true);
    const withoutDb = await runPeakRss(loop, seconds, false);
    return [
      {
        goal: GOAL,
        measure: `blkrx run --db peak RSS, fio randread 4 KiB on a loop device, ${seconds} s`,
        value: withDb / 1e6,
        unit: "MB",
        baseline: { name: "blkrx run --no-db", value: withoutDb / 1e6, unit: "MB" },
        ratio: withDb / withoutDb,
        target: RUN_RSS_TARGET,
        status: withDb <= RUN_RSS_LIMIT_BYTES ? "PASS" : "FAIL",
        note: "peak RSS of blkrx and its children (getrusage RUSAGE_CHILDREN), the store on",
      },
      {
        goal: GOAL,
        measure,
        value: records / seconds,
        unit: "records/s",
        baseline: { name: "fio", value: f.iops, unit: "IOPS" },
        target: TARGET,
        status: ok ? "PASS" : "FAIL",
        note: `fio ${f.ios} reads, traced ${queuedReads} Q reads, kernel dropped ${stats.dropped}, missing ${missing}`,
      },
    ];
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    return [
      { goal: GOAL, measure, value: null, unit: "", target: TARGET, status: "FAIL", note: `the run failed: ${why}` },
    ];
  } finally {
    if (loop) execFileSync("losetup", ["-d", loop]);
    rmSync(image, { force: true });
  }
}
