import { writeFile } from "node:fs/promises";
import { gapTable, resultsTable, type TextTable } from "../sinks/compareTables.js";
import { openStore } from "../sinks/duckdb/openStore.js";
import { compareRuns } from "../sinks/duckdb/queries.js";
import { PLOTS } from "../sinks/plots/registry.js";
import { dejavuBase64, renderSvg } from "../sinks/plots/render.js";
import { type ReportPlot, renderReport } from "../sinks/report/html.js";
import { plotInputsOf } from "./plotInputs.js";
import { loadStoredRun, type StoredRun, storedEvents } from "./storedRun.js";

/** Options of `blkrx report`. */
export interface ReportCliOptions {
  run: number[];
  out: string;
  db: string;
  title?: string;
}

/** Run parameters the report lists, as (row label, runs column). */
const PARAMS: readonly (readonly [string, string])[] = [
  ["label", "label"],
  ["created", "created_at"],
  ["source", "source"],
  ["command line", "command_line"],
  ["device", "device"],
  ["file", "file_path"],
  ["file bytes", "file_bytes"],
  ["extents", "extent_count"],
  ["partition start (sectors)", "partition_start"],
  ["block size", "block_size"],
  ["action", "action"],
  ["direction", "rw"],
  ["small gap ≤ (sectors)", "small"],
  ["medium gap ≤ (sectors)", "medium"],
  ["kept events", "events"],
  ["raw events stored", "raw_events"],
  ["duration s", "duration_ns"],
  ["memory limit bytes", "mem_limit_bytes"],
  ["locked bytes", "locked_bytes"],
  ["tokens/s", "tokens_per_second"],
];

/**
 * The `blkrx report` command: read the runs from the store, compute their
 * plots, and write one self-contained HTML page with the study's tables side
 * by side, the run parameters and every plot.
 *
 * @example await runReport({ run: [1, 2], out: "report.html", db: "blkrx.duckdb" });
 */
/** The plots of a stored run: those needing inputs a run does not store (the GGUF model) are left out. */
const REPORT_PLOTS = PLOTS.filter((kind) => kind.needs === undefined);

export async function runReport(options: ReportCliOptions): Promise<void> {
  const store = await openStore(options.db, { mustExist: true });
  let content: Parameters<typeof renderReport>[0];
  try {
    const compared = await compareRuns(store, options.run);
    const runs: StoredRun[] = [];
    for (const id of options.run) runs.push(await loadStoredRun(store, id));
    const perRun: ReportPlot[][] = REPORT_PLOTS.map(() => []);
    for (const run of runs) {
      const inputs = await plotInputsOf({
        title: String(run.params.label ?? `run ${run.runId}`),
        ...run.settings,
        ...(run.fileMap ? { fileMap: run.fileMap } : {}),
        kept: () => storedEvents(store, run),
        all: run.hasRaw
          ? () => storedEvents(store, run)
          : `run ${run.runId} was stored without --raw, so its queue and complete events are not in the store`,
        phaseStarts: run.phaseStarts,
      });
      for (const [k, kind] of REPORT_PLOTS.entries()) {
        const spec = kind.spec(inputs);
        perRun[k]?.push(
          spec
            ? { runId: run.runId, svg: await renderSvg(spec) }
            : { runId: run.runId, missing: inputs.noLatency ?? "no data" },
        );
      }
    }
    content = {
      title: options.title ?? `blkrx report: ${compared.map((r) => r.label ?? `run ${r.runId}`).join(" vs ")}`,
      tables: [
        { caption: "Results", table: resultsTable(compared) },
        { caption: "Gap distribution", table: gapTable(compared) },
      ],
      params: paramsTable(runs),
      sections: REPORT_PLOTS.map((kind, k) => ({
        name: kind.name,
        description: kind.description,
        plots: perRun[k] ?? [],
      })),
      fontBase64: dejavuBase64(),
      generated: new Date().toISOString(),
    };
  } finally {
    store.close();
  }
  await writeFile(options.out, renderReport(content));
  process.stderr.write(
    `blkrx: wrote ${options.out} (${options.run.length} run(s), ${REPORT_PLOTS.length} plot kinds)\n`,
  );
}

function paramsTable(runs: readonly StoredRun[]): TextTable {
  return {
    head: ["parameter", ...runs.map((r) => `run ${r.runId}`)],
    rows: PARAMS.map(([label, column]) => [
      label,
      ...runs.map((r) => {
        const v = r.params[column];
        if (v === null || v === undefined) return "–";
        if (column === "duration_ns") return (Number(v) / 1e9).toFixed(3);
        return String(v);
      }),
    ]),
  };
}
