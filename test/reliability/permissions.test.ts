import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { firstValueFrom } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../model/errors.js";
import { tracefsLive } from "../../sources/tracefsLive.js";
import { BIN, blkrx, FIXTURES } from "../helpers/cli.js";
import { kernelTraceState } from "../live/kernelTraceState.js";
import { createBareLoop, liveSkipReason, takeLiveTestTurn } from "../live/loopDisk.js";

/**
 * Privileges: as an unprivileged user (nobody) or as root without
 * CAP_SYS_ADMIN and without tracefs mounted, live commands say in one
 * sentence what they need; a kernel without the blk tracer is named as
 * such; replay (analyze, cat, latency, the store) never needs root.
 */
const has = (tool: string) => execaSync("sh", ["-c", `command -v ${tool}`], { reject: false }).exitCode === 0;
const isRoot = process.getuid?.() === 0;
const canDrop = isRoot && has("setpriv");
const dropReason = canDrop ? undefined : "these tests need root and setpriv to become nobody or drop CAP_SYS_ADMIN";
if (dropReason) console.warn(`skipping: ${dropReason}`);
const NEEDS =
  "blkrx: live tracing needs root (or CAP_SYS_ADMIN), tracefs mounted at /sys/kernel/tracing and a kernel with the blk tracer; run blkrx as root or with sudo";

const dir = mkdtempSync(join(tmpdir(), "blkrx-perm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the CLI as nobody (uid/gid 65534, no groups) in a directory nobody can write. */
function asNobody(args: string[]) {
  return execa("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "node", BIN, ...args], {
    cwd: join(dir, "nobody"),
    reject: false,
    encoding: "utf8",
  });
}

describe.skipIf(dropReason !== undefined)("without root", () => {
  beforeAll(() => {
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, "nobody"), { mode: 0o777 });
    chmodSync(join(dir, "nobody"), 0o777);
    for (const f of ["pressure-frag.bin", "frag.filefrag.txt", "pressure-frag.blkparse.txt"])
      copyFileSync(join(FIXTURES, f), join(dir, "nobody", f));
  });

  it.each([
    ["live --device", ["live", "--device", "loop0", "--duration", "1", "--no-db"]],
    ["live --tracer tracefs", ["live", "--device", "loop0", "--tracer", "tracefs", "--no-db"]],
    ["run", ["run", "--device", "loop0", "--no-db", "--", "true"]],
  ])("%s as nobody: exit 1 and one sentence saying what is needed", async (_name, args) => {
    const r = await asNobody(args);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(NEEDS);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("replay never needs root: analyze (with a store), cat and latency as nobody match root's output", async () => {
    const flags = ["--extents", "frag.filefrag.txt", "--partition-start", "2048", "--json"];
    const mine = await blkrx(["analyze", "pressure-frag.bin", ...flags, "--no-db"], { cwd: join(dir, "nobody") });
    const theirs = await asNobody(["analyze", "pressure-frag.bin", ...flags, "--db", "runs.duckdb"]);
    expect(theirs.exitCode).toBe(0);
    const { durationNs: _a, ...a } = JSON.parse(mine.stdout);
    const { durationNs: _b, runId, ...b } = JSON.parse(theirs.stdout);
    expect(b).toEqual(a);
    expect(runId).toBe(1);
    expect(b.events).toBe(243);
    expect(theirs.stderr).toMatch(/stored run 1 in runs.duckdb/);
    const runs = await asNobody(["sql", "select events from runs", "--db", "runs.duckdb", "--json"]);
    expect(runs.exitCode).toBe(0);
    expect(JSON.parse(runs.stdout)).toEqual([{ events: 243 }]);
    const cat = await asNobody(["cat", "pressure-frag.bin"]);
    expect(cat.exitCode).toBe(0);
    expect(cat.stdout).toBe((await blkrx(["cat", "pressure-frag.bin"], { cwd: join(dir, "nobody") })).stdout);
    expect(cat.stdout.split("\n")).toHaveLength(2773); // blkparse event lines (process notify records print nothing)
    const latency = await asNobody(["latency", "pressure-frag.blkparse.txt", "--json"]);
    expect(latency.exitCode).toBe(0);
  }, 60_000);

  it.skipIf(!has("unshare"))(
    "root without CAP_SYS_ADMIN and without tracefs mounted: one sentence naming tracefs and CAP_SYS_ADMIN",
    async () => {
      // A private mount namespace, so unmounting tracefs there changes nothing for anyone else.
      const script = [
        "umount /sys/kernel/tracing 2>/dev/null",
        "umount /sys/kernel/debug 2>/dev/null",
        `exec setpriv --bounding-set -sys_admin --inh-caps -sys_admin node ${BIN} live --device loop0 --duration 1 --no-db`,
      ].join("; ");
      const r = await execa("unshare", ["-m", "sh", "-c", script], { reject: false, encoding: "utf8", cwd: dir });
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim().split("\n").at(-1)).toBe(
        "blkrx: tracefs is not mounted at /sys/kernel/tracing and blkrx cannot mount it: live tracing needs root with CAP_SYS_ADMIN and a kernel with tracefs (or mount it first: mount -t tracefs nodev /sys/kernel/tracing)",
      );
    },
  );
});

const liveSkip = liveSkipReason();
if (liveSkip) console.warn(`skipping the missing-blk-tracer test: ${liveSkip}`);

describe.skipIf(liveSkip !== undefined)("a kernel without the blk tracer", () => {
  let loop: ReturnType<typeof createBareLoop>;
  let endTurn: () => void = () => {};
  beforeAll(async () => {
    endTurn = await takeLiveTestTurn();
    loop = createBareLoop();
  }, 300_000);
  afterAll(() => {
    loop?.cleanup();
    endTurn();
  });

  it("is refused in one sentence, and the settings blkrx saw are put back", async () => {
    // A stand-in tracefs whose available_tracers lacks "blk" (as with CONFIG_BLK_DEV_IO_TRACE=n).
    const fake = join(dir, "fake-tracefs");
    mkdirSync(join(fake, "options"), { recursive: true });
    const files: Record<string, string> = {
      current_tracer: "nop",
      available_tracers: "function_graph function nop",
      tracing_on: "1",
      trace_clock: "[local] global mono",
      "options/bin": "0",
      "options/context-info": "1",
    };
    for (const [name, value] of Object.entries(files)) writeFileSync(join(fake, name), `${value}\n`);
    const before = kernelTraceState(loop.name).enable;
    const error = await firstValueFrom(tracefsLive({ device: loop.loop, tracefs: fake, signals: false })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      "this kernel has no blk tracer (CONFIG_BLK_DEV_IO_TRACE), so blkrx cannot trace live; replaying a saved trace still works",
    );
    expect(kernelTraceState(loop.name).enable).toBe(before);
    expect(execaSync("cat", [join(fake, "current_tracer"), join(fake, "tracing_on")]).stdout).toBe("nop\n1");
  });
});
