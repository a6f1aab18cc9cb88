import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { InputError } from "../model/errors.js";

/**
 * Snapshot and restore of the kernel settings a live trace changes: the
 * tracefs mount, `current_tracer`, `tracing_on`, `trace_clock`, the `bin` and
 * `context-info` options, the per-CPU `buffer_size_kb`, and the device's `/sys/block/DEV/trace/*`
 * attributes. Everything here is synchronous on purpose: restore must also
 * work from a signal handler or `process.on("exit")`, where nothing async runs.
 */

/** Where tracefs is normally mounted. */
export const TRACEFS = "/sys/kernel/tracing";
/** Global trace options a live source switches (option name → file under `options/`). */
export const TRACE_OPTIONS = ["bin", "context-info"] as const;

/** The saved settings, enough to put every changed value back. */
export interface KernelStateSnapshot {
  /** tracefs mount point. */
  readonly tracefs: string;
  /** True when this process mounted tracefs (it is unmounted again on restore). */
  readonly mountedByUs: boolean;
  readonly tracer: string;
  readonly tracingOn: string;
  readonly clock: string;
  readonly options: Readonly<Record<(typeof TRACE_OPTIONS)[number], string>>;
  /** `buffer_size_kb` per CPU (the expanded size when the kernel has not allocated it yet); "" when there is none. */
  readonly bufferSizeKb: string;
  /** Whole-disk device name (e.g. "loop0"). */
  readonly device: string;
  /** `/sys/block/DEV/trace/enable` before ("0" or "1"). */
  readonly enable: string;
}

/**
 * Make sure tracefs is mounted at `/sys/kernel/tracing`; returns true when
 * this call mounted it. Throws InputError with one sentence when it cannot.
 *
 * @example const mounted = ensureTracefs();
 */
export function ensureTracefs(path: string = TRACEFS): boolean {
  if (existsSync(join(path, "current_tracer"))) return false;
  try {
    execFileSync("mount", ["-t", "tracefs", "nodev", path], { stdio: "ignore" });
  } catch (error: unknown) {
    throw new InputError(
      `tracefs is not mounted at ${path} and blkrx cannot mount it: live tracing needs root with CAP_SYS_ADMIN and a kernel with tracefs (or mount it first: mount -t tracefs nodev ${path})`,
      {
        cause: error,
      },
    );
  }
  if (!existsSync(join(path, "current_tracer"))) {
    throw new InputError(`tracefs at ${path} has no current_tracer file (is CONFIG_FTRACE enabled?)`);
  }
  return true;
}

/** Read a tracefs/sysfs file without its trailing newline. */
export function readSetting(path: string): string {
  return readFileSync(path, "utf8").trim();
}

/** Write a tracefs/sysfs setting (one write, as `echo value > file` does). */
export function writeSetting(path: string, value: string): void {
  writeFileSync(path, `${value}\n`);
}

/** The bracketed choice of a tracefs list file such as `trace_clock` ("[local] global mono" → "local"). */
export function selectedChoice(text: string): string {
  const match = /\[([^\]]+)\]/.exec(text);
  return match?.[1] ?? text.trim();
}

/**
 * Save the tracefs and device settings a live trace is about to change.
 * Mounts tracefs if needed (remembered, so restore unmounts it). Throws
 * InputError when the device has no `trace/` directory (not a block device
 * or no root).
 *
 * @example const snap = snapshotKernelState("loop0"); try { ... } finally { restoreKernelState(snap); }
 */
export function snapshotKernelState(device: string, tracefs: string = TRACEFS): KernelStateSnapshot {
  const enablePath = deviceTracePath(device, "enable");
  if (!existsSync(enablePath)) {
    throw new InputError(`block device ${device} does not exist or has no ${enablePath} (is it a whole disk?)`);
  }
  const mountedByUs = ensureTracefs(tracefs);
  const options = {} as Record<(typeof TRACE_OPTIONS)[number], string>;
  for (const name of TRACE_OPTIONS) options[name] = readSetting(join(tracefs, "options", name));
  return {
    tracefs,
    mountedByUs,
    tracer: readSetting(join(tracefs, "current_tracer")),
    tracingOn: readSetting(join(tracefs, "tracing_on")),
    clock: selectedChoice(readSetting(join(tracefs, "trace_clock"))),
    options,
    bufferSizeKb: existsSync(join(tracefs, "buffer_size_kb"))
      ? bufferSizeOf(readSetting(join(tracefs, "buffer_size_kb")))
      : "",
    device,
    enable: readSetting(enablePath),
  };
}

