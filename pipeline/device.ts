import { existsSync, promises as fsp, readFileSync, realpathSync } from "node:fs";
import { basename, dirname } from "node:path";
import { InputError } from "../model/errors.js";
import type { FileMap } from "../model/fileMap.js";
import { extentsOf } from "../sources/extentsOf.js";

/** The block device to trace for a file, and where its partition starts. */
export interface TraceTarget {
  /** Whole-disk name to trace, e.g. "loop0" or "nvme0n1". */
  readonly disk: string;
  /** Partition holding the file ("loop0p1"), absent for a filesystem on the whole disk. */
  readonly partition?: string;
  /** Partition start in sectors (0 on a whole disk). */
  readonly partitionStart: number;
  /** "MAJ:MIN" of the file's device. */
  readonly majorMinor: string;
}

/**
 * Major and minor of a glibc `dev_t` as Node's `stat().dev` gives it.
 *
 * @example splitDev(66304) // [259, 0]
 */
export function splitDev(dev: number): [number, number] {
  const hi = Math.floor(dev / 2 ** 32);
  const lo = dev >>> 0;
  const maj = ((lo >>> 8) & 0xfff) | ((hi & 0xfffff000) >>> 0);
  const min = (lo & 0xff) | ((lo >>> 12) & 0xfff00);
  return [maj, min];
}

/**
 * Find the device to trace for a block device given as "MAJ:MIN": follow
 * `/sys/dev/block/MAJ:MIN`; a partition (it has a `partition` file) gives
 * its parent disk and its `start`; a whole disk gives itself and 0.
 *
 * @example targetOfDevice("259:0") // { disk: "loop0", partition: "loop0p1", partitionStart: 2048, majorMinor: "259:0" }
 */
export function targetOfDevice(majorMinor: string, what = `device ${majorMinor}`): TraceTarget {
  const link = `/sys/dev/block/${majorMinor}`;
  if (majorMinor.startsWith("0:") || !existsSync(link)) {
    throw new InputError(
      `${what} is not on a block device (dev ${majorMinor}: tmpfs, overlay or a network filesystem), so there is nothing to trace`,
    );
  }
  const sys = realpathSync(link);
  if (existsSync(`${sys}/partition`)) {
    const start = Number(readFileSync(`${sys}/start`, "utf8").trim());
    return { disk: basename(dirname(sys)), partition: basename(sys), partitionStart: start, majorMinor };
  }
  return { disk: basename(sys), partitionStart: 0, majorMinor };
}

/**
 * The trace target of a device name or path ("sda", "/dev/sda1", "loop0").
 * A partition resolves to its whole disk. Throws InputError when it is not
 * a block device on this machine.
 *
 * @example targetOfDeviceName("/dev/loop0p1").disk // "loop0"
 */
export function targetOfDeviceName(device: string): TraceTarget {
  const name = device.replace(/^\/dev\//, "");
  const sysClass = `/sys/class/block/${name}/dev`;
  if (!existsSync(sysClass)) throw new InputError(`block device ${device} does not exist on this machine`);
  return targetOfDevice(readFileSync(sysClass, "utf8").trim(), `device ${device}`);
}

/**
 * Discover what to trace for `--file PATH`: stat → device number →
 * partition → whole disk, the partition start from sysfs and the extents
 * from `filefrag -v`. `device` (from `--device`) overrides the disk to trace.
 * Works for a filesystem on a whole disk and on a partition.
 *
 * @example const { target, fileMap } = await discoverFile("/mnt/model.gguf");
 */
export async function discoverFile(
  path: string,
  device?: string,
): Promise<{ target: TraceTarget; fileMap: FileMap; fileSize: number }> {
  const stat = await fsp.stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${path}: cannot stat the file (${error.code ?? error.message})`);
  });
  if (!stat.isFile()) throw new InputError(`${path} is not a regular file`);
  // Extents first: they refuse tmpfs and btrfs with the real reason (both have anonymous device numbers).
  const fileMap = await extentsOf(path);
  const [maj, min] = splitDev(stat.dev);
  const own = targetOfDevice(`${maj}:${min}`, path);
  const target = device ? targetOfDeviceName(device) : own;
  return { target, fileMap: { ...fileMap, partitionStart: own.partitionStart }, fileSize: stat.size };
}

/**
 * The device-sector window [start, end] that holds a file's extents, widened
 * by `slack` sectors before the start (a request may begin before the file
 * and reach into it), for the kernel-side `start_lba`/`end_lba` filter.
 *
 * @example lbaWindow(fileMap, 1024) // { start: 279552, end: 477183 }
 */
export function lbaWindow(map: FileMap, slack: number): { start: number; end: number } {
  const perBlock = map.blockSize / 512;
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const e of map.extents) {
    const first = map.partitionStart + e.physical * perBlock;
    lo = Math.min(lo, first);
    hi = Math.max(hi, first + e.length * perBlock - 1);
  }
  return { start: Math.max(0, lo - slack), end: hi };
}

/**
 * Largest request size of a disk in sectors (`queue/max_sectors_kb` × 2), used as the filter slack.
 *
 * @example maxRequestSectors("loop0") // 2560
 */
export function maxRequestSectors(disk: string): number {
  try {
    return Number(readFileSync(`/sys/block/${disk}/queue/max_sectors_kb`, "utf8").trim()) * 2;
  } catch {
    return 2048;
  }
}
