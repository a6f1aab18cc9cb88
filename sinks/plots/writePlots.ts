import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PlotInputs } from "./inputs.js";
import { PLOTS } from "./registry.js";
import { renderSvg, svgToPng } from "./render.js";

/** Image formats `blkrx plot` writes. */
export type ImageFormat = "svg" | "png" | "both";

/** What {@link writePlots} wrote and what it could not draw (and why). */
export interface WrittenPlots {
  readonly files: string[];
  readonly skipped: { name: string; why: string }[];
}

/**
 * Render the named plots of one run into `dir` as `<prefix><name>.svg`
 * and/or `.png` (one file per plot and format). A plot whose data the run
 * lacks (latency without queue/complete events) is listed in `skipped`.
 *
 * @example await writePlots(inputs, ["offset", "gaps"], "plots", "both")
 */
export async function writePlots(
  inputs: PlotInputs,
  names: readonly string[],
  dir: string,
  format: ImageFormat,
  prefix = "",
): Promise<WrittenPlots> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const kind of PLOTS) {
    if (!names.includes(kind.name)) continue;
    const spec = kind.spec(inputs);
    if (!spec) {
      skipped.push({ name: kind.name, why: kind.needs ?? inputs.noLatency ?? "the run lacks its data" });
      continue;
    }
    files.push(...(await writeImage(await renderSvg(spec), join(dir, `${prefix}${kind.name}`), format)));
  }
  return { files, skipped };
}

/**
 * Write one SVG as `<base>.svg` and/or `<base>.png`; returns the paths written.
 *
 * @example await writeImage(svg, "plots/access", "png") // ["plots/access.png"]
 */
export async function writeImage(svg: string, base: string, format: ImageFormat): Promise<string[]> {
  const out: string[] = [];
  if (format !== "png") {
    await writeFile(`${base}.svg`, svg);
    out.push(`${base}.svg`);
  }
  if (format !== "svg") {
    await writeFile(`${base}.png`, svgToPng(svg));
    out.push(`${base}.png`);
  }
  return out;
}