/**
 * Put back every setting of `snap`, in an order the kernel accepts (tracing
 * off, options, tracer, clock, device enable, tracing_on, unmount). Keeps
 * going past failures and returns them as sentences (empty when all went back).
 *
 * @example const problems = restoreKernelState(snap); if (problems.length) console.warn(problems.join("; "));
 */
export function restoreKernelState(snap: KernelStateSnapshot): string[] {
  const problems: string[] = [];
  const t = snap.tracefs;
  const deadline = Date.now() + 2000;
  const put = (path: string, value: string): void => {
    for (;;) {
      try {
        if (readSetting(path) !== value) writeSetting(path, value);
        return;
      } catch (error: unknown) {
        // current_tracer is EBUSY while a just-killed trace_pipe reader still has the file open.
        if ((error as NodeJS.ErrnoException).code === "EBUSY" && Date.now() < deadline) {
          sleepSync(10);
          continue;
        }
        problems.push(`could not restore ${path} to "${value}": ${error instanceof Error ? error.message : error}`);
        return;
      }
    }
  };
  put(join(t, "tracing_on"), "0");
  for (const name of TRACE_OPTIONS) put(join(t, "options", name), snap.options[name]);
  put(join(t, "current_tracer"), snap.tracer);
  try {
    if (selectedChoice(readSetting(join(t, "trace_clock"))) !== snap.clock)
      writeSetting(join(t, "trace_clock"), snap.clock);
  } catch (error: unknown) {
    problems.push(`could not restore trace_clock: ${error instanceof Error ? error.message : error}`);
  }
  put(deviceTracePath(snap.device, "enable"), snap.enable);
  try {
    if (snap.bufferSizeKb !== "" && bufferSizeOf(readSetting(join(t, "buffer_size_kb"))) !== snap.bufferSizeKb)
      writeSetting(join(t, "buffer_size_kb"), snap.bufferSizeKb);
  } catch (error: unknown) {
    problems.push(`could not restore buffer_size_kb: ${error instanceof Error ? error.message : error}`);
  }
  put(join(t, "tracing_on"), snap.tracingOn);
  if (snap.mountedByUs) {
    try {
      execFileSync("umount", [t], { stdio: "ignore" });
    } catch {
      // Busy (another reader): leaving tracefs mounted changes no tracing setting.
    }
  }
  return problems;
}

/**
 * The per-CPU size in `buffer_size_kb`: "1410", or "7 (expanded: 1410)"
 * before the kernel first allocates it (1410 then). "X" (CPUs differ) stays as read.
 */
function bufferSizeOf(text: string): string {
  return /expanded:\s*(\d+)/.exec(text)?.[1] ?? text;
}

/** Block the thread for `ms` (restore runs where nothing async can, e.g. in an exit handler). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Path of `/sys/block/DEV/trace/NAME`. */
export function deviceTracePath(device: string, name: string): string {
  return `/sys/block/${device}/trace/${name}`;
}

/** A held session lock; `release` is idempotent. */
export interface TraceLock {
  readonly path: string;
  release(): void;
}

/**
 * Take an exclusive lock file (`/run/lock/blkrx-NAME.lock`, or /tmp when /run
 * is missing) holding our pid. A lock whose pid is gone is stale and taken
 * over. Throws InputError naming the holder when another live process has it.
 *
 * @example const lock = acquireTraceLock("dev-loop0", "another blkrx session is tracing loop0"); lock.release();
 */
export function acquireTraceLock(name: string, busyMessage: string): TraceLock {
  const dir = existsSync("/run/lock") ? "/run/lock" : "/tmp";
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `blkrx-${name}.lock`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let held = true;
      return {
        path,
        release: () => {
          if (!held) return;
          held = false;
          try {
            if (readSetting(path) === String(process.pid)) unlinkSync(path);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(readFileSafe(path), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new InputError(`${busyMessage} (pid ${holder}, lock ${path}); wait for it to finish`);
      }
      try {
        unlinkSync(path);
      } catch {
        // Raced with another process: retry.
      }
    }
  }
  throw new InputError(`${busyMessage} (could not take lock ${path})`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
