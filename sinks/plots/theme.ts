import { GAP_CLASSES } from "../../model/batch.js";

/** The font every plot names; PNGs get it from Debian's fonts-dejavu-core, the HTML report inlines it. */
export const PLOT_FONT = "DejaVu Sans";
/** Where resvg finds the font files (Debian's fonts-dejavu-core). */
export const FONT_DIR = "/usr/share/fonts/truetype/dejavu";

/** Legend names of the offset series keys: the five gap classes, then the first event. */
export const OFFSET_KEYS: readonly string[] = [...GAP_CLASSES, "first"];
/** One colour per offset key, fixed so that every plot and run reads the same. */
export const OFFSET_COLOURS: readonly string[] = ["#2b6cb0", "#38a169", "#d69e2e", "#e53e3e", "#805ad5", "#4a5568"];

/** Width of a plot's data rectangle, px (the pixel columns of downsampled series). */
export const PLOT_WIDTH = 720;

/** The shared vega-lite config: font, sizes, white background. */
export const PLOT_CONFIG = {
  font: PLOT_FONT,
  background: "white",
  view: { stroke: "#ccc" },
  title: { anchor: "start", fontSize: 14, subtitleFontSize: 11, subtitleColor: "#555" },
  axis: { labelFontSize: 10, titleFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11 },
} as const;

/** A vega-lite spec as plain data. */
export type VlSpec = Record<string, unknown>;

/** Bytes → MiB, the one size unit of every plot. */
export const MIB = 2 ** 20;
