import { writeFileSync } from "node:fs";
import { execa } from "execa";
import { InputError } from "../../model/errors.js";

/**
 * Write back dirty pages and drop the page cache, dentries and inodes (`echo 3 > /proc/sys/vm/drop_caches`).
 *
 * @example await dropCaches();
 */
export async function dropCaches(): Promise<void> {
  await execa("sync");
  try {
    writeFileSync("/proc/sys/vm/drop_caches", "3\n");
  } catch (error: unknown) {
    throw new InputError("--drop-caches needs root (cannot write /proc/sys/vm/drop_caches)", { cause: error });
  }
}
