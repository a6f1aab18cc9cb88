import { execa } from "execa";
import { InputError } from "../../model/errors.js";

/** A running helper process that holds memory locked. */
export interface MlockHelper {
  readonly pid: number;
  readonly lockedBytes: number;
  /** Kill the helper and wait for it (its memory is freed). */
  stop(): Promise<void>;
}

/** The helper: lock current and future pages, touch `n` bytes, say so, and wait for stdin to close. */
const SCRIPT = `
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
n = int(sys.argv[1])
try:
    buf = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
except (OSError, OverflowError, MemoryError) as e:
    sys.stderr.write("the system could not map that much memory (%s)\\n" % (e.strerror or e)); sys.exit(1)
if libc.mlock(ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(buf))), ctypes.c_size_t(n)) != 0:
    sys.stderr.write("mlock failed: %s\\n" % os.strerror(ctypes.get_errno())); sys.exit(1)
for p in range(0, n, 4096): buf[p] = 1
sys.stdout.write("locked\\n"); sys.stdout.flush()
sys.stdin.read()
`;

/**
 * Start a helper (python3) that mlocks and touches `bytes` of anonymous
 * memory, taking that much RAM away from the page cache while a workload
 * runs (the study's "locked GB" memory pressure). Resolves once the memory
 * is locked; throws InputError in one sentence when it cannot be.
 *
 * @example const helper = await startMlockHelper(2 * 2 ** 30); ... await helper.stop();
 */
export async function startMlockHelper(bytes: number): Promise<MlockHelper> {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new RangeError(`Cannot lock memory as the amount must be a positive byte count: current value is ${bytes}`);
  }
  const child = execa("python3", ["-c", SCRIPT, String(bytes)], {
    stdin: "pipe",
    buffer: false,
    reject: false,
    cleanup: false,
  });
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const ready = await new Promise<boolean>((resolve) => {
    child.stdout.on("data", (c: Buffer) => {
      if (c.toString().includes("locked")) resolve(true);
    });
    void child.then(() => resolve(false));
  });
  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    child.stdin.end();
    child.kill("SIGKILL");
    await child;
  };
  if (!ready || child.pid === undefined) {
    await stop();
    const why = stderr.trim().split("\n").pop() || "the helper exited";
    throw new InputError(`Cannot lock memory for --lock: ${why} (got ${bytes} bytes)`);
  }
  return { pid: child.pid, lockedBytes: bytes, stop };
}
