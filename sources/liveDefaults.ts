/**
 * Kernel trace buffer per CPU (KiB) unless `--buffer-size` says otherwise.
 * Sized for a loop device at full speed: fio 4 KiB random reads (~80k IOPS,
 * ~6 records of ~64 bytes each per request, ~30 MB/s of trace) overran the
 * kernel's 1.4 MiB default within a scheduling hiccup of the reader; 16 MiB
 * per CPU holds ~0.5 s of that stream.
 */
export const DEFAULT_BUFFER_KB = 16384;

/** How often the kernel's loss counters are read while tracing, ms. */
export const DROP_POLL_MS = 500;
