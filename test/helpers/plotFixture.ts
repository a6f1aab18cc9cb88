import { readFileSync } from "node:fs";
import type { View } from "vega";
import { type FileMap, parseFilefrag } from "../../model/fileMap.js";
import type { PlotSeriesOptions } from "../../operators/plotSeries.js";
import { selectionFilter } from "../../operators/select.js";
import { plotInputsOf } from "../../pipeline/plotInputs.js";
import type { PlotInputs } from "../../sinks/plots/inputs.js";
import { fromTrace } from "../../sources/fromTrace.js";
import { FIXTURES } from "./cli.js";

/** The file map of a fixture's filefrag listing (partition start 2048, size from file-size.txt). */
export function fixtureFileMap(listing: string): FileMap {
  const fileSize = Number(readFileSync(`${FIXTURES}/file-size.txt`, "utf8").trim());
  return {
    ...parseFilefrag(readFileSync(`${FIXTURES}/${listing}`, "utf8"), { partitionStart: 2048 }),
    fileSize,
  };
}

/** Plot inputs of a fixture trace restricted to a file, as `blkrx plot` computes them. */
export function fixturePlotInputs(trace: string, listing: string, series: PlotSeriesOptions = {}): Promise<PlotInputs> {
  const fileMap = fixtureFileMap(listing);
  const path = `${FIXTURES}/${trace}`;
  return plotInputsOf({
    title: trace,
    fileMap,
    kept: () => fromTrace(path, { keep: selectionFilter({ action: "D", rw: "read" }), payloads: false }),
    all: () => fromTrace(path),
    series,
  });
}

interface SceneNode {
  name?: string;
  marktype?: string;
  items?: SceneNode[];
}

/**
 * The items of the mark named `name` (vega-lite names marks `<name>_marks`) in a view's scenegraph.
 *
 * @example markItems(view, "file_events").length // events drawn
 */
export function markItems(view: View, name: string): SceneNode[] {
  const found: SceneNode[] = [];
  const walk = (node: SceneNode) => {
    if (node.marktype && node.name === `${name}_marks`) found.push(...(node.items ?? []));
    for (const item of node.items ?? []) walk(item);
  };
  walk((view.scenegraph() as unknown as { root: SceneNode }).root);
  return found;
}
