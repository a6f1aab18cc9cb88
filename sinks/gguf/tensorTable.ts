import type { GgufRegion } from "../../model/ggufLayout.js";
import { newTable } from "../textTable.js";

/**
 * Render a GGUF file's regions (from `ggufRegions`) as a console table in
 * file order: name, layer, group, type, shape, absolute offset, bytes.
 *
 * @example process.stdout.write(renderTensorTable(ggufRegions(layout)));
 */
export function renderTensorTable(regions: readonly GgufRegion[]): string {
  const table = newTable({
    head: ["name", "layer", "group", "type", "shape", "offset", "bytes"],
    style: { head: [], border: [], compact: true },
    colAligns: ["left", "right", "left", "left", "left", "right", "right"],
  });
  for (const r of regions) {
    table.push([
      r.name,
      r.layer === null ? "-" : String(r.layer),
      r.group,
      r.type ?? "-",
      r.shape ? r.shape.join(" x ") : "-",
      r.offset === null ? "-" : String(r.offset),
      String(r.bytes),
    ]);
  }
  return `${table.toString()}\n`;
}

/**
 * The regions as `blkrx gguf tensors --json` prints them (spec v2 keys plus type and shape).
 *
 * @example JSON.parse(tensorListJson(regions))[0].name // "(header)"
 */
export function tensorListJson(regions: readonly GgufRegion[]): string {
  return `${JSON.stringify(
    regions.map((r) => ({
      name: r.name,
      layer: r.layer,
      group: r.group,
      type: r.type,
      shape: r.shape,
      offset: r.offset,
      bytes: r.bytes,
    })),
  )}\n`;
}
