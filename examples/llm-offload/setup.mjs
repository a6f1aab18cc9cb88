// The study's disk: a loop device (direct I/O, so the model is not cached a second time through the backing file)
// with one ext4 partition at sector 2048, and synthetic models on it in both tensor orders, each copied contiguous
// (preallocated, then written) and fragmented (written in chunks interleaved with filler files, fsync between).
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/** Model shapes per --size: ci ≤ 128 MB, small ≈ 0.7 GB, study = llama-2-7b Q4_K_M (4.08 GB). */
export const SIZES = {
  ci: ["--layers", "8", "--embd", "1024", "--ff", "2816", "--heads", "16", "--vocab", "32000", "--ctx", "2048"],
  small: ["--layers", "16", "--embd", "2048", "--ff", "5632", "--heads", "32", "--vocab", "32000", "--ctx", "2048"],
  study: ["--preset", "llama-2-7b"],
};
export const ORDERS = ["quantize", "eval"];
/** Pieces of a fragmented copy: each becomes one extent (or more), separated by a filler file. */
export const FRAGMENTS = 24;
const FILLER_BYTES = 1 << 20;
const MIB = 2 ** 20;

function sh(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options }).trim();
}

/**
 * Synthesize the models (cached in `cacheDir` across sweeps), make the loop disk under `workDir`, copy each model
 * contiguous and fragmented (only the `copies` given, as "layout order" strings, when a sweep needs fewer), and record
 * their extents. Returns the disk and the models; call teardown() always.
 *
 * @example const disk = setUpDisk({ size: "ci", blkrx: "node dist/cli/bin.js", workDir: "/var/tmp/llm-offload" }); ...; disk.teardown();
 */
export function setUpDisk({ size, blkrxBin, workDir, copies, log = (s) => process.stderr.write(`${s}\n`) }) {
  const cacheDir = join(workDir, "models");
  mkdirSync(cacheDir, { recursive: true });
  const sources = {};
  for (const order of ORDERS) {
    const path = join(cacheDir, `${size}-q4_k_m-${order}.gguf`);
    if (!existsSync(path)) {
      log(`synthesizing ${path}`);
      sh("node", [blkrxBin, "gguf", "synth", "--out", path, "--mix", "q4_k_m", "--order", order, ...SIZES[size]]);
    }
    sources[order] = path;
  }
  const modelBytes = statSync(sources.quantize).size;
  const imageBytes = Math.ceil((4 * modelBytes * 1.15 + FRAGMENTS * 2 * FILLER_BYTES + 256 * MIB) / MIB) * MIB;
  const disk = makeLoopDisk(join(workDir, "disk.img"), imageBytes, join(workDir, "mnt"), log);
  try {
    const models = [];
    for (const order of ORDERS) {
      for (const layout of ["contiguous", "fragmented"]) {
        if (copies && !copies.includes(`${layout} ${order}`)) continue;
        const path = join(disk.mnt, `${order}-${layout}.gguf`);
        log(`copying ${layout} ${order}-order model to ${path}`);
        if (layout === "contiguous") copyContiguous(sources[order], path);
        else copyFragmented(sources[order], path, join(disk.mnt, `filler-${order}`));
        const extents = countExtents(path);
        if (layout === "contiguous" && extents.runs > 3)
          log(`warning: ${path} has ${extents.runs} contiguous runs (wanted 1-3)`);
        if (layout === "fragmented" && extents.runs < 10)
          throw new Error(`${path} has only ${extents.runs} extents (wanted ≥ 10)`);
        const filefragPath = join(workDir, `${order}-${layout}.filefrag.txt`);
        writeFileSync(filefragPath, `${extents.filefrag}\n`);
        models.push({
          order,
          layout,
          path,
          source: sources[order],
          filefragPath,
          bytes: statSync(path).size,
          ...extents,
        });
      }
    }
    sh("sync", []);
    return { ...disk, size, modelBytes, models };
  } catch (error) {
    disk.teardown();
    throw error;
  }
}

