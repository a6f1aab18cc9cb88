import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { blkrx, ROOT } from "../helpers/cli.js";

/**
 * Acceptance: models made by `blkrx gguf synth` load in real llama.cpp and
 * generate tokens. llama.cpp comes from node-llama-cpp (prebuilt CPU binaries
 * from npm, ~700 MB), kept out of blkrx's own dependencies: the one install is
 * the LLM offloading example's (examples/llm-offload/package.json pins it), so
 * CI downloads it once for this test and the study's. .ci/run installs it;
 * otherwise this file does, and skips with the reason when it cannot.
 */
const HERE = join(ROOT, "examples/llm-offload");
const CLI = join(HERE, "node_modules/node-llama-cpp/dist/cli/cli.js");

async function ensureLlamaCpp(): Promise<string | undefined> {
  if (existsSync(CLI)) return undefined;
  const r = await execa("npm", ["ci", "--no-audit", "--no-fund"], { cwd: HERE, reject: false, timeout: 15 * 60_000 });
  if (r.exitCode === 0 && existsSync(CLI)) return undefined;
  // npm's first error line says why (code, network error); its last one only points to a log file
  const lines = `${r.stderr}\n${r.stdout}`
    .split("\n")
    .filter((l) => /^npm (error|ERR!)/.test(l) && !/complete log/.test(l));
  const why = lines.slice(0, 2).join("; ") || `npm ci exited with ${r.exitCode}`;
  return `node-llama-cpp could not be installed in examples/llm-offload (${why})`;
}

const skipReason = await ensureLlamaCpp();
if (skipReason) process.stderr.write(`test/llama/llamaCpp.test.ts skipped: ${skipReason}\n`);

const dir = mkdtempSync(join(tmpdir(), "blkrx-llama-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODELS: [string, string[]][] = [
  ["tiny f16, quantize order", ["--order", "quantize"]],
  ["tiny f16, eval order", ["--order", "eval"]],
  ["tiny q8_0", ["--type", "q8_0"]],
  ["tiny q4_k_m, quantize order", ["--mix", "q4_k_m"]],
  ["tiny q4_k_m, eval order", ["--mix", "q4_k_m", "--order", "eval"]],
  ["tiny f32", ["--type", "f32"]],
  ["tiny q4_0", ["--type", "q4_0"]],
  ["tiny q4_k", ["--type", "q4_k"]],
  ["tiny q6_k", ["--type", "q6_k"]],
];

describe.skipIf(skipReason !== undefined)("synthetic models in real llama.cpp (node-llama-cpp 3.21.1)", () => {
  MODELS.forEach(([label, options], i) => {
    it(`${label}: loads and generates tokens`, { timeout: 180_000 }, async () => {
      const model = join(dir, `m${i}.gguf`);
      const w = await blkrx(["gguf", "synth", "--preset", "tiny", "--out", model, ...options]);
      expect(w.exitCode, w.stderr).toBe(0);
      const r = await execa(
        "node",
        [
          CLI,
          "complete",
          "--model",
          model,
          "--text",
          "The quick brown fox",
          "--maxTokens",
          "8",
          "--gpu",
          "false",
          "--threads",
          "2",
        ],
        { reject: false, input: "", timeout: 150_000, env: { NO_COLOR: "1" } },
      );
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.exitCode, out).toBe(0);
      expect(out).toMatch(/Model loaded/);
      const completion = /Completion: (.*)/.exec(r.stdout)?.[1] ?? "";
      expect(completion.trim().length, out).toBeGreaterThan(0);
    });
  });
});
