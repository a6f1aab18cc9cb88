/**
 * Route SIGINT and SIGTERM to a graceful stop while a live session runs: the
 * first signal calls `graceful` (stop tracing, drain, finish the summary);
 * a second one calls `immediate` (synchronous restore) and exits with
 * 128 + signal number. Returns a function that removes the handlers.
 *
 * @example const dispose = onStopSignals(() => void stop(), cleanupSync); ... dispose();
 */
export function onStopSignals(graceful: () => void, immediate: () => void): () => void {
  let seen = 0;
  const handler = (signal: NodeJS.Signals): void => {
    seen++;
    if (seen === 1) {
      graceful();
      return;
    }
    immediate();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
