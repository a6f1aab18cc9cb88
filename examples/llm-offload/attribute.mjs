// Per-tensor attribution of one stored run: its raw events (from the run store, the inference phase only when asked)
// written as blkrx NDJSON and read by `blkrx gguf attribute`, with the model's header (the cached source model has
// the same bytes as the copy on the loop disk) and the copy's filefrag extents.
import { execFileSync } from "node:child_process";
import { query, withStudyStore } from "./store.mjs";

/**
 * Resolve to `blkrx gguf attribute --json`'s object (analyze + tensors + backward) for a run's events from
 * `fromPhase` on (0: whole run, 1: inference), or null when the run stored no events in that phase.
 *
 * @example await attributeRun({ db, runId: 3, fromPhase: 1, model: "m.gguf", filefrag: "m.filefrag.txt", blkrxBin, scratch: "/tmp/r3.ndjson" })
 */
export async function attributeRun({ db, runId, fromPhase, model, filefrag, partitionStart, blkrxBin, scratch }) {
  // DuckDB writes the NDJSON itself (COPY ... FORMAT JSON): bounded memory for the study size's millions of records.
  const [{ n }] = await withStudyStore(db, async (c) => {
    const where = `run_id = ${Number(runId)} AND time_ns >= coalesce(
         (SELECT min(time_ns) FROM events WHERE run_id = ${Number(runId)} AND phase >= ${Number(fromPhase)}),
         ${fromPhase === 0 ? 0 : "9223372036854775807"})`;
    await c.run(
      `COPY (SELECT {'major': device >> 20, 'minor': device & 1048575} AS device, cpu, sequence, time_ns AS time, pid,
          sector, bytes, error, action_raw AS code FROM raw_events WHERE ${where} ORDER BY ordinal)
       TO '${scratch.replaceAll("'", "''")}' (FORMAT JSON)`,
    );
    return query(c, `SELECT count(*) AS n FROM raw_events WHERE ${where}`);
  });
  if (n === 0) return null;
  const out = execFileSync(
    process.execPath,
    [
      blkrxBin,
      "gguf",
      "attribute",
      scratch,
      "--model",
      model,
      "--extents",
      filefrag,
      "--partition-start",
      String(partitionStart),
      "--json",
    ],
    { encoding: "utf8", maxBuffer: 256 * 2 ** 20, stdio: ["ignore", "pipe", "pipe"] },
  );
  return JSON.parse(out);
}

/**
 * Reads per layer × group (bytes) and the backward transitions inside a layer (from and to in the same layer).
 *
 * @example layerGroups(attribution).get(0).get("attn_q") // bytes read from layer 0's attn_q
 */
export function layerGroups(attribution) {
  const grid = new Map();
  for (const t of attribution.tensors) {
    const key = t.layer ?? -1;
    if (!grid.has(key)) grid.set(key, new Map());
    grid.get(key).set(t.group, (grid.get(key).get(t.group) ?? 0) + t.readBytes);
  }
  return grid;
}

/** Backward transitions whose both ends are tensors of the same layer (blk.N.*). */
export function inLayerBackward(attribution) {
  const layerOf = (name) => /^blk\.(\d+)\./.exec(name)?.[1];
  return attribution.backward.filter((b) => layerOf(b.from) !== undefined && layerOf(b.from) === layerOf(b.to));
}
