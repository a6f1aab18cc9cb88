import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Imports run one way: pipeline → sources, operators, sinks → model. Each
 * layer lists what it may import of the project; operators also do no I/O
 * (no file system, no child processes), so they stay pure and marble-testable.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LAYERS = ["pipeline", "sources", "operators", "sinks", "model"] as const;
type Layer = (typeof LAYERS)[number];

const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  pipeline: LAYERS,
  sources: ["sources", "model"],
  operators: ["operators", "model"],
  sinks: ["sinks", "model"],
  model: ["model"],
};

/** Packages a layer may not import: I/O in operators belongs to sources (or the pipeline). */
const FORBIDDEN_PACKAGES: Partial<Record<Layer, RegExp>> = {
  operators: /^(node:)?(fs|fs\/promises|child_process)$|^execa$/,
};

/** Every module specifier of a file: static imports and re-exports, side-effect imports, dynamic `import("...")`. */
function specifiersOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  for (const m of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']/g))
    found.push(m[1] ?? "");
  for (const m of code.matchAll(/(?:^|[;\s])import\s*["']([^"']+)["']/g)) found.push(m[1] ?? "");
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1] ?? "");
  return found;
}

/**
 * Imports that break the layering, as "file imports spec (why)" lines.
 * `files` maps repository-relative paths to their text.
 */
function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [path, text] of files) {
    const layer = path.split("/")[0] as Layer;
    if (!LAYERS.includes(layer)) continue;
    for (const spec of specifiersOf(text)) {
      if (spec.startsWith(".")) {
        const target = relative(ROOT, resolve(ROOT, dirname(path), spec)).split("/")[0] ?? "";
        const allowed = MAY_IMPORT[layer];
        if (!allowed.includes(target as Layer))
          out.push(`${path} imports ${spec} (${layer}/ may import only ${allowed.join(", ")})`);
      } else if (FORBIDDEN_PACKAGES[layer]?.test(spec)) {
        out.push(`${path} imports ${spec} (${layer}/ does no I/O)`);
      }
    }
  }
  return out;
}

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) files.set(path, readFileSync(join(ROOT, path), "utf8"));
    }
  };
  for (const layer of LAYERS) walk(layer);
  return files;
}

describe("layers", () => {
  it("imports run one way (pipeline → sources, operators, sinks → model) and operators do no I/O", () => {
    const files = sourceFiles();
    expect(files.size).toBeGreaterThan(150);
    expect(violations(files)).toEqual([]);
  });

  it("the check finds each kind of breach: static, type-only, re-export, dynamic, side-effect and I/O imports", () => {
    const bad = new Map([
      ["sinks/a.ts", 'import type { Summary } from "../operators/summaryAccumulator.js";'],
      ["sinks/plots/b.ts", 'export { x } from "../../pipeline/cli.js";'],
      ["operators/c.ts", 'const { execa } = await import("execa");\nimport { promises } from "node:fs";'],
      ["operators/d.ts", 'import {\n  fromTrace,\n} from "../sources/fromTrace.js";'],
      ["model/e.ts", 'import "../sinks/units.js";\nconst m = await import("../operators/select.js");'],
      ["sources/f.ts", 'import { liveView } from "../sinks/liveView.js";'],
      // Allowed: within the layer, down to model, comments, and the pipeline importing anything.
      [
        "operators/ok.ts",
        'import { x } from "./select.js";\nimport { y } from "../model/batch.js";\n// import "../sinks/a.js"',
      ],
      ["pipeline/ok.ts", 'import { x } from "../sinks/liveView.js";\nimport { execa } from "execa";'],
    ]);
    expect(violations(bad)).toEqual([
      "sinks/a.ts imports ../operators/summaryAccumulator.js (sinks/ may import only sinks, model)",
      "sinks/plots/b.ts imports ../../pipeline/cli.js (sinks/ may import only sinks, model)",
      "operators/c.ts imports node:fs (operators/ does no I/O)",
      "operators/c.ts imports execa (operators/ does no I/O)",
      "operators/d.ts imports ../sources/fromTrace.js (operators/ may import only operators, model)",
      "model/e.ts imports ../sinks/units.js (model/ may import only model)",
      "model/e.ts imports ../operators/select.js (model/ may import only model)",
      "sources/f.ts imports ../sinks/liveView.js (sources/ may import only sources, model)",
    ]);
  });
});