/** Loop device with --direct-io=on over a sparse image, MBR partition at 2048 (like test/live/loopDisk.ts), ext4. */
function makeLoopDisk(image, bytes, mnt, log) {
  rmSync(image, { force: true });
  sh("truncate", ["-s", String(bytes), image]);
  const mbr = Buffer.alloc(512);
  mbr.writeUInt8(0x83, 446 + 4);
  mbr.writeUInt32LE(2048, 446 + 8);
  mbr.writeUInt32LE(bytes / 512 - 2048, 446 + 12);
  mbr.writeUInt16LE(0xaa55, 510);
  const fd = openSync(image, "r+");
  writeSync(fd, mbr, 0, 512, 0);
  closeSync(fd);
  const loop = sh("losetup", ["-f", "--show", "-P", "--direct-io=on", image]);
  const name = loop.replace("/dev/", "");
  let mounted = false;
  let done = false;
  const teardown = () => {
    if (done) return;
    done = true;
    if (mounted) {
      try {
        sh("umount", [mnt]);
      } catch (error) {
        log(`umount ${mnt} failed (${String(error.stderr ?? error).trim()}); retrying lazily`);
        sh("umount", ["-l", mnt]);
      }
    }
    try {
      sh("losetup", ["-d", loop]);
    } catch (error) {
      log(`losetup -d ${loop} failed: ${String(error.stderr ?? error).trim()}`);
    }
    rmSync(image, { force: true });
  };
  try {
    if (!existsSync(`/sys/class/block/${name}p1`)) sh("partx", ["-a", loop]);
    for (let i = 0; i < 50 && !existsSync(`/sys/class/block/${name}p1`); i++) sh("sleep", ["0.1"]);
    const start = readFileSync(`/sys/class/block/${name}p1/start`, "utf8").trim();
    if (start !== "2048") throw new Error(`partition of ${loop} starts at ${start}, expected 2048`);
    const dio = readFileSync(`/sys/block/${name}/loop/dio`, "utf8").trim();
    // No backup superblocks/GDT in every few block groups and all group metadata packed at the start (flex_bg 256):
    // with mkfs's defaults a 4.08 GB preallocated file came out as 9 physically separate runs, with these 1.
    sh("mkfs.ext4", [
      "-q",
      "-F",
      "-O",
      "sparse_super2,^resize_inode",
      "-E",
      "num_backup_sb=0",
      "-G",
      "256",
      `${loop}p1`,
    ]);
    mkdirSync(mnt, { recursive: true });
    sh("mount", [`${loop}p1`, mnt]);
    mounted = true;
    log(`${loop} (direct I/O ${dio === "1" ? "on" : "off"}) partition at 2048 mounted on ${mnt}`);
    return { loop, partition: `${loop}p1`, partitionStart: 2048, directIo: dio === "1", image, mnt, teardown };
  } catch (error) {
    teardown();
    throw error;
  }
}

/** Preallocate the whole file (ext4 gives one extent per 128 MiB, physically adjacent), then write it. */
function copyContiguous(from, to) {
  sh("fallocate", ["-l", String(statSync(from).size), to]);
  sh("dd", [`if=${from}`, `of=${to}`, "bs=4M", "conv=notrunc,fsync", "status=none"]);
}

/**
 * Write FRAGMENTS pieces, each followed by a 1 MiB filler file; fsync forces allocation between them. The fillers
 * sit beside the model (`fillerPrefix`-N): ext4 spreads new directories over block groups, so fillers in a
 * directory of their own would not land between the pieces.
 */
function copyFragmented(from, to, fillerPrefix) {
  const bytes = statSync(from).size;
  const piece = Math.ceil(bytes / FRAGMENTS / 4096) * 4096;
  for (let i = 0; i * piece < bytes; i++) {
    const blocks = piece / 4096;
    sh("dd", [
      `if=${from}`,
      `of=${to}`,
      "bs=4096",
      `skip=${i * blocks}`,
      `seek=${i * blocks}`,
      `count=${blocks}`,
      "conv=notrunc,fsync",
      "status=none",
    ]);
    sh("dd", ["if=/dev/zero", `of=${fillerPrefix}-${i}`, `bs=${FILLER_BYTES}`, "count=1", "conv=fsync", "status=none"]);
  }
}

/**
 * filefrag -v's extents of a file: how many, and how many physically contiguous runs (adjacent extents merged).
 *
 * @example countExtents("/mnt/m.gguf") // { extents: 2, runs: 1, filefrag: "..." }
 */
export function countExtents(path) {
  const text = sh("filefrag", ["-v", path]);
  const rows = [];
  for (const line of text.split("\n")) {
    const m = /^\s*\d+:\s+(\d+)\.\.\s*(\d+):\s+(\d+)\.\.\s*(\d+):\s+(\d+):/.exec(line);
    if (m) rows.push({ logical: Number(m[1]), physical: Number(m[3]), length: Number(m[5]) });
  }
  let runs = 0;
  for (let i = 0; i < rows.length; i++) {
    const prev = rows[i - 1];
    const row = rows[i];
    if (!prev || prev.physical + prev.length !== row.physical || prev.logical + prev.length !== row.logical) runs++;
  }
  return { extents: rows.length, runs, filefrag: text };
}
