import type { Command } from "commander";

/** Options of `blkrx compare`. */
export interface CompareCliOptions {
  db: string;
  markdown?: boolean;
}

/**
 * `blkrx compare RUN...`: print the study's two tables for the given runs —
 * results (configuration, device, extents, memory limit, time, tok/s, read
 * and unique GB, coverage, backward %) and the physical/logical gap
 * distribution — and, for runs of `analyze --gguf`, the reads per tensor
 * group side by side, as terminal tables or, with --markdown, markdown for notes.
 *
 * @example registerCompare(program)
 */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("print the results and gap-distribution tables for stored runs")
    .argument("<runs...>", "run ids (see blkrx runs)")
    .option("--db <path>", "DuckDB run store", "./blkrx.duckdb")
    .option("--markdown", "print markdown tables")
    .action(async (ids: string[], options: CompareCliOptions) => {
      const { compareRuns, parseRunIds, withStore } = await import("../../sinks/duckdb/index.js");
      const tables = await import("../../sinks/compareTables.js");
      const runIds = parseRunIds(ids);
      const runs = await withStore(options.db, (store) => compareRuns(store, runIds), { readOnly: true });
      const render = options.markdown ? tables.renderMarkdown : tables.renderConsole;
      const results = render(tables.resultsTable(runs));
      const gaps = render(tables.gapTable(runs));
      process.stdout.write(
        options.markdown
          ? `### Results\n\n${results}\n\n### Gap distribution\n\n${gaps}\n`
          : `Results\n${results}\n\nGap distribution\n${gaps}\n`,
      );
      const groups = tables.tensorGroupTable(runs);
      if (groups) {
        const text = render(groups);
        process.stdout.write(
          options.markdown ? `\n### Reads per tensor group\n\n${text}\n` : `\nReads per tensor group\n${text}\n`,
        );
      }
    });
}
