import { ggufRegions } from "../model/ggufLayout.js";
import { renderTensorTable, tensorListJson } from "../sinks/gguf/tensorTable.js";
import { readGgufLayout } from "../sources/ggufHeader.js";
import type { GgufSynthCliOptions, GgufTensorsCliOptions } from "./commands/gguf.js";
import { synthGguf } from "./gguf/synthGguf.js";
import { PRESETS, type SynthMix, type SynthOptions, type SynthOrder, type SynthType } from "./gguf/synthPlan.js";

/** Files at least this big report progress on stderr. */
const PROGRESS_FROM_BYTES = 256 * 2 ** 20;

/**
 * `blkrx gguf synth`: plan the model from the preset and options, write it
 * (streaming, bounded memory), report progress for large files and a
 * one-line result on stderr.
 *
 * @example await runGgufSynth({ out: "m.gguf", preset: "tiny", type: "q8_0", order: "eval", seed: 1 });
 */
export async function runGgufSynth(cli: GgufSynthCliOptions): Promise<void> {
  const started = performance.now();
  // made at the first report, once the file size is known
  let report: ((written: number) => void) | undefined | null = null;
  const layout = await synthGguf(cli.out, synthOptionsOf(cli), (written, total) => {
    if (report === null) report = progressReporter(total);
    report?.(written);
  });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `blkrx: wrote ${cli.out}: ${layout.tensors.length} tensors, ${layout.fileBytes} bytes (${Math.ceil(layout.fileBytes / 512)} sectors) in ${seconds.toFixed(1)} s\n`,
  );
}

/** Merge the preset with the shape options given. */
export function synthOptionsOf(cli: GgufSynthCliOptions): SynthOptions {
  const preset = PRESETS[cli.preset];
  if (!preset)
    throw new RangeError(`Unknown --preset ${cli.preset}: expected one of ${Object.keys(PRESETS).join(", ")}`);
  const o: SynthOptions = {
    layers: cli.layers ?? preset.layers,
    embd: cli.embd ?? preset.embd,
    ff: cli.ff ?? preset.ff,
    heads: cli.heads ?? preset.heads,
    kvHeads: cli.kvHeads ?? (cli.heads !== undefined ? cli.heads : preset.kvHeads),
    vocab: cli.vocab ?? preset.vocab,
    ctx: cli.ctx ?? preset.ctx,
    type: cli.type as SynthType,
    order: cli.order as SynthOrder,
    seed: cli.seed,
  };
  if (cli.mix !== undefined) o.mix = cli.mix as SynthMix;
  return o;
}

/** Progress lines on stderr (every 5 %) for files of at least 256 MiB. */
function progressReporter(total: number): ((written: number) => void) | undefined {
  if (total < PROGRESS_FROM_BYTES) return undefined;
  let shown = -1;
  const started = performance.now();
  return (written) => {
    const step = Math.floor((written / total) * 20);
    if (step <= shown) return;
    shown = step;
    const seconds = (performance.now() - started) / 1000;
    const mibs = seconds > 0 ? written / 2 ** 20 / seconds : 0;
    process.stderr.write(
      `blkrx: gguf synth ${step * 5}% (${Math.round(written / 2 ** 20)} MiB, ${mibs.toFixed(0)} MiB/s)\n`,
    );
  };
}

/**
 * `blkrx gguf tensors M.gguf [--json]`: every region of the file in file order.
 *
 * @example await runGgufTensors("m.gguf", { json: true });
 */
export async function runGgufTensors(path: string, options: GgufTensorsCliOptions): Promise<void> {
  const regions = ggufRegions(await readGgufLayout(path));
  process.stdout.write(options.json ? tensorListJson(regions) : renderTensorTable(regions));
}
