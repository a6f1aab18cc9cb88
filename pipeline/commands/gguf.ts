import { type Command, InvalidArgumentError, Option } from "commander";
import { type AnalysisCliOptions, analysisOptions, deviceOption, fileRangeOptions, inputOptions } from "./options.js";

/** Options of `blkrx gguf synth` as commander gives them. */
export interface GgufSynthCliOptions {
  out: string;
  preset: string;
  layers?: number;
  embd?: number;
  ff?: number;
  heads?: number;
  kvHeads?: number;
  vocab?: number;
  ctx?: number;
  type: string;
  mix?: string;
  order: string;
  seed: number;
}

/** Options of `blkrx gguf tensors`. */
export interface GgufTensorsCliOptions {
  json?: boolean;
}

/** Options of `blkrx gguf attribute`. */
export interface GgufAttributeCliOptions extends AnalysisCliOptions {
  model: string;
  json?: boolean;
  top: number;
}

/**
 * `blkrx gguf synth` (write a llama GGUF model with random weights) and
 * `blkrx gguf tensors` (list a GGUF file's tensors and regions) and
 * `blkrx gguf attribute` (analyze a trace and attribute its reads and
 * backward seeks to the model's tensors).
 *
 * @example registerGguf(program)
 */
export function registerGguf(program: Command): void {
  const gguf = program
    .command("gguf")
    .description("make synthetic llama GGUF models, list GGUF tensor layouts, attribute traced reads to tensors");
  const shape = (flag: string, what: string) =>
    new Option(`--${flag} <n>`, `${what} (default: from --preset)`).argParser(positiveInt);
  gguf
    .command("synth")
    .description("write a llama GGUF model with random weights that llama.cpp loads and runs")
    .requiredOption("--out <file.gguf>", "file to write")
    .addOption(new Option("--preset <name>", "model shape").choices(["tiny", "llama-2-7b"]).default("tiny"))
    .addOption(shape("layers", "transformer layers"))
    .addOption(shape("embd", "embedding width"))
    .addOption(shape("ff", "feed-forward width"))
    .addOption(shape("heads", "attention heads"))
    .addOption(
      new Option(
        "--kv-heads <n>",
        "key/value heads, fewer than --heads for grouped-query attention (default: --heads if given, else from --preset)",
      ).argParser(positiveInt),
    )
    .addOption(shape("vocab", "vocabulary size (at least 259)"))
    .addOption(shape("ctx", "trained context length"))
    .addOption(
      new Option("--type <type>", "type of the weight matrices (norms are F32)")
        .choices(["f32", "f16", "q8_0", "q4_0", "q4_k", "q6_k"])
        .default("f16"),
    )
    .addOption(
      new Option("--mix <mix>", "llama.cpp's per-tensor types of a quantization mix (overrides --type)").choices([
        "q4_k_m",
      ]),
    )
    .addOption(
      new Option(
        "--order <order>",
        "tensor order: quantize (llama-quantize's, as real files) or eval (evaluation order)",
      )
        .choices(["quantize", "eval"])
        .default("quantize"),
    )
    .addOption(new Option("--seed <n>", "seed of the random weights").argParser(nonNegative).default(1))
    .action(async (options: GgufSynthCliOptions) => {
      const { runGgufSynth } = await import("../runGguf.js");
      await runGgufSynth(options);
    });
  gguf
    .command("tensors")
    .description(
      "list every tensor (name, layer, group, type, shape, offset, bytes) and the header/padding/end regions",
    )
    .argument("<model.gguf>", "GGUF file")
    .option("--json", "print one JSON array of regions")
    .action(async (model: string, options: GgufTensorsCliOptions) => {
      const { runGgufTensors } = await import("../runGguf.js");
      await runGgufTensors(model, options);
    });
  const attribute = gguf
    .command("attribute")
    .description(
      "analyze traces like blkrx analyze and attribute the reads and backward seeks to the model's tensors (spec v2)",
    )
    .argument("<inputs...>", "trace files, - for stdin, or a blktrace base name")
    .requiredOption("--model <model.gguf>", "the GGUF file the trace read (its header gives the tensor layout)");
  for (const option of [...fileRangeOptions(), ...analysisOptions(), ...inputOptions(), deviceOption()])
    attribute.addOption(option);
  attribute
    .option("--json", "print the analyze summary object with the `tensors` and `backward` keys")
    .addOption(new Option("--top <n>", "backward transitions shown in the table").argParser(positiveInt).default(10))
    .action(async (inputs: string[], options: GgufAttributeCliOptions) => {
      const { runGgufAttribute } = await import("../runGgufAttribute.js");
      await runGgufAttribute(inputs, options);
    });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
    throw new InvalidArgumentError(`expected an integer from 0 to 4294967295, got "${value}"`);
  }
  return n;
}
