import { LLAMA_LAYER_EVAL_ORDER } from "../../model/ggufLayout.js";
import type { TensorAttribution, TensorReads } from "../../model/tensorAttribution.js";
import { newTable } from "../textTable.js";

const style = { head: [], border: [], compact: true };
/** 2^30 bytes: the binary GiB every blkrx table prints (the study's "GB"). */
const GIB = 2 ** 30;

/**
 * The attribution as console tables people read at a glance: bytes read per
 * layer × group as multiples of each tensor's size ("20.0" = read 20 times),
 * the other regions, the top backward transitions with their layer distance,
 * and when each group was first read.
 *
 * @example process.stdout.write(renderAttribution(result, { top: 10 }));
 */
export function renderAttribution(a: TensorAttribution, options: { top?: number } = {}): string {
  return [layerGrid(a.tensors), otherRegions(a.tensors), transitions(a, options.top ?? 10), firstReads(a.tensors)].join(
    "\n",
  );
}

function times(t: TensorReads): string {
  return t.bytes > 0 ? (t.readBytes / t.bytes).toFixed(1) : "-";
}

function groupsOf(tensors: readonly TensorReads[]): string[] {
  const present = new Set(tensors.filter((t) => t.layer !== null).map((t) => t.group));
  return [
    ...LLAMA_LAYER_EVAL_ORDER.filter((g) => present.has(g)),
    ...[...present].filter((g) => !LLAMA_LAYER_EVAL_ORDER.includes(g)).sort(),
  ];
}

function layerGrid(tensors: readonly TensorReads[]): string {
  const groups = groupsOf(tensors);
  if (groups.length === 0) return "";
  const byLayer = new Map<number, Map<string, TensorReads>>();
  for (const t of tensors) {
    if (t.layer === null) continue;
    if (!byLayer.has(t.layer)) byLayer.set(t.layer, new Map());
    byLayer.get(t.layer)?.set(t.group, t);
  }
  const table = newTable({ head: ["layer", ...groups], style });
  for (const layer of [...byLayer.keys()].sort((a, b) => a - b)) {
    const row = byLayer.get(layer);
    table.push([String(layer), ...groups.map((g) => (row?.get(g) ? times(row.get(g) as TensorReads) : ""))]);
  }
  return `reads per tensor, as multiples of its size (layer × group)\n${table.toString()}\n`;
}

function otherRegions(tensors: readonly TensorReads[]): string {
  const table = newTable({ head: ["region", "bytes", "read GiB", "× size", "unique %", "first read s"], style });
  for (const t of tensors.filter((x) => x.layer === null)) {
    table.push([
      t.name,
      String(t.bytes),
      (t.readBytes / GIB).toFixed(3),
      times(t),
      t.bytes > 0 ? ((100 * Math.min(t.uniqueBytes, t.bytes)) / t.bytes).toFixed(1) : "-",
      t.firstReadNs === null ? "-" : (t.firstReadNs / 1e9).toFixed(3),
    ]);
  }
  return `${table.toString()}\n`;
}

function transitions(a: TensorAttribution, top: number): string {
  const total = a.backward.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return "no backward seeks\n";
  const layerOf = new Map(a.tensors.map((t) => [t.name, t.layer]));
  const table = newTable({ head: ["from", "to", "count", "% of backward", "layers back"], style });
  for (const b of a.backward.slice(0, top)) {
    const from = layerOf.get(b.from);
    const to = layerOf.get(b.to);
    const distance = from !== null && from !== undefined && to !== null && to !== undefined ? String(from - to) : "-";
    table.push([b.from, b.to, String(b.count), ((100 * b.count) / total).toFixed(1), distance]);
  }
  const more = a.backward.length > top ? `(${a.backward.length - top} more transitions)\n` : "";
  return `top backward transitions (${total} backward seeks)\n${table.toString()}\n${more}`;
}

function firstReads(tensors: readonly TensorReads[]): string {
  const groups = new Map<string, { first: number | null; read: number; all: number }>();
  for (const t of tensors) {
    const g = groups.get(t.group) ?? { first: null, read: 0, all: 0 };
    g.all++;
    if (t.firstReadNs !== null) {
      g.read++;
      g.first = g.first === null ? t.firstReadNs : Math.min(g.first, t.firstReadNs);
    }
    groups.set(t.group, g);
  }
  const table = newTable({ head: ["group", "first read s", "tensors read"], style });
  const rows = [...groups].sort(
    ([, a], [, b]) => (a.first ?? Number.POSITIVE_INFINITY) - (b.first ?? Number.POSITIVE_INFINITY),
  );
  for (const [name, g] of rows) {
    table.push([name, g.first === null ? "-" : (g.first / 1e9).toFixed(3), `${g.read}/${g.all}`]);
  }
  return `when each group was first read\n${table.toString()}\n`;
}
