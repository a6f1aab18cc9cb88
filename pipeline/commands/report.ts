import { type Command, Option } from "commander";
import { runIdList } from "./plot.js";

/**
 * `blkrx report --run ID... --out report.html`: one self-contained HTML
 * page (fonts and data inlined, no network) with the study's tables for the
 * runs side by side, their parameters and every plot; open it in a browser
 * or print it.
 *
 * @example registerReport(program)
 */
export function registerReport(program: Command): void {
  program
    .command("report")
    .description("write a self-contained HTML report of stored runs: tables side by side, parameters, every plot")
    .addOption(new Option("--run <ids...>", "run ids (see blkrx runs)").argParser(runIdList).makeOptionMandatory())
    .option("--out <file.html>", "where to write the report", "report.html")
    .option("--db <path>", "DuckDB run store", "./blkrx.duckdb")
    .option("--title <title>", "page title (default: the run labels)")
    .action(async (options: { run: number[]; out: string; db: string; title?: string }) => {
      const { runReport } = await import("../runReport.js");
      await runReport(options);
    });
}
