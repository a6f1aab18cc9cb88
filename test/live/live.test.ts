import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { BIN, blkrx, FIXTURES, ROOT } from "../helpers/cli.js";
import { kernelTraceState, leftoverProcesses } from "./kernelTraceState.js";
import { createBareLoop, createLoopDisk, type LoopDisk, liveSkipReason, takeLiveTestTurn } from "./loopDisk.js";

const skip = liveSkipReason();
if (skip) console.warn(`skipping blkrx live tracing tests: ${skip}`);
const WORKLOAD = join(ROOT, "test/live/workload.py");
const EXTENTS = ["--extents", join(FIXTURES, "contig.filefrag.txt"), "--partition-start", "2048"];

/** Start `blkrx live` and resolve once its status line (or an error) shows up on stderr. */
function startLive(args: string[], cwd: string) {
  const child = execa("node", [BIN, "live", ...args], { cwd, reject: false, encoding: "utf8", stdin: "pipe" });
  const ready = new Promise<void>((resolve) => {
    child.stderr?.on("data", (c: Buffer) => {
      if (/events \d+|blkrx:/.test(c.toString())) resolve();
    });
    void child.then(() => resolve());
  });
  return { child, ready };
}

describe("blkrx live on a piped trace", () => {
  it("blkrx live - shows binary records (blktrace -o - style) before the pipe closes", async () => {
    const { child } = startLive(["-", ...EXTENTS, "--json", "--no-db", "--view"], FIXTURES);
    const seen = new Promise<string>((resolve) => {
      let err = "";
      child.stderr?.on("data", (c: Buffer) => {
        err += c.toString();
        if (/events 22 /.test(err)) resolve(err);
      });
    });
    child.stdin?.write(readFileSync(join(FIXTURES, "direct-contig.bin")));
    await seen; // the view counted every event while stdin is still open
    child.stdin?.end();
    const r = await child;
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.events).toBe(22);
    expect(out.readBytes).toBe(1703936);
    expect(out.uniqueBytes).toBe(1638400);
    expect(out.gaps.physical).toEqual({ sequential: 15, small: 1, medium: 1, large: 2, backward: 2 });
  }, 30_000);

  it("blkrx live - reads blkparse text from a pipe (blkparse -i - | blkrx live -)", async () => {
    const r = await blkrx(["live", "-", ...EXTENTS, "--json", "--no-db"], {
      input: readFileSync(join(FIXTURES, "direct-contig.blkparse.txt")),
    });
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.events).toBe(22);
    expect(out.uniqueBytes).toBe(1638400);
  }, 30_000);
});

describe("blkrx live errors", () => {
  it.skipIf(process.getuid?.() !== 0)(
    "blkrx live on a device that does not exist exits 1 with one sentence",
    async () => {
      const r = await blkrx(["live", "--device", "nosuchdisk9", "--duration", "1", "--no-db"]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim()).toBe("blkrx: block device nosuchdisk9 does not exist on this machine");
    },
  );

  const setpriv = execaSync("sh", ["-c", "command -v setpriv"], { reject: false }).exitCode === 0;
  if (!setpriv || process.getuid?.() !== 0)
    console.warn("skipping the non-root test: it needs root and setpriv to drop to nobody");
  it.skipIf(!setpriv || process.getuid?.() !== 0)("blkrx live without root exits 1 saying root is needed", async () => {
    const r = await execa(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "node",
        BIN,
        "live",
        "--device",
        "loop0",
        "--duration",
        "1",
        "--no-db",
      ],
      { reject: false, encoding: "utf8", cwd: "/tmp" },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      "blkrx: live tracing needs root (or CAP_SYS_ADMIN), tracefs mounted at /sys/kernel/tracing and a kernel with the blk tracer; run blkrx as root or with sudo",
    );
  });
});

describe.skipIf(skip !== undefined)("blkrx live tracing", () => {
  let disk: LoopDisk;
  let bare: ReturnType<typeof createBareLoop>;
  let endTurn: () => void = () => {};
  beforeAll(async () => {
    endTurn = await takeLiveTestTurn();
    disk = createLoopDisk();
    bare = createBareLoop();
  }, 300_000);
  afterAll(() => {
    disk?.cleanup();
    bare?.cleanup();
    endTurn();
  });

  it("blkrx live on an idle device for 2 s exits 0 with 0 events and restores the kernel", async () => {
    const before = kernelTraceState(bare.name);
    const r = await blkrx(["live", "--device", bare.loop, "--duration", "2", "--json", "--no-db"], { cwd: disk.dir });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).events).toBe(0);
    expect(JSON.parse(r.stdout).dropped).toBe(0);
    expect(kernelTraceState(bare.name)).toEqual(before);
    expect(leftoverProcesses("trace_pipe")).toEqual([]);
  }, 30_000);

  it("blkrx live --file counts a workload's reads, refuses a second session and stores the run", async () => {
    const before = kernelTraceState(disk.name);
    execaSync("sh", ["-c", "sync; echo 3 > /proc/sys/vm/drop_caches"]);
    const db = join(disk.dir, "live.duckdb");
    // No --duration: a loaded machine can take seconds to start python; stop once the workload is done.
    const { child, ready } = startLive(["--file", disk.file, "--json", "--db", db], disk.dir);
    await ready;
    onTestFinished(async () => {
      child.kill("SIGINT");
      await child;
    });
    const second = await blkrx(["live", "--device", disk.loop, "--duration", "1", "--no-db"], { cwd: disk.dir });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/^blkrx: another blkrx session .* wait for it to finish$/);
    await execa("python3", [WORKLOAD, "direct", disk.file, "/dev/null"]);
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.events).toBe(22);
    expect(out.readBytes).toBe(1703936);
    expect(out.uniqueBytes).toBe(1638400);
    expect(out.gaps.physical).toEqual({ sequential: 15, small: 1, medium: 1, large: 2, backward: 2 });
    expect(r.stderr).toMatch(/stored run 1 in/);
    expect(kernelTraceState(disk.name)).toEqual(before);
  }, 60_000);

  it("blkrx live stops on SIGINT with the final summary and a restored kernel", async () => {
    const before = kernelTraceState(bare.name);
    const { child, ready } = startLive(["--device", bare.loop, "--json", "--no-db", "--view"], disk.dir);
    await ready;
    child.kill("SIGINT");
    const r = await child;
    expect(r.stderr).toMatch(/events 0/);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).events).toBe(0);
    expect(kernelTraceState(bare.name)).toEqual(before);
    expect(leftoverProcesses("trace_pipe")).toEqual([]);
  }, 30_000);
});
