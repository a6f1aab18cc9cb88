import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Act, Cat, Notify } from "../../model/actions.js";
import { concatBatches, type EventBatch } from "../../model/batch.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { traceBatches } from "../../sources/fromTrace.js";
import { type RawRecord, recordsOf } from "../helpers/traces.js";

const T0 = 5_000_000_000_000n;
const OTHER_CLOCK = 3_554_050_072_668n;
const Q = (Act.QUEUE | Cat.QUEUE | Cat.READ) >>> 0;
const D = (Act.ISSUE | Cat.ISSUE | Cat.READ) >>> 0;
const PROCESS = (Cat.NOTIFY | Notify.PROCESS) >>> 0;
const TIMESTAMP = (Cat.NOTIFY | Notify.TIMESTAMP) >>> 0;
const MESSAGE = (Cat.NOTIFY | Notify.MESSAGE) >>> 0;

const comm = (name: string) => Uint8Array.from(Buffer.from(`${name}\0`.padEnd(16, "\0")));
const rec = (time: bigint, action: number, sector = 0, cpu = 0, payload?: Uint8Array): RawRecord => ({
  time,
  action,
  sector,
  bytes: action & Cat.NOTIFY ? 0 : 4096,
  cpu,
  sequence: 0,
  ...(payload ? { payload } : {}),
});

function decode(bytes: Uint8Array, batchSize = 8192): EventBatch {
  const dec = new BinaryDecoder({ batchSize });
  return concatBatches([...dec.push(bytes), ...dec.end()]);
}

async function replay(paths: string[]): Promise<EventBatch> {
  const out: EventBatch[] = [];
  for await (const b of traceBatches(paths)) out.push(b);
  return concatBatches(out);
}

const dir = mkdtempSync(join(tmpdir(), "blkrx-time-zero-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("time zero is blkparse's genesis, never a process-name note", () => {
  it("notes on another clock neither set time zero nor move: they take the time of the record before them", () => {
    const bytes = recordsOf([
      rec(T0 + OTHER_CLOCK, PROCESS, 0, 0, comm("reader")),
      rec(T0 + OTHER_CLOCK + 5n, TIMESTAMP, 0, 0, new Uint8Array(8)),
      rec(T0, Q, 2048),
      rec(T0 + 700n, D, 2048),
      rec(T0 - OTHER_CLOCK, PROCESS, 0, 1, comm("other")),
      rec(T0 + 900n, Q, 4096, 1),
    ]);
    for (const batchSize of [8192, 1]) {
      const b = decode(bytes, batchSize);
      expect(Array.from(b.time)).toEqual([0, 0, 0, 700, 700, 900]);
      expect(b.names).toEqual(new Map([[100, "other"]]));
    }
  });

  it("a MESSAGE note is a timed record, as blkparse prints and orders it", () => {
    const bytes = recordsOf([rec(T0, MESSAGE, 0, 0, Uint8Array.from(Buffer.from("hi\0"))), rec(T0 + 10n, Q, 8)]);
    expect(Array.from(decode(bytes).time)).toEqual([0, 10]);
  });

  it("a single stream: the earliest of its first 512 records is 0 (blkparse sorts a read of 512 before it starts the clock)", async () => {
    const records = Array.from({ length: 600 }, (_, i) => rec(T0 + 1000n + BigInt(i) * 10n, Q, 8 * i));
    records.splice(300, 0, rec(T0 + 500n, Q, 99_999, 1)); // 301st record, 500 ns before the first
    records.push(rec(T0 + 400n, Q, 77_777, 1)); // 602nd: too late to be time zero
    const path = join(dir, "single.bin");
    writeFileSync(path, recordsOf(records));
    const b = await replay([path]);
    expect([b.sector[0], b.time[0], b.time[1]]).toEqual([99_999, 0, 500]);
    expect(b.time[b.sector.indexOf(77_777)]).toBe(-100); // the 602nd record: too late to be time zero
  });

  it("a per-CPU set: the earliest first record of its files is 0; notes count in neither", async () => {
    writeFileSync(
      join(dir, "set.blktrace.0"),
      recordsOf([rec(T0 + OTHER_CLOCK, PROCESS, 0, 0, comm("a")), rec(T0 + 100n, Q, 8), rec(T0 + 300n, D, 8)]),
    );
    writeFileSync(
      join(dir, "set.blktrace.1"),
      recordsOf([rec(T0 - OTHER_CLOCK, PROCESS, 0, 1, comm("b")), rec(T0 + 50n, Q, 16, 1), rec(T0 + 400n, D, 16, 1)]),
    );
    const b = await replay([join(dir, "set")]);
    const timed = Array.from(b.time).filter((_, i) => ((b.action[i] as number) & Cat.NOTIFY) === 0);
    expect(timed).toEqual([0, 50, 250, 350]);
  });
});
