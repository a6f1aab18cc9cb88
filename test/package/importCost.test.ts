import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, ROOT } from "../helpers/cli.js";
import { importCost } from "../helpers/importCost.js";
import { packedInstall } from "../helpers/packedInstall.js";

describe("the packed blkrx library entry loads no native code and its subpaths work in a strict TypeScript project", () => {
  let project = "";
  beforeAll(async () => {
    project = await packedInstall();
  }, 300_000);

  it('import("blkrx") loads no native add-on, and blkrx/store is where DuckDB\'s add-on loads', async () => {
    const main = await importCost(project, "blkrx");
    expect(main.addons).toEqual([]);
    const store = await importCost(project, "blkrx/store");
    expect(store.addons.some((so) => /duckdb.*\.node$/.test(so))).toBe(true);
    const live = await importCost(project, "blkrx/live");
    expect(live.addons).toEqual([]);
  }, 60_000);

  // Each of these is Node's own JavaScript compiled at import time: the streams stack alone was ~6 ms of the import
  // when the library still wrote `import … from "node:fs"` (its namespace getters load it); zlib is for gzip input only.
  it('import("blkrx") loads none of Node\'s stream or zlib modules (they load on first use)', async () => {
    const { builtins } = await importCost(project, "blkrx");
    expect(builtins.filter((m) => /stream|zlib/.test(m))).toEqual([]);
  }, 60_000);

  it("blkrx's Observables (its own bundled rxjs) compose with the project's rxjs: pipe, from, mergeMap, isObservable", async () => {
    const script = `import { firstValueFrom, from, isObservable, map, mergeMap, Observable, of, toArray } from "rxjs";
import { analyzeEvents, fromTrace, summarize } from "blkrx";
const trace = fromTrace(${JSON.stringify(join(FIXTURES, "direct-frag.bin"))});
const sizes = await firstValueFrom(of(1).pipe(mergeMap(() => from(trace)), map((b) => b.length), toArray()));
const mine = await firstValueFrom(new Observable((s) => trace.subscribe(s)).pipe(analyzeEvents(), summarize()));
console.log(JSON.stringify({ isObservable: isObservable(trace), instanceOf: trace instanceof Observable, sizes, events: mine.events }));`;
    const run = await execa("node", ["--input-type=module", "-e", script], { cwd: project });
    // instanceof the project's Observable is false (a second copy of the class): use isObservable.
    expect(JSON.parse(run.stdout)).toEqual({ isObservable: true, instanceOf: false, sizes: [182], events: 22 });
  }, 60_000);

  it("a strict NodeNext project typechecks and runs the blkrx/store example: a run written, committed and queried back", async () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          outDir: "out",
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
        },
        files: ["use.ts"],
      }),
    );
    writeFileSync(
      join(project, "use.ts"),
      `import { firstValueFrom, last, tap } from "rxjs";
import { analyzeEvents, fromTrace, liveView, runningSummary } from "blkrx";
import { liveTrace, type LiveTraceOptions, newLiveStats } from "blkrx/live";
import { openRunWriter, openStore, query, type RunMeta, type Store } from "blkrx/store";

const meta: RunMeta = { commandLine: "use.ts", source: "file", action: "D", rw: "read", small: 256, medium: 2048 };
const writer = await openRunWriter("runs.duckdb", meta);
const summary = await firstValueFrom(
  fromTrace(${JSON.stringify(join(FIXTURES, "direct-frag.bin"))}).pipe(
    analyzeEvents(),
    tap((b) => writer.append(b)),
    runningSummary(),
    liveView(),
    last(),
  ),
);
const runId: number = await writer.commit(summary);
const store: Store = await openStore("runs.duckdb", { readOnly: true });
const { rows } = await query(store, \`SELECT run_id, events, read_bytes FROM runs WHERE run_id = \${runId}\`);
store.close();
console.log(JSON.stringify(rows));
// Typechecked, not run (live tracing needs root and the tracefs lock).
const options: LiveTraceOptions = { device: "/dev/loop0", stats: newLiveStats(), tracer: "tracefs" };
export const later = () => liveTrace(options);
`,
    );
    const tsc = await execa(join(ROOT, "node_modules/.bin/tsc"), ["-p", "."], { cwd: project, reject: false });
    expect(tsc.stdout + tsc.stderr).toBe("");
    const run = await execa("node", ["out/use.js"], { cwd: project });
    expect(JSON.parse(run.stdout)).toEqual([[1, 22, 1703936]]);
  }, 120_000);
});
