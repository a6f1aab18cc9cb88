import { readdirSync, readFileSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { FONT_DIR, PLOT_CONFIG, PLOT_FONT, type VlSpec } from "./theme.js";

/**
 * Compile a vega-lite spec (with the shared config) and run it headless: the
 * View's scenegraph and scales are what tests read.
 *
 * @example const view = await plotView(gapSpec(inputs)); view.scale("x").domain()
 */
export async function plotView(spec: VlSpec): Promise<View> {
  const full = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", config: PLOT_CONFIG, ...spec };
  // biome-ignore lint/suspicious/noExplicitAny: vega-lite's TopLevelSpec union is too deep to build as plain data
  const vega = compile(full as any).spec;
  const view = new View(parse(vega), { renderer: "none" });
  await view.runAsync();
  return view;
}

/**
 * Render a vega-lite spec to a standalone SVG string (vega's View.toSVG()).
 *
 * @example writeFileSync("gaps.svg", await renderSvg(gapSpec(inputs)));
 */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const view = await plotView(spec);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterise an SVG to PNG with resvg at `zoom` × its size, with the DejaVu
 * fonts of Debian's fonts-dejavu-core (resvg needs font files; it does not
 * ask the system). Throws a sentence naming the package when they are missing.
 *
 * @example writeFileSync("gaps.png", svgToPng(svg));
 */
export function svgToPng(svg: string, zoom = 2): Buffer {
  const fontFiles = dejavuFonts();
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: zoom },
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: PLOT_FONT, sansSerifFamily: PLOT_FONT },
  });
  return resvg.render().asPng();
}

let fonts: string[] | undefined;

function dejavuFonts(): string[] {
  if (fonts) return fonts;
  let names: string[] = [];
  try {
    // Regular and bold are all the plots use; every extra face costs parse time in each PNG.
    names = readdirSync(FONT_DIR).filter((n) => n === "DejaVuSans.ttf" || n === "DejaVuSans-Bold.ttf");
  } catch {
    names = [];
  }
  if (names.length === 0)
    throw new Error(`Cannot draw PNG plots: no DejaVu fonts in ${FONT_DIR} (install Debian's fonts-dejavu-core)`);
  fonts = names.map((n) => `${FONT_DIR}/${n}`);
  return fonts;
}

/**
 * The regular DejaVu Sans font file as base64, for inlining into the HTML report.
 *
 * @example `@font-face { src: url(data:font/ttf;base64,${dejavuBase64()}) }`
 */
export function dejavuBase64(): string {
  dejavuFonts();
  return readFileSync(`${FONT_DIR}/DejaVuSans.ttf`).toString("base64");
}
