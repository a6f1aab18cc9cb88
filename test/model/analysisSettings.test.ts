import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { analysisSettings, DEFAULT_ANALYSIS_SETTINGS } from "../../model/analysisSettings.js";
import { registerAnalyze } from "../../pipeline/commands/analyze.js";
import { registerAnalyzeMany } from "../../pipeline/commands/analyzeMany.js";
import { registerGguf } from "../../pipeline/commands/gguf.js";
import { registerLatency } from "../../pipeline/commands/latency.js";
import { registerLive } from "../../pipeline/commands/live.js";
import { registerPlot } from "../../pipeline/commands/plot.js";
import { registerRun } from "../../pipeline/commands/run.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The one module allowed to write the defaults. */
const SETTINGS_MODULE = "model/analysisSettings.ts";

/**
 * Lines that restate a default of the analysis settings: the small/medium
 * limits (256, 2048) next to a word that says what they are, as a commander
 * default or a `??` fallback, and the action/direction defaults as fallbacks.
 * Other 256s and 2048s (chunk rows, byte tables, partition starts) pass.
 */
function restatedDefaults(path: string, text: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, i) => {
    const limits = /\b(256|2048)\b/.test(line) && /small|medium|gap/i.test(line);
    const fallback = /(\?\?|\.default\()\s*(256|2048|"D"|"read")(?!\w)/.test(line);
    if (limits || fallback) found.push(`${path}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

function sourceFiles(): string[] {
  const out = ["index.ts"];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) out.push(path);
    }
  };
  for (const dir of ["pipeline", "operators", "sources", "sinks", "model"]) walk(dir);
  return out;
}

describe("analysis settings", () => {
  it("takes the settings out of larger options, filling the missing ones from the defaults", () => {
    expect(DEFAULT_ANALYSIS_SETTINGS).toEqual({ action: "D", rw: "read", small: 256, medium: 2048 });
    expect(Object.isFrozen(DEFAULT_ANALYSIS_SETTINGS)).toBe(true);
    expect(analysisSettings()).toEqual(DEFAULT_ANALYSIS_SETTINGS);
    expect(analysisSettings({ small: 64, rw: "any" })).toEqual({ action: "D", rw: "any", small: 64, medium: 2048 });
    const cli = { action: "Q,D,C", rw: "write", small: 0, medium: 8, json: true, db: false } as const;
    expect(analysisSettings(cli)).toEqual({ action: "Q,D,C", rw: "write", small: 0, medium: 8 });
  });

  it("defines its defaults once: no source file outside the settings module restates them", () => {
    const files = sourceFiles();
    expect(files).toContain(SETTINGS_MODULE);
    const restated = files
      .filter((f) => f !== SETTINGS_MODULE)
      .flatMap((f) => restatedDefaults(f, readFileSync(join(ROOT, f), "utf8")));
    expect(restated).toEqual([]);
    // The check itself: it finds what it looks for, and only that.
    expect(restatedDefaults(SETTINGS_MODULE, readFileSync(join(ROOT, SETTINGS_MODULE), "utf8")).length).toBeGreaterThan(
      3,
    );
    const sample = [
      '    new Option("--small <sectors>", "largest small gap").argParser(nonNegativeInt).default(256),',
      "      medium: options.medium ?? 2048,",
      "export const DEFAULT_SMALL = 256;",
      " * @example classOf(300, 256, 2048) // GapClass.medium",
      '  const rw = options.rw ?? "read";',
      "export const CHUNK_ROWS = 2048;",
      "const counts = new Float64Array(256);",
      ' * @example targetOfDevice("259:0") // { partitionStart: 2048 }',
    ].join("\n");
    expect(restatedDefaults("x.ts", sample).map((l) => l.split(":")[1])).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("every command that selects events registers the same four options with those defaults", () => {
    const program = new Command();
    for (const register of [
      registerAnalyze,
      registerAnalyzeMany,
      registerGguf,
      registerLive,
      registerPlot,
      registerRun,
    ])
      register(program);
    const selecting = ["analyze", "analyze-many", "gguf attribute", "live", "plot", "run"];
    for (const path of selecting) {
      const command = path
        .split(" ")
        .reduce<Command>((c, name) => c.commands.find((s) => s.name() === name) as Command, program);
      const defaults = Object.fromEntries(
        ["action", "rw", "small", "medium"].map((name) => [
          name,
          command.options.find((o) => o.attributeName() === name)?.defaultValue,
        ]),
      );
      expect(defaults, path).toEqual(DEFAULT_ANALYSIS_SETTINGS);
    }
  });

  it("latency takes the same file range options as analyze", () => {
    const program = new Command();
    registerAnalyze(program);
    registerLatency(program);
    const range = (name: string) =>
      program.commands
        .find((c) => c.name() === name)
        ?.options.filter((o) => ["--extents", "--file", "--partition-start", "--file-size"].includes(o.long ?? ""))
        .map((o) => `${o.flags}: ${o.description}`);
    expect(range("latency")).toHaveLength(4);
    expect(range("latency")).toEqual(range("analyze"));
  });
});
