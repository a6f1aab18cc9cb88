import { existsSync, readdirSync, readFileSync } from "node:fs";

/** The tracefs and sysfs settings a live source must leave as it found them. */
export function kernelTraceState(disk: string): Record<string, string> {
  const read = (p: string): string => (existsSync(p) ? readFileSync(p, "utf8").trim() : "(absent)");
  const t = "/sys/kernel/tracing";
  return {
    current_tracer: read(`${t}/current_tracer`),
    tracing_on: read(`${t}/tracing_on`),
    trace_clock: read(`${t}/trace_clock`),
    bin: read(`${t}/options/bin`),
    context_info: read(`${t}/options/context-info`),
    buffer_size_kb: read(`${t}/buffer_size_kb`),
    enable: read(`/sys/block/${disk}/trace/enable`),
  };
}

/** Processes still running that mention `needle` in their command line, or read trace_pipe. */
export function leftoverProcesses(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    } catch {
      continue;
    }
    if (cmdline.includes(needle) || cmdline.includes("trace_pipe") || /^blktrace /.test(cmdline))
      out.push(`${pid} ${cmdline}`);
  }
  return out;
}
