import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

/**
 * Small files, one concept each: no source file over 300 lines, except
 * where its first comment says why (a sentence starting "Longer than 300
 * lines because").
 */

const MAX_LINES = 300;
const FOLDERS = ["pipeline", "operators", "sources", "sinks", "model"];
const REASON = "Longer than 300 lines because";

/** Every .ts file under `dir`, as paths relative to the repository root. */
function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Lines as `wc -l` counts them. */
function lineCount(text: string): number {
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** The file's first comment (block or line), or "". */
function firstComment(text: string): string {
  return /\/\*[\s\S]*?\*\/|\/\/[^\n]*/.exec(text)?.[0] ?? "";
}

/** Files over the limit whose first comment gives no reason, with their line counts. */
function unexplainedLongFiles(): string[] {
  return FOLDERS.flatMap(tsFiles)
    .map((path) => ({ path: relative(ROOT, join(ROOT, path)), text: readFileSync(join(ROOT, path), "utf8") }))
    .filter(
      ({ text }) =>
        lineCount(text) > MAX_LINES &&
        !firstComment(text)
          .replace(/\s*\*?\s+/g, " ")
          .includes(REASON),
    )
    .map(({ path, text }) => `${path} (${lineCount(text)} lines)`);
}

describe("source file size", () => {
  it(`no file under ${FOLDERS.join("/, ")}/ is over ${MAX_LINES} lines unless its first comment says why`, () => {
    const long = unexplainedLongFiles();
    expect(long).toEqual([]);
  });

  it("counts lines as wc -l and finds the first comment wherever it starts", () => {
    expect(lineCount("a\nb\n")).toBe(2);
    expect(lineCount("a\nb")).toBe(2);
    expect(firstComment('import x from "y";\n/** Longer than 300 lines because z. */\n// later')).toContain(REASON);
    expect(firstComment("// one\n/* two */")).toBe("// one");
  });
});
