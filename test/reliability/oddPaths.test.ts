import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";

/**
 * Odd paths: traces, listings, stores and per-CPU sets under names with
 * spaces and unicode, reached through symlinks, give exactly the numbers of
 * plain paths; `--file` on tmpfs (no extents) or btrfs (extents that are not
 * device offsets) is refused in one sentence instead of giving wrong numbers.
 */
const base = mkdtempSync(join(tmpdir(), "blkrx-odd-"));
const dir = join(base, "trace dir ünïcødé 🚀 'q' $x");
afterAll(() => rmSync(base, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

function strip(stdout: string): Record<string, unknown> {
  const { durationNs: _d, runId: _r, ...rest } = JSON.parse(stdout);
  return rest;
}

describe("names with spaces, unicode and symlinks", () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES, "pressure-frag.bin"), join(dir, "pressure frag ✓.bin"));
    copyFileSync(join(FIXTURES, "frag.filefrag.txt"), join(dir, "frag listing ü.txt"));
    symlinkSync(join(dir, "pressure frag ✓.bin"), join(dir, "link → trace"));
    symlinkSync("frag listing ü.txt", join(dir, "link → listing"));
    copyFileSync(join(FIXTURES, "pressure-frag.bin"), join(dir, "per cpu ü.blktrace.0"));
    writeFileSync(join(dir, "per cpu ü.blktrace.1"), "");
  });

  it("analyze gives the plain-path numbers through every odd name, and stores under an odd --db path", async () => {
    const flags = ["--partition-start", "2048", "--json"];
    const plain = strip(
      (await blkrx(["analyze", "pressure-frag.bin", "--extents", "frag.filefrag.txt", ...flags, "--no-db"])).stdout,
    );
    expect(plain.events).toBe(243);
    const db = join(dir, "rüns 📦.duckdb");
    for (const [trace, listing] of [
      ["pressure frag ✓.bin", "frag listing ü.txt"],
      ["link → trace", "link → listing"],
      ["per cpu ü", "link → listing"],
    ] as const) {
      const r = await blkrx(
        ["analyze", join(dir, trace), "--extents", join(dir, listing), ...flags, "--db", db, "--label", `ü ${trace}`],
        { cwd: dir },
      );
      expect(r.exitCode).toBe(0);
      expect(strip(r.stdout)).toEqual(plain);
    }
    const runs = await blkrx(["sql", "select label, events from runs order by run_id", "--db", db, "--json"], {
      cwd: dir,
    });
    expect(JSON.parse(runs.stdout)).toEqual([
      { label: "ü pressure frag ✓.bin", events: 243 },
      { label: "ü link → trace", events: 243 },
      { label: "ü per cpu ü", events: 243 },
    ]);
  }, 60_000);

  it("--file through a symlink and a name with spaces maps the same extents as the real path", async () => {
    const real = join(dir, "data file ü.bin");
    writeFileSync(real, Buffer.alloc(1 << 20, 1));
    execaSync("sync");
    symlinkSync(real, join(dir, "link → data"));
    const a = await blkrx(["analyze", "direct-contig.bin", "--file", real, "--json", "--no-db"]);
    const b = await blkrx(["analyze", "direct-contig.bin", "--file", join(dir, "link → data"), "--json", "--no-db"]);
    // The trace is of another disk, so nothing is inside the file, and the note says so.
    expect([a.exitCode, a.stderr]).toEqual([
      0,
      "blkrx: kept 0 events: 0 of 22 D reads fall inside the file's sectors: is the listing for this device and partition?",
    ]);
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
    expect(JSON.parse(a.stdout).fileBytes).toBe(1 << 20);
  });
});

describe("files whose extents are not device offsets", () => {
  const shm = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/blkrx-odd-") : undefined;
  afterAll(() => {
    if (shm) rmSync(shm, { recursive: true, force: true });
  });

  it.skipIf(!shm)("tmpfs: analyze --file and live --file refuse in one sentence", async () => {
    const file = join(shm as string, "in memory ü.bin");
    writeFileSync(file, Buffer.alloc(65536, 7));
    const expected = `blkrx: ${file}: on tmpfs, the file lives in memory and has no block extents, so there are no device sectors to map`;
    const analyze = await blkrx(["analyze", "direct-contig.bin", "--file", file, "--json", "--no-db"]);
    expect([analyze.exitCode, analyze.stdout, analyze.stderr]).toEqual([1, "", expected]);
    if (isRoot) {
      const live = await blkrx(["live", "--file", file, "--duration", "1", "--no-db"]);
      expect([live.exitCode, live.stderr]).toEqual([1, expected]);
    }
  });
});

function btrfsSkipReason(): string | undefined {
  if (!isRoot) return "the btrfs test needs root (loop device, mount)";
  if (execaSync("sh", ["-c", "command -v mkfs.btrfs"], { reject: false }).exitCode !== 0)
    return "the btrfs test needs mkfs.btrfs (apt-get install btrfs-progs)";
  if (execaSync("grep", ["-qw", "btrfs", "/proc/filesystems"], { reject: false }).exitCode !== 0)
    return "the btrfs test needs a kernel with btrfs (not in /proc/filesystems)";
  return undefined;
}
const btrfsSkip = btrfsSkipReason();
if (btrfsSkip) console.warn(`skipping: ${btrfsSkip}`);

describe.skipIf(btrfsSkip !== undefined)("files on btrfs", () => {
  let loop = "";
  const mnt = join(base, "btrfs mnt");
  beforeAll(() => {
    const image = join(base, "btrfs.img");
    execaSync("truncate", ["-s", "300M", image]);
    loop = execaSync("losetup", ["-f", "--show", image]).stdout.trim();
    execaSync("mkfs.btrfs", ["-q", loop]);
    mkdirSync(mnt);
    execaSync("mount", [loop, mnt]);
    execaSync("dd", ["if=/dev/urandom", `of=${join(mnt, "model ü.bin")}`, "bs=1M", "count=4", "status=none"]);
    execaSync("sync");
  }, 60_000);
  afterAll(() => {
    execaSync("umount", [mnt], { reject: false });
    if (loop) execaSync("losetup", ["-d", loop], { reject: false });
  });

  it("analyze --file, live --file and run --file refuse in one sentence (filefrag gives btrfs logical addresses)", async () => {
    const file = join(mnt, "model ü.bin");
    // filefrag does list an extent here: the numbers would look plausible and be wrong.
    expect(execaSync("filefrag", ["-v", file]).stdout).toMatch(/1 extent found/);
    const expected = `blkrx: ${file}: on btrfs, filefrag reports logical addresses, not device sectors, so blkrx cannot map its extents`;
    for (const args of [
      ["analyze", "direct-contig.bin", "--file", file, "--json", "--no-db"],
      ["live", "--file", file, "--duration", "1", "--no-db"],
      ["run", "--file", file, "--no-db", "--", "true"],
    ]) {
      const r = await blkrx(args);
      expect([args[0], r.exitCode, r.stdout, r.stderr]).toEqual([args[0], 1, "", expected]);
    }
  }, 60_000);
});
