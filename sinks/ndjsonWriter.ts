import type { EventBatch } from "../model/batch.js";
import { eventAt } from "../model/event.js";

/**
 * The events of a batch as NDJSON: one `JSON.stringify` of the `BlockEvent`
 * view per line, each ending in "\n". `NdjsonDecoder` reads it back to the
 * same events. `names` supplies process names learned from earlier batches.
 *
 * @example process.stdout.write(formatNdjson(batch, names));
 * // {"device":{"major":7,"minor":0},"cpu":0,"sequence":0,"time":0,"pid":22732,"action":"A",...}
 */
export function formatNdjson(batch: EventBatch, names?: ReadonlyMap<number, string>): string {
  let out = "";
  for (let i = 0; i < batch.length; i++) out += `${JSON.stringify(eventAt(batch, i, names))}\n`;
  return out;
}
