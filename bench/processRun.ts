import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One process run from start to exit: wall and CPU time, peak RSS, stdout. */
export interface ProcessSample {
  wallS: number;
  cpuS: number;
  maxRssMB: number;
  stdout: string;
}

/** A command to run: program, arguments, optional file on stdin, optional working directory. */
export interface Command {
  cmd: string;
  args: readonly string[];
  stdinFile?: string;
  cwd?: string;
}

/**
 * Run a command as a child process under GNU `/usr/bin/time` (for the
 * child's user+sys CPU and peak RSS); wall time is measured here around the
 * spawn, so it covers start-up to exit. Rejects on a non-zero exit.
 *
 * @example const s = await runProcess({ cmd: "blkparse", args: ["-q", "-i", "-", "-o", "/dev/null"], stdinFile: "x.bin" });
 */
export async function runProcess(command: Command): Promise<ProcessSample> {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-time-"));
  const timeFile = join(dir, "time");
  const stdin = command.stdinFile ? openSync(command.stdinFile, "r") : "ignore";
  try {
    const started = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-f", "%U %S %M", "-o", timeFile, command.cmd, ...command.args], {
      stdio: [stdin, "pipe", "pipe"],
      ...(command.cwd ? { cwd: command.cwd } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) {
      const why = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-3).join(" / ");
      throw new Error(`${command.cmd} ${command.args.join(" ")} exited ${code}: ${why}`);
    }
    const [user, sys, rssKb] = readFileSync(timeFile, "utf8").trim().split("\n").pop()?.split(" ").map(Number) ?? [];
    return {
      wallS,
      cpuS: (user ?? Number.NaN) + (sys ?? Number.NaN),
      maxRssMB: (rssKb ?? Number.NaN) / 1024,
      stdout: Buffer.concat(out).toString("utf8"),
    };
  } finally {
    if (typeof stdin === "number") closeSync(stdin);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Best (smallest) wall and CPU time of each command over interleaved rounds. */
export interface Best {
  wallS: number;
  cpuS: number;
  maxRssMB: number;
  runs: number;
  /** stdout of the last run (for result checks). */
  stdout: string;
}

/**
 * Run several commands in interleaved rounds (A B C, A B C, ...) so that
 * load from other processes hits them alike, and keep each one's best wall
 * and CPU time (and its largest peak RSS). `rounds` may differ per command
 * (a slow baseline runs fewer times); a command runs in the first
 * `rounds[name]` rounds only. `before` runs before each run (e.g. delete a
 * database file).
 *
 * @example const best = await interleaved({ blkparse: cmdA, blkrx: cmdB }, { blkparse: 2, blkrx: 5 });
 */
export async function interleaved(
  commands: Record<string, Command & { before?: () => void }>,
  rounds: Record<string, number>,
  log: (line: string) => void = () => {},
): Promise<Record<string, Best>> {
  const best: Record<string, Best> = {};
  const most = Math.max(...Object.values(rounds));
  for (let r = 0; r < most; r++) {
    for (const [name, command] of Object.entries(commands)) {
      if (r >= (rounds[name] ?? 1)) continue;
      command.before?.();
      const s = await runProcess(command);
      log(
        `  ${name} round ${r + 1}: ${s.wallS.toFixed(3)} s wall, ${s.cpuS.toFixed(2)} s CPU, ${s.maxRssMB.toFixed(0)} MB`,
      );
      const b = best[name];
      best[name] = {
        wallS: Math.min(b?.wallS ?? Number.POSITIVE_INFINITY, s.wallS),
        cpuS: Math.min(b?.cpuS ?? Number.POSITIVE_INFINITY, s.cpuS),
        maxRssMB: Math.max(b?.maxRssMB ?? 0, s.maxRssMB),
        runs: (b?.runs ?? 0) + 1,
        stdout: s.stdout,
      };
    }
  }
  return best;
}
