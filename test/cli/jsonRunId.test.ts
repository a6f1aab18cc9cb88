import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blkrx, FIXTURES } from "../helpers/cli.js";

const TRACE = "direct-frag.bin";

describe("--json carries the stored run's id (runId), and no runId when nothing is stored", () => {
  it("analyze --json: runId is the id the store gave the run; absent with --no-db", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "blkrx-runid-")), "runs.duckdb");
    const first = await blkrx(["analyze", TRACE, "--json", "--db", db]);
    const second = await blkrx(["analyze", TRACE, "--json", "--db", db, "--action", "Q"]);
    expect(JSON.parse(first.stdout)).toMatchObject({ runId: 1, events: 22 });
    expect(JSON.parse(second.stdout)).toMatchObject({ runId: 2 });
    const stored = await blkrx([
      "sql",
      "--db",
      db,
      "--json",
      "select run_id, action, events from runs order by run_id",
    ]);
    expect(JSON.parse(stored.stdout)).toEqual([
      { run_id: 1, action: "D", events: 22 },
      { run_id: 2, action: "Q", events: JSON.parse(second.stdout).events },
    ]);
    const none = JSON.parse((await blkrx(["analyze", TRACE, "--json", "--no-db"])).stdout);
    expect(none).not.toHaveProperty("runId");
    expect(none.events).toBe(22);
  }, 60_000);

  it("live --json over a piped trace: runId too", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "blkrx-runid-")), "runs.duckdb");
    const input = readFileSync(join(FIXTURES, TRACE));
    const live = await blkrx(["live", "-", "--json", "--db", db], { input });
    expect(live.stderr).toContain(`stored run 1 in ${db}`);
    expect(JSON.parse(live.stdout)).toMatchObject({ runId: 1, events: 22 });
    const none = await blkrx(["live", "-", "--json", "--no-db"], { input });
    expect(JSON.parse(none.stdout)).not.toHaveProperty("runId");
  }, 60_000);
});
