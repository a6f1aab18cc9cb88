#!/usr/bin/env node
// A stand-in for `blkrx run` while tracefs is taken (tests the driver, runner and cgroup without tracing):
// runs the workload, in a v1 memory cgroup with --mem-limit, and prints a --json object without trace numbers.
//   node study.mjs --size ci --blkrx-run "node fake-blkrx-run.mjs"
import { spawnSync } from "node:child_process";
import { mkdirSync, rmdirSync, writeFileSync } from "node:fs";

const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
const opts = argv.slice(0, dash);
const command = argv.slice(dash + 1);
const limit = opts.includes("--mem-limit") ? opts[opts.indexOf("--mem-limit") + 1] : undefined;
const cg = `/sys/fs/cgroup/memory/llm-offload-fake.${process.pid}`;
if (limit) {
  mkdirSync(cg);
  writeFileSync(`${cg}/memory.limit_in_bytes`, limit);
}
const t0 = performance.now();
const quoted = command.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
const r = spawnSync("sh", ["-c", limit ? `echo $$ > ${cg}/cgroup.procs && exec ${quoted}` : `exec ${quoted}`], {
  stdio: ["ignore", 2, "inherit"], // like blkrx run --json: the workload's output goes to stderr
});
if (limit) rmdirSync(cg);
const wallSeconds = (performance.now() - t0) / 1000;
process.stdout.write(
  `${JSON.stringify({ fake: true, wallSeconds, exitCode: r.status, memLimitBytes: limit ? Number(limit) : undefined })}\n`,
);
process.exit(r.status ?? 1);
