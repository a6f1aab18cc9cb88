import { InputError } from "./errors.js";

/**
 * Device identity for public dataset traces (MSR Cambridge, Alibaba,
 * Tencent, bcc biosnoop). Those files name a volume ("usr" disk 0, volume
 * 1283, disk "sda"), not a kernel major:minor, yet every blkrx column keys
 * devices by `major << 20 | minor`. So each volume gets a synthetic
 * major:minor, computed from its name alone — the same volume has the same
 * id in every file, every process and every worker thread, and
 * `--device msr:usr/0` can be resolved without reading the trace:
 *
 * - major: one per dataset, from Linux's block majors "for local/experimental
 *   use" (240–254), so no real disk is mistaken for one;
 * - minor: the volume number itself when the dataset numbers its volumes
 *   (alibaba device_id, tencent VolumeID, up to 0xfffff), else a 20-bit
 *   FNV-1a hash of the volume text (msr "host/disk", biosnoop disk name).
 *
 * The display name is `DATASET:VOLUME` ("msr:usr/0", "alibaba:419"). Two
 * names whose hashes collide in one process are told apart by giving the
 * later one the next free minor (see registerDatasetDevice).
 */

/** The dataset formats whose volumes map to synthetic devices. */
export type DatasetFormat = "msr" | "alibaba" | "tencent" | "biosnoop";

/** Synthetic block major of each dataset (Linux local/experimental range 240–254). */
export const DATASET_MAJOR: Readonly<Record<DatasetFormat, number>> = {
  msr: 240,
  alibaba: 241,
  tencent: 242,
  biosnoop: 243,
};

/** Datasets whose volume ids are numbers (the minor is the number itself when it fits). */
const NUMBERED: ReadonlySet<DatasetFormat> = new Set<DatasetFormat>(["alibaba", "tencent"]);

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MAX_MINOR = 0xfffff;

/**
 * Continue a 32-bit FNV-1a hash over bytes [from, to) of `buf` (decoders
 * hash a volume name straight from the line, with no string).
 *
 * @example fnv1a(Buffer.from("usr/0"), 0, 5) // same as volumeMinor("msr", "usr/0") before masking
 */
export function fnv1a(buf: Uint8Array, from: number, to: number, hash = FNV_OFFSET): number {
  let h = hash;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (buf[i] as number), FNV_PRIME) >>> 0;
  return h;
}

/** The FNV-1a start value, for decoders that hash a name in pieces. */
export const FNV1A_START = FNV_OFFSET;

/** The 20-bit minor of a hashed volume name. */
export function hashedMinor(hash: number): number {
  return (hash ^ (hash >>> 20)) & MAX_MINOR;
}

/**
 * The synthetic device (`major << 20 | minor`) of a dataset volume.
 *
 * @example datasetDevice("alibaba", "419") // (241 << 20) | 419
 * @example datasetDevice("msr", "usr/0")   // (240 << 20) | hash
 */
export function datasetDevice(format: DatasetFormat, volume: string): number {
  const major = DATASET_MAJOR[format];
  if (NUMBERED.has(format) && /^\d{1,7}$/.test(volume) && Number(volume) <= MAX_MINOR) {
    return ((major << 20) | Number(volume)) >>> 0;
  }
  const bytes = Buffer.from(volume, "utf8");
  return ((major << 20) | hashedMinor(fnv1a(bytes, 0, bytes.length))) >>> 0;
}

/**
 * The device of a display name `DATASET:VOLUME`, or undefined when `name`
 * is not one (so `--device` can fall back to other spellings).
 *
 * @example deviceOfDatasetName("tencent:1283") // (242 << 20) | 1283
 */
export function deviceOfDatasetName(name: string): number | undefined {
  const registered = devices.get(name);
  if (registered !== undefined) return registered;
  const colon = name.indexOf(":");
  if (colon < 0) return undefined;
  const format = name.slice(0, colon);
  if (!(format in DATASET_MAJOR)) return undefined;
  return datasetDevice(format as DatasetFormat, name.slice(colon + 1));
}

/** Synthetic devices seen so far in this thread, both ways (id → "msr:usr/0", and back). */
const names = new Map<number, string>();
const devices = new Map<string, number>();

/**
 * Register a dataset volume seen in a trace under its computed device and
 * return the device it gets: the computed one, unless another volume of
 * this thread already holds it (two names whose 20-bit hashes collide, or
 * hostile input inventing thousands of names), then the next free minor of
 * the same major. Decoders call it once per new volume; a name always gets
 * the same device within a thread, and {@link deviceOfDatasetName} and
 * {@link deviceLabel} follow the choice.
 *
 * @example registerDatasetDevice(datasetDevice("msr", "usr/0"), "msr:usr/0")
 */
export function registerDatasetDevice(device: number, name: string): number {
  const known = devices.get(name);
  if (known !== undefined) return known;
  let d = device;
  for (let probes = 0; names.has(d); probes++) {
    if (probes > MAX_MINOR) throw new InputError(`Cannot number volume ${name}: every minor of its major is taken`);
    d = ((d & ~MAX_MINOR) | (((d & MAX_MINOR) + 1) & MAX_MINOR)) >>> 0;
  }
  names.set(d, name);
  devices.set(name, d);
  return d;
}

/**
 * The display name of a device: `DATASET:VOLUME` for a dataset volume seen
 * in this thread, else "major,minor".
 *
 * @example deviceLabel((7 << 20) | 0) // "7,0"
 */
export function deviceLabel(device: number): string {
  return names.get(device) ?? `${device >>> 20},${device & MAX_MINOR}`;
}
