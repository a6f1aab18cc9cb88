// The safe variant of the mlock mechanism: one parent memory cgroup holds both blkrx run's mlock helper and the
// workload, limited to target + lock. The helper's locked pages are charged there, so the workload gets the target
// and the rest of the machine (shared with other sessions) is never squeezed. blkrx run starts its helper as
// `python3` from PATH: a shim first in PATH joins the parent cgroup and execs the real python3; the workload
// joins it through `sh -c 'echo $$ > …/cgroup.procs && exec "$@"'` (same pid, so blkrx run still sees it).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = "/sys/fs/cgroup";
const live = new Set();

/**
 * Make the parent cgroup `llm-offload.<pid>.<n>` limited to `limitBytes` (v1 or v2), and a PATH directory whose
 * python3 joins it. Returns { path, env (for blkrx run), wrap(argv) (the workload's argv inside it), usage(),
 * remove() }.
 *
 * @example const p = createParentCgroup(8 * 2 ** 30); spawn("blkrx", [..., "--", ...p.wrap(["node", "w.mjs"])], { env: p.env }); ...; p.remove();
 */
export function createParentCgroup(limitBytes) {
  const v1 = !existsSync(join(ROOT, "cgroup.controllers"));
  const root = v1 ? join(ROOT, "memory") : ROOT;
  const path = join(root, `llm-offload.${process.pid}.${Date.now() % 1e6}`);
  mkdirSync(path);
  live.add(path);
  writeFileSync(join(path, v1 ? "memory.limit_in_bytes" : "memory.max"), String(limitBytes));
  if (!v1) writeFileSync(join(path, "memory.swap.max"), "0");
  const shimDir = mkdtempSync(join(tmpdir(), "llm-offload-shim-"));
  const python = execFileSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).trim();
  writeFileSync(join(shimDir, "python3"), `#!/bin/sh\necho $$ > '${path}/cgroup.procs' && exec '${python}' "$@"\n`);
  chmodSync(join(shimDir, "python3"), 0o755);
  return {
    path,
    limitBytes,
    env: { ...process.env, PATH: `${shimDir}:${process.env.PATH ?? ""}` },
    wrap: (argv) => ["sh", "-c", `echo $$ > '${path}/cgroup.procs' && exec "$@"`, "sh", ...argv],
    maxUsage: () => readNumber(join(path, v1 ? "memory.max_usage_in_bytes" : "memory.peak")),
    remove: () => {
      rmSync(shimDir, { recursive: true, force: true });
      removeCgroup(path);
    },
  };
}

/** Remove every parent cgroup this process made and has not removed yet (for exit and signal handlers). */
export function removeParentCgroups() {
  for (const path of live) removeCgroup(path);
}

function removeCgroup(path) {
  if (!live.has(path)) return;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      for (const pid of readFileSync(join(path, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {}
      }
      rmdirSync(path);
      live.delete(path);
      return;
    } catch (error) {
      if (error.code === "ENOENT") {
        live.delete(path);
        return;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  process.stderr.write(`study: could not remove cgroup ${path}\n`);
}

function readNumber(file) {
  try {
    return Number(readFileSync(file, "utf8").trim());
  } catch {
    return null;
  }
}
