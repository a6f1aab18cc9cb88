import type { AccessGrid } from "../model/plotData.js";

/** Options for {@link renderAccessPlot}. */
export interface AccessPlotOptions {
  /** Title above the plot. */
  title?: string;
  /** Pixels per grid cell. @default 2 */
  scale?: number;
}

/**
 * Render an access grid as a standalone SVG: time left to right, offset bottom
 * to top, each cell shaded by the log of the sectors read there (re-read
 * regions show darker). A plain, dependency-free picture for papers and
 * notes; open it in any browser.
 *
 * @example writeFileSync("access.svg", renderAccessPlot(grid, { title: "pressure-frag" }));
 */
export function renderAccessPlot(grid: AccessGrid, options: AccessPlotOptions = {}): string {
  const scale = options.scale ?? 2;
  const left = 70;
  const top = options.title ? 30 : 10;
  const width = grid.columns * scale;
  const height = grid.rows * scale;
  let max = 0;
  for (let i = 0; i < grid.cells.length; i++) max = Math.max(max, grid.cells[i] as number);
  const rects: string[] = [];
  for (let r = 0; r < grid.rows; r++) {
    for (let x = 0; x < grid.columns; x++) {
      const v = grid.cells[r * grid.columns + x] as number;
      if (v <= 0) continue;
      const shade = Math.log1p(v) / Math.log1p(max); // 0..1
      const light = Math.round(85 - 60 * shade);
      rects.push(
        `<rect x="${left + x * scale}" y="${top + r * scale}" width="${scale}" height="${scale}" fill="hsl(215,80%,${light}%)"/>`,
      );
    }
  }
  const seconds = grid.spanNs / 1e9;
  const yLabel = grid.fileOffsets ? "file offset (MiB)" : "device sector (MiB)";
  const mib = (grid.spanSectors * 512) / 2 ** 20;
  const text = (x: number, y: number, s: string, anchor = "start") =>
    `<text x="${x}" y="${y}" font-family="sans-serif" font-size="11" text-anchor="${anchor}">${escapeXml(s)}</text>`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${top + height + 40}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    options.title ? text(left, 18, options.title) : "",
    `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
    ...rects,
    text(left, top + height + 15, "0 s"),
    text(left + width, top + height + 15, `${formatNumber(seconds)} s`, "end"),
    text(left + width / 2, top + height + 30, `time (${grid.events} events)`, "middle"),
    text(left - 5, top + height, "0", "end"),
    text(left - 5, top + 10, formatNumber(mib), "end"),
    `<text x="15" y="${top + height / 2}" font-family="sans-serif" font-size="11" transform="rotate(-90 15 ${top + height / 2})" text-anchor="middle">${yLabel}</text>`,
    "</svg>",
  ];
  return `${parts.filter((p) => p !== "").join("\n")}\n`;
}

function formatNumber(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toPrecision(2);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c);
}
