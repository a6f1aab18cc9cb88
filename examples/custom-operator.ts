/**
 * Writing your own operator: count requests of at least 1 MiB and the bytes
 * they carry, composed into the same pipeline as the built-in operators.
 *
 * Two forms are shown: a per-event one with `tapEvents` (a BlockEvent object
 * per event, a few lines of code) and a per-batch one over the typed-array
 * columns (no allocation per event, for the hot path).
 *
 * Run: npm run build && node dist/examples/custom-operator.js [TRACE]
 */
import { fileURLToPath } from "node:url";
import { lastValueFrom, map, type OperatorFunction, reduce } from "rxjs";
import { type EventBatch, fromTrace, select, tapEvents } from "../index.js";

const MiB = 1 << 20;

/** Per-batch form: emits, per batch, how many requests were ≥ minBytes. */
export function countLarge(minBytes = MiB): OperatorFunction<EventBatch, { large: number; largeBytes: number }> {
  return map((batch) => {
    let large = 0;
    let largeBytes = 0;
    for (let i = 0; i < batch.length; i++) {
      const bytes = batch.bytes[i] as number;
      if (bytes >= minBytes) {
        large++;
        largeBytes += bytes;
      }
    }
    return { large, largeBytes };
  });
}

const fixtures = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const trace = process.argv[2] ?? `${fixtures}seq-contig.bin`;

let perEvent = 0;
const totals = await lastValueFrom(
  fromTrace(trace).pipe(
    select({ action: "D", rw: "read" }),
    tapEvents((e) => {
      if (e.bytes >= MiB) perEvent++;
    }),
    countLarge(MiB),
    reduce((a, b) => ({ large: a.large + b.large, largeBytes: a.largeBytes + b.largeBytes }), {
      large: 0,
      largeBytes: 0,
    }),
  ),
);
console.log(
  `requests >= 1 MiB: ${totals.large} (${totals.largeBytes} bytes); per-event count agrees: ${perEvent === totals.large}`,
);
