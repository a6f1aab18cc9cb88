import { execa } from "execa";

/** What one `node -e "import(SPEC)"` in the project cost and loaded. */
export interface ImportCost {
  /** Wall time of the `import()` itself, measured inside the process (Node's own start-up excluded). */
  importMs: number;
  /**
   * Of that, the time the main thread was runnable but waiting for a CPU other processes held
   * (`/proc/thread-self/schedstat`, 0 where the kernel does not say): on this shared 2-core machine
   * at load 10 it is most of the wall time, and it measures the machine, not blkrx.
   */
  waitMs: number;
  /** CPU time (user + system) of the import. */
  cpuMs: number;
  /** Native add-ons (`.node` shared objects) loaded in the process after the import. */
  addons: string[];
  /** Node's own modules the import loaded (from `process.moduleLoadList`, e.g. "stream", "zlib"). */
  builtins: string[];
}

// node:fs through getBuiltinModule: an ES import of it would load Node's streams stack before the import is measured.
const PROBE = `const { readFileSync } = process.getBuiltinModule("node:fs");
const before = new Set(process.moduleLoadList);
const waited = () => { try { return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e6; } catch { return 0; } };
const w = waited(); const t = performance.now(); const c = process.cpuUsage();
await import(process.argv[1]);
const importMs = performance.now() - t; const u = process.cpuUsage(c); const waitMs = waited() - w;
const builtins = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith("NativeModule ")).map((m) => m.slice(13));
const addons = process.report.getReport().sharedObjects.filter((so) => so.endsWith(".node"));
console.log(JSON.stringify({ importMs, waitMs, cpuMs: (u.user + u.system) / 1000, addons, builtins }));`;

/**
 * Import `spec` in a fresh `node` in `project` and report what the import cost and loaded.
 *
 * @example const { addons } = await importCost(project, "blkrx");
 */
export async function importCost(project: string, spec: string): Promise<ImportCost> {
  const { stdout } = await execa("node", ["--input-type=module", "-e", PROBE, spec], { cwd: project });
  return JSON.parse(stdout) as ImportCost;
}

/** The middle value (the upper one of an even count). @example median([3, 1, 2]) // 2 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
