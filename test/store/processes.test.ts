import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../sinks/duckdb/index.js";

const SCRIPT = new URL("./ingest.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "blkrx-proc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(new URL("../../dist/sinks/duckdb/index.js", import.meta.url))) {
    throw new Error("These tests run the built store: run `npm run build` first");
  }
});

function ingest(
  db: string,
  events: number,
): { child: ChildProcess; output: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, [SCRIPT, db, String(events)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const output = new Promise<{ code: number | null; out: string; err: string }>((done) =>
    child.on("close", (code) => done({ code, out, err })),
  );
  return { child, output };
}

/** Resolve once the child's stdout has contained `text`. */
function printed(child: ChildProcess, text: string): Promise<void> {
  let seen = "";
  return new Promise((ready) => {
    child.stdout?.on("data", (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) ready();
    });
  });
}

async function rows(db: string, sql: string): Promise<unknown[][]> {
  const store = await openStore(db);
  try {
    return (await store.connection.runAndReadAll(sql)).getRowsJS();
  } finally {
    store.close();
  }
}

describe("run store across processes", () => {
  it("stores both runs when two processes write the same file at once", async () => {
    const db = join(dir, "two.duckdb");
    const a = ingest(db, 300_000);
    const b = ingest(db, 200_000);
    const [ra, rb] = await Promise.all([a.output, b.output]);
    expect([ra.code, rb.code, ra.err, rb.err]).toEqual([0, 0, "", ""]);
    expect(
      await rows(
        db,
        "select r.run_id, r.events, count(e.ordinal) from runs r join events e using (run_id) group by all order by r.events",
      ),
    ).toEqual([
      [expect.any(Number), 200000n, 200000n],
      [expect.any(Number), 300000n, 300000n],
    ]);
  }, 120_000);

  it("gives up with one clear sentence when another process holds the file too long", async () => {
    const db = join(dir, "busy.duckdb");
    const holder = ingest(db, 3_000_000);
    await printed(holder.child, "opened");
    await expect(openStore(db, { timeoutMs: 300 })).rejects.toThrow(
      new RegExp(
        `^Cannot open the run store .*busy.duckdb: another process \\(pid ${holder.child.pid}\\) has been writing it`,
      ),
    );
    holder.child.kill("SIGKILL");
    await holder.output;
  }, 120_000);

  it("leaves no partial run when the writer is killed with SIGKILL mid-ingest", async () => {
    const db = join(dir, "kill.duckdb");
    const first = ingest(db, 10_000);
    expect((await first.output).code).toBe(0);
    const victim = ingest(db, 5_000_000);
    await printed(victim.child, "batch 200\n"); // ~1.6M events in: past DuckDB's optimistic writes

    victim.child.kill("SIGKILL");
    const killed = await victim.output;
    expect(killed.out).not.toContain("committed");
    expect(await rows(db, "select run_id, events from runs")).toEqual([[1, 10000n]]);
    expect(await rows(db, "select run_id, count(*) from events group by run_id")).toEqual([[1, 10000n]]);
    // The store still takes new runs after the crash.
    const after = ingest(db, 1000);
    expect((await after.output).out).toContain("committed 2");
  }, 120_000);
});
