import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa, execaSync } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../sinks/duckdb/index.js";
import { BIN, blkrx, FIXTURES } from "../helpers/cli.js";
import { SOAK } from "./helpers.js";

/**
 * The run store under faults: `blkrx analyze --db` SIGKILLed at random
 * moments (start-up, creating the file, ingest, commit, after exit) never
 * leaves a partial run or a file DuckDB cannot open; a full disk gives one
 * sentence, exit 1 and no partial run.
 */
const dir = mkdtempSync(join(tmpdir(), "blkrx-store-faults-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GENERATOR = fileURLToPath(new URL("./generateTrace.mjs", import.meta.url));
const KILLS = SOAK ? 100 : 12;
/** pressure-frag ×250: 36 MB, 61,750 D reads; one analyze --db takes ~2 s here. */
const REPS = 250;
const EVENTS = 247 * REPS;
const trace = join(dir, "big.bin");
const isRoot = process.getuid?.() === 0;

beforeAll(async () => {
  const r = await execa(process.execPath, [GENERATOR, join(FIXTURES, "pressure-frag.bin"), String(REPS)], {
    encoding: "buffer",
    stripFinalNewline: false,
  });
  writeFileSync(trace, r.stdout);
}, 60_000);

async function rows(db: string, sql: string): Promise<unknown[][]> {
  const store = await openStore(db, { timeoutMs: 5000 });
  try {
    return (await store.connection.runAndReadAll(sql)).getRowsJS();
  } finally {
    store.close();
  }
}

/** A small deterministic PRNG, so a failing kill schedule can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("SIGKILL during ingest", () => {
  it(`${KILLS} kills at random points leave only whole runs and an openable store`, async () => {
    const db = join(dir, "kills.duckdb");
    const seed = Number(process.env.BLKRX_KILL_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    // How long a whole run takes, to spread the kills over start-up, ingest and commit.
    const t0 = Date.now();
    const first = await blkrx(["analyze", trace, "--db", db, "--json"], { cwd: dir });
    const runMs = Date.now() - t0;
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout).events).toBe(EVENTS);
    let ids = [1];
    let killedBeforeCommit = 0;
    let killedAfterCommit = 0;
    /** Ids a killed run took from the sequence without storing the run (see below). */
    const unused: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const child = spawn(process.execPath, [BIN, "analyze", trace, "--db", db, "--json"], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      const exit = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
      // Mostly before the commit; every fourth kill may also land during or after it.
      const killAtMs = random() * runMs * (k % 4 === 3 ? 1.3 : 0.9);
      await new Promise((r) => setTimeout(r, killAtMs));
      child.kill("SIGKILL");
      const code = await exit;
      // After every kill: the file opens, every run is whole, no event rows belong to no run.
      const runs = await rows(
        db,
        "select r.run_id, r.events, (select count(*) from events e where e.run_id = r.run_id) from runs r order by 1",
      );
      const now = runs.map((r) => Number(r[0]));
      const added = now.length - ids.length;
      expect(added === 0 || added === 1).toBe(true);
      expect(runs.map((r) => [r[1], r[2]])).toEqual(now.map(() => [BigInt(EVENTS), BigInt(EVENTS)]));
      // The runs before are all still there; a new one has a larger id than any before. Ids are never reused, but
      // one can go unused: CI once saw runs 1 and 3 after a kill (an id taken from the sequence by a killed run,
      // kept by DuckDB without the run; 12 seeds of 12 kills and one of 100 did not repeat it here).
      expect(now.slice(0, ids.length)).toEqual(ids);
      if (added === 1 && (now.at(-1) ?? 0) > (ids.at(-1) ?? 0) + 1) unused.push(`before run ${now.at(-1)} (kill ${k})`);
      expect(await rows(db, "select count(*) from events where run_id not in (select run_id from runs)")).toEqual([
        [0n],
      ]);
      // A run the command said it stored is in the store, whatever came after.
      const said = /stored run (\d+) in/.exec(err)?.[1];
      if (said !== undefined) expect(now).toContain(Number(said));
      if (code === 0) {
        expect([added, JSON.parse(out).events]).toEqual([1, EVENTS]);
      } else {
        expect([code, err]).toEqual([null, expect.not.stringMatching(/Error|at /)]);
        if (added === 1) killedAfterCommit++;
        else killedBeforeCommit++;
      }
      ids = now;
    }
    const killed = killedBeforeCommit + killedAfterCommit;
    console.log(
      `storeIntegrity: ${killed} SIGKILLs survived (${killedBeforeCommit} before the commit, rolled back; ` +
        `${killedAfterCommit} after it, kept whole), ${KILLS - killed} runs finished first; seed ${seed}, run ${runMs} ms` +
        (unused.length > 0 ? `; ids left unused by a killed commit: ${unused.join(", ")}` : ""),
    );
    // The store still takes new runs, with an id never used before.
    const after = await blkrx(["analyze", trace, "--db", db, "--json"], { cwd: dir });
    const next = Number(/stored run (\d+) in/.exec(after.stderr)?.[1]);
    expect(next).toBeGreaterThan(ids.at(-1) ?? 0);
    expect(killedBeforeCommit).toBeGreaterThanOrEqual(KILLS / 3);
  }, 600_000);
});

const skipFull = isRoot ? undefined : "the disk-full test mounts a small tmpfs, which needs root";
if (skipFull) console.warn(`skipping: ${skipFull}`);

describe.skipIf(skipFull !== undefined)("disk full", () => {
  const mnt = join(dir, "full");
  beforeAll(() => {
    mkdirSync(mnt, { recursive: true });
    execaSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt]);
  });
  afterAll(() => {
    if (existsSync(mnt)) execaSync("umount", [mnt], { reject: false });
  });

  it("a store on a full 3 MiB tmpfs: one sentence, exit 1, the earlier run intact and no partial run", async () => {
    const db = join(mnt, "runs.duckdb");
    const small = await blkrx(["analyze", "direct-contig.bin", "--db", db, "--json"]);
    expect(small.exitCode).toBe(0);
    const big = await blkrx(["analyze", trace, "--db", db, "--json"]);
    expect(big.exitCode).toBe(1);
    expect(big.stdout).toBe("");
    expect(big.stderr).toBe(
      `blkrx: Cannot store the run in ${db}: the disk is full (no space left on device); nothing of this run was stored`,
    );
    expect(await rows(db, "select run_id, events from runs")).toEqual([[1, 22n]]);
    expect(await rows(db, "select run_id, count(*) from events group by run_id")).toEqual([[1, 22n]]);
  }, 60_000);
});
