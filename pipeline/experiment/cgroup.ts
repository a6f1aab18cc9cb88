import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../model/errors.js";

/** A memory-limited cgroup that a workload runs inside. */
export interface MemoryCgroup {
  /** The cgroup directory. */
  readonly path: string;
  /** 1 (memory controller on the v1 hierarchy) or 2 (unified hierarchy). */
  readonly version: 1 | 2;
  readonly limitBytes: number;
  /** The command line that runs `cmd args` inside the cgroup (a shell joins it, then execs). */
  wrap(cmd: string, args: readonly string[]): [string, string[]];
  /** Peak memory charged to the cgroup so far, when the kernel reports it. */
  peakBytes(): number | undefined;
  /** Kill what is left inside and remove the cgroup (idempotent, never throws). */
  remove(): void;
}

const ROOT = "/sys/fs/cgroup";

/**
 * Where the memory controller lives: cgroup v2 (`/sys/fs/cgroup` with
 * "memory" in cgroup.controllers, also `unified/` on hybrid systems) or v1
 * (`/sys/fs/cgroup/memory`). Undefined when neither is usable.
 *
 * @example memoryHierarchy() // { version: 1, root: "/sys/fs/cgroup/memory" }
 */
export function memoryHierarchy(root = ROOT): { version: 1 | 2; root: string } | undefined {
  for (const dir of [root, join(root, "unified")]) {
    const controllers = join(dir, "cgroup.controllers");
    if (existsSync(controllers) && /\bmemory\b/.test(readFileSync(controllers, "utf8")))
      return { version: 2, root: dir };
  }
  if (existsSync(join(root, "memory", "memory.limit_in_bytes"))) return { version: 1, root: join(root, "memory") };
  return undefined;
}

/**
 * Create a cgroup `blkrx.<pid>.<n>` limited to `limitBytes` of memory
 * (page cache included), on whichever hierarchy has the memory controller.
 * Throws InputError in one sentence when there is none or it cannot be made.
 *
 * @example const cg = createMemoryCgroup(40 * 2 ** 20); const [cmd, args] = cg.wrap("python3", ["w.py"]); ... cg.remove();
 */
export function createMemoryCgroup(limitBytes: number): MemoryCgroup {
  if (!Number.isSafeInteger(limitBytes) || limitBytes <= 0) {
    throw new RangeError(
      `Cannot limit memory as the limit must be a positive byte count: current value is ${limitBytes}`,
    );
  }
  const hierarchy = memoryHierarchy();
  if (!hierarchy) throw new InputError("--mem-limit needs a cgroup memory controller (v1 or v2), and none is mounted");
  const path = join(hierarchy.root, `blkrx.${process.pid}.${Date.now() % 1e6}`);
  try {
    mkdirSync(path);
  } catch (error: unknown) {
    throw new InputError(`cannot create cgroup ${path} for --mem-limit (needs root)`, { cause: error });
  }
  const v1 = hierarchy.version === 1;
  try {
    writeFileSync(join(path, v1 ? "memory.limit_in_bytes" : "memory.max"), String(limitBytes));
  } catch (error: unknown) {
    rmdirSync(path);
    throw new InputError(`cannot set the memory limit of cgroup ${path}`, { cause: error });
  }
  if (!v1) {
    try {
      writeFileSync(join(path, "memory.swap.max"), "0");
    } catch {
      // No swap accounting: the limit still caps RAM and page cache.
    }
  }
  let removed = false;
  return {
    path,
    version: hierarchy.version,
    limitBytes,
    wrap: (cmd, args) => ["sh", ["-c", `echo $$ > '${path}/cgroup.procs' && exec "$@"`, "sh", cmd, ...args]],
    peakBytes: () => {
      const file = join(path, v1 ? "memory.max_usage_in_bytes" : "memory.peak");
      try {
        return Number(readFileSync(file, "utf8").trim());
      } catch {
        return undefined;
      }
    },
    remove: () => {
      if (removed) return;
      removed = true;
      removeCgroup(path);
    },
  };
}

/** Kill every task left in the cgroup, then rmdir it (retrying while the kernel lets go). */
function removeCgroup(path: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      for (const pid of readFileSync(join(path, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      rmdirSync(path);
      return;
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  process.stderr.write(`blkrx: could not remove cgroup ${path}\n`);
}
