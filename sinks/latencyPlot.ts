import type { LatencyReport } from "../model/latency.js";
import { LATENCY_INTERVALS } from "../model/latency.js";

/**
 * Render the overall latency histograms of a report as one SVG: a panel per
 * interval the trace has (Q2G … Q2C), bars over biolatency's log2 µs buckets,
 * with N, p50 and p99 in the panel title.
 *
 * @example writeFileSync("latency.svg", renderLatencyPlot(report));
 */
export function renderLatencyPlot(report: LatencyReport, title = "request latency"): string {
  const panels = LATENCY_INTERVALS.flatMap((name) => {
    const stats = report.overall.intervals[name];
    return stats ? [{ name, stats }] : [];
  });
  const panelW = 360;
  const panelH = 160;
  const perRow = 2;
  const width = perRow * panelW + 20;
  const height = 40 + Math.ceil(panels.length / perRow) * (panelH + 50);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    label(10, 20, title, "start", 13),
  ];
  panels.forEach(({ name, stats }, k) => {
    const x0 = 10 + (k % perRow) * panelW + 40;
    const y0 = 40 + Math.floor(k / perRow) * (panelH + 50) + 20;
    const w = panelW - 60;
    const buckets = stats.histogram;
    const max = Math.max(1, ...buckets.map((b) => b.count));
    const barW = w / Math.max(buckets.length, 1);
    const us = (ns: number) => `${(ns / 1000).toFixed(ns < 10_000 ? 1 : 0)} µs`;
    out.push(label(x0, y0 - 6, `${name.toUpperCase()}  N ${stats.n}  p50 ${us(stats.p50)}  p99 ${us(stats.p99)}`));
    out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${panelH}" fill="none" stroke="#999"/>`);
    buckets.forEach((b, i) => {
      const h = (b.count / max) * (panelH - 4);
      if (b.count > 0) {
        out.push(
          `<rect x="${(x0 + i * barW + 1).toFixed(1)}" y="${(y0 + panelH - h).toFixed(1)}" width="${Math.max(barW - 2, 1).toFixed(1)}" height="${h.toFixed(1)}" fill="hsl(215,70%,45%)"><title>${b.lowUs}–${b.highUs} µs: ${b.count}</title></rect>`,
        );
      }
    });
    const first = buckets[0];
    const lastBucket = buckets[buckets.length - 1];
    if (first && lastBucket) {
      out.push(label(x0, y0 + panelH + 14, `${first.lowUs} µs`));
      out.push(label(x0 + w, y0 + panelH + 14, `${lastBucket.highUs} µs (log2 buckets)`, "end"));
    }
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function label(x: number, y: number, text: string, anchor = "start", size = 11): string {
  const safe = text.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c] ?? c);
  return `<text x="${x}" y="${y}" font-family="sans-serif" font-size="${size}" text-anchor="${anchor}">${safe}</text>`;
}
