import * as fsp from "node:fs/promises";
import { InputError } from "../model/errors.js";
import { type FileMap, parseFilefrag } from "../model/fileMap.js";

/**
 * The FileMap of a file on this machine: runs `filefrag -v PATH` and reads
 * the partition start of the file's block device from sysfs
 * (`/sys/dev/block/MAJ:MIN/start`; 0 for a filesystem on a whole disk).
 * Refuses, in one sentence, files whose extents are not device offsets
 * (tmpfs has none; btrfs reports logical addresses).
 *
 * @example const map = await extentsOf("/models/llama.gguf");
 */
export async function extentsOf(path: string): Promise<FileMap> {
  const stat = await fsp.stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${path}: cannot stat the file (${error.code ?? error.message})`);
  });
  const fsType = await filesystemType(path);
  if (fsType === "btrfs" || fsType === "zfs") {
    throw new InputError(
      `${path}: on ${fsType}, filefrag reports logical addresses, not device sectors, so blkrx cannot map its extents`,
    );
  }
  if (fsType === "tmpfs" || fsType === "ramfs") {
    throw new InputError(
      `${path}: on ${fsType}, the file lives in memory and has no block extents, so there are no device sectors to map`,
    );
  }
  const { execa } = await import("execa"); // loaded on demand: execa costs start-up time for replay-only runs
  const result = await execa("filefrag", ["-v", path], { reject: false });
  if (result.failed && (result.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    throw new InputError(`Cannot map ${path}: filefrag is not installed (it comes with e2fsprogs)`);
  }
  if (result.exitCode !== 0) {
    const said = String(result.stderr || result.stdout)
      .trim()
      .split("\n")
      .pop();
    throw new InputError(`Cannot map ${path}: filefrag -v failed (${said || `exit ${result.exitCode}`})`);
  }
  const partitionStart = await partitionStartOf(stat.dev);
  return { ...parseFilefrag(result.stdout, { source: `filefrag -v ${path}`, partitionStart }), path };
}

/**
 * Partition start (sectors) of a block device number, from sysfs; 0 for a whole disk.
 *
 * @example await partitionStartOf(fs.statSync(file).dev) // 2048
 */
export async function partitionStartOf(dev: number): Promise<number> {
  const majorMinor = `${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >>> 12) & 0xfff00)}`;
  const text = await fsp.readFile(`/sys/dev/block/${majorMinor}/start`, "utf8").catch(() => "0");
  return Number(text.trim()) || 0;
}

async function filesystemType(path: string): Promise<string> {
  const { execa } = await import("execa");
  const r = await execa("stat", ["-f", "-c", "%T", path], { reject: false });
  return String(r.stdout).trim();
}
