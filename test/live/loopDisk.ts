import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execaSync } from "execa";
import { afterAll, beforeAll } from "vitest";

/** A scratch loop disk with one ext4 partition at sector 2048 and a file on it. */
export interface LoopDisk {
  readonly dir: string;
  readonly loop: string; // "/dev/loopN"
  readonly name: string; // "loopN"
  readonly mnt: string;
  readonly file: string;
  cleanup(): void;
}

/** Why live tests cannot run here, or undefined when they can (root, loop, tracefs, mkfs.ext4, python3). */
export function liveSkipReason(): string | undefined {
  if (process.platform !== "linux") return "live tests need Linux";
  if (process.getuid?.() !== 0) return "live tests need root (loop devices, tracefs)";
  if (!existsSync("/dev/loop-control")) return "live tests need loop devices (/dev/loop-control missing)";
  for (const tool of ["losetup", "partx", "mkfs.ext4", "filefrag", "python3"]) {
    if (execaSync("sh", ["-c", `command -v ${tool}`], { reject: false }).exitCode !== 0) {
      return `live tests need ${tool} on PATH`;
    }
  }
  if (!existsSync("/sys/kernel/tracing") && !existsSync("/sys/kernel/debug")) return "live tests need tracefs";
  return undefined;
}

/**
 * Create a 768 MiB sparse image, an MBR with one partition starting at sector
 * 2048 (written by hand: sfdisk is not everywhere, and some kernels have no
 * MSDOS partition parser, so the partition is added with `partx -a`), ext4 on
 * it, and a `sizeMiB` random file written in one go (contiguous).
 */
export function createLoopDisk(sizeMiB = 96): LoopDisk {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-live-"));
  const image = join(dir, "disk.img");
  const total = 768 * 1024 * 1024;
  writeFileSync(image, "");
  execaSync("truncate", ["-s", String(total), image]);
  const mbr = Buffer.alloc(512);
  mbr.writeUInt8(0x83, 446 + 4);
  mbr.writeUInt32LE(2048, 446 + 8);
  mbr.writeUInt32LE(total / 512 - 2048, 446 + 12);
  mbr.writeUInt16LE(0xaa55, 510);
  const fd = openSync(image, "r+");
  writeSync(fd, mbr, 0, 512, 0);
  closeSync(fd);
  const loop = execaSync("losetup", ["-f", "--show", "-P", image]).stdout.trim();
  const name = loop.replace("/dev/", "");
  const mnt = join(dir, "mnt");
  let mounted = false;
  const cleanup = (): void => {
    if (mounted) execaSync("umount", [mnt], { reject: false });
    mounted = false;
    execaSync("losetup", ["-d", loop], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!existsSync(`/sys/class/block/${name}p1`)) execaSync("partx", ["-a", loop], { reject: false });
    const part = `${loop}p1`;
    for (let i = 0; i < 50 && !existsSync(part); i++) execaSync("sleep", ["0.1"]);
    if (readFileSync(`/sys/class/block/${name}p1/start`, "utf8").trim() !== "2048") {
      throw new Error("partition did not start at 2048");
    }
    execaSync("mkfs.ext4", ["-q", "-F", part]);
    execaSync("mkdir", ["-p", mnt]);
    execaSync("mount", [part, mnt]);
    mounted = true;
    const file = join(mnt, "contig.bin");
    execaSync("dd", ["if=/dev/urandom", `of=${file}`, "bs=1M", `count=${sizeMiB}`, "status=none"]);
    execaSync("sync");
    return { dir, loop, name, mnt, file, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** A bare 64 MiB loop device with no filesystem (an idle device). */
export function createBareLoop(): { dir: string; loop: string; name: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-bare-"));
  const image = join(dir, "bare.img");
  execaSync("truncate", ["-s", "64M", image]);
  const loop = execaSync("losetup", ["-f", "--show", image]).stdout.trim();
  return {
    dir,
    loop,
    name: loop.replace("/dev/", ""),
    cleanup: () => {
      execaSync("losetup", ["-d", loop], { reject: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block of live tests: take this file's turn at tracefs and
 * create a loop disk before its tests, clean both up after. The returned
 * disk reads through to the one created in beforeAll.
 */
export function useLiveLoopDisk(sizeMiB = 96): LoopDisk {
  let disk: LoopDisk | undefined;
  let endTurn: () => void = () => {};
  beforeAll(async () => {
    endTurn = await takeLiveTestTurn();
    disk = createLoopDisk(sizeMiB);
  }, 300_000);
  afterAll(() => {
    disk?.cleanup();
    endTurn();
  });
  const current = (): LoopDisk => {
    if (!disk) throw new Error("the live loop disk exists only once the block's beforeAll has run");
    return disk;
  };
  return {
    get dir() {
      return current().dir;
    },
    get loop() {
      return current().loop;
    },
    get name() {
      return current().name;
    },
    get mnt() {
      return current().mnt;
    },
    get file() {
      return current().file;
    },
    cleanup: () => current().cleanup(),
  };
}

/**
 * Serialize the live-tracing test files: tracefs tracing is global and blkrx
 * refuses a second session, so files that trace take turns through a lock
 * file (vitest runs files in parallel workers).
 */
export async function takeLiveTestTurn(): Promise<() => void> {
  const path = "/tmp/blkrx-live-tests.lock";
  for (let i = 0; i < 1800; i++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch {
      const holder = Number(readFileSync(path, "utf8") || "0");
      let alive = holder > 0;
      try {
        if (alive) process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (!alive) rmSync(path, { force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error("timed out waiting for the other live test files");
}
