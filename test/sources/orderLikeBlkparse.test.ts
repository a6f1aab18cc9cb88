import { describe, expect, it } from "vitest";
import { Act, Cat, Notify } from "../../model/actions.js";
import { concatBatches, type EventBatch } from "../../model/batch.js";
import { type BlockEvent, batchOf } from "../../model/event.js";
import { orderLikeBlkparse } from "../../sources/orderLikeBlkparse.js";
import { blankEvent } from "../helpers/events.js";

const Q = (Act.QUEUE | Cat.QUEUE | Cat.READ) >>> 0;
const NOTE = (Cat.NOTIFY | Notify.PROCESS) >>> 0;

/** A Q of 8 sectors at `sector` on `cpu` with sequence `sequence`, at `time` ns. */
const q = (time: number, cpu: number, sequence: number, sector = time): BlockEvent => ({
  ...blankEvent(),
  time,
  cpu,
  sequence,
  sector,
  code: Q,
  bytes: 4096,
});

async function order(batches: EventBatch[]): Promise<EventBatch> {
  const out: EventBatch[] = [];
  async function* source() {
    yield* batches;
  }
  for await (const b of orderLikeBlkparse(source())) out.push(b);
  return concatBatches(out);
}

/** CPU 0's 600 records (times 1000, 1010, ...), then CPU 1's 100 (times 1005, 1015, ...), numbered per CPU. */
function chunkedStream(): BlockEvent[] {
  const cpu0 = Array.from({ length: 600 }, (_, k) => q(1000 + 10 * k, 0, k + 1));
  const cpu1 = Array.from({ length: 100 }, (_, k) => q(1005 + 10 * k, 1, k + 1));
  return [...cpu0, ...cpu1];
}

describe("orderLikeBlkparse", () => {
  it("sorts each read of 512 records only, when each CPU's records are numbered 1, 2, 3, ... (blktrace -o -)", async () => {
    const out = await order([batchOf(chunkedStream())]);
    const times = Array.from(out.time);
    // Read 1 is CPU 0's first 512 records, printed as they are; read 2 holds CPU 0's last 88 and all of CPU 1.
    expect(times.slice(0, 512)).toEqual(Array.from({ length: 512 }, (_, k) => 1000 + 10 * k));
    const read2 = [
      ...Array.from({ length: 88 }, (_, k) => 6120 + 10 * k),
      ...Array.from({ length: 100 }, (_, k) => 1005 + 10 * k),
    ];
    expect(times.slice(512)).toEqual(read2.sort((a, b) => a - b));
  });

  it("sorts by time within the window once a CPU's numbers do not follow on (the tracefs stream numbers nothing)", async () => {
    // Two CPUs interleaved, each pair written in reverse time order, every sequence 0.
    const events = Array.from({ length: 700 }, (_, k) => q(1000 + 10 * (k % 2 === 0 ? k + 1 : k - 1), k % 2, 0));
    const out = await order([batchOf(events.slice(0, 300)), batchOf(events.slice(300))]);
    expect(Array.from(out.time)).toEqual(Array.from({ length: 700 }, (_, k) => 1000 + 10 * k));
  });

  it("passes notes at once, outside the reads, and keeps each read's rows whatever the batch boundaries", async () => {
    const events = chunkedStream();
    const note: BlockEvent = { ...blankEvent(), code: NOTE, cpu: 1, time: 99_999_999 };
    events.splice(550, 0, note);
    const whole = await order([batchOf(events)]);
    const pieces = await order([
      batchOf(events.slice(0, 37)),
      batchOf(events.slice(37, 550)),
      batchOf(events.slice(550)),
    ]);
    expect(Array.from(pieces.time)).toEqual(Array.from(whole.time));
    expect(whole.time[512]).toBe(99_999_999); // read 2 is printed after its note was handled
    expect(whole.length).toBe(701);
  });
});
