// Preloaded with `node --import` into a blkrx process by the kernel-state tests:
// throws an uncaught error BLKRX_TEST_THROW_AFTER_MS after start-up, as a bug would.
const ms = Number(process.env.BLKRX_TEST_THROW_AFTER_MS ?? 1500);
setTimeout(() => {
  throw new Error("injected uncaught error (test/reliability/injectUncaught.mjs)");
}, ms).unref?.();
