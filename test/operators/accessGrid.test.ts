import { readFileSync } from "node:fs";
import { join } from "node:path";
import { firstValueFrom, from, lastValueFrom } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { concatBatches, type EventBatch } from "../../model/batch.js";
import { batchOf } from "../../model/event.js";
import { parseFilefrag } from "../../model/fileMap.js";
import { accessGrid } from "../../operators/accessGrid.js";
import { analyzeEvents } from "../../pipeline/analyze.js";
import { renderAccessPlot } from "../../sinks/accessPlot.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { FIXTURES } from "../helpers/cli.js";
import { ev } from "../helpers/events.js";

const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);

describe("accessGrid", () => {
  const map = parseFilefrag(readFileSync(join(FIXTURES, "frag.filefrag.txt"), "utf8"), { partitionStart: 2048 });
  const dec = new BinaryDecoder({ file: "pressure-frag.bin" });
  const trace = concatBatches([...dec.push(readFileSync(join(FIXTURES, "pressure-frag.bin"))), ...dec.end()]);

  it("holds every sector read of the fixture (readBytes / 512), whatever the grid size", async () => {
    for (const [columns, rows] of [
      [600, 300],
      [7, 3],
    ] as const) {
      const grid = await lastValueFrom(
        from([trace]).pipe(analyzeEvents({ fileMap: map }), accessGrid({ fileMap: map, columns, rows })),
      );
      expect(grid.events).toBe(243);
      expect(sum(grid.cells)).toBe(275730432 / 512);
      expect(grid.spanSectors).toBe(rows * Math.ceil(196608 / rows)); // whole sectors per row, at least the file
      expect(grid.spanNs).toBeGreaterThan(trace.time[trace.length - 1] as number);
    }
  });

  it("doubles the time and sector spans without losing a sector (device offsets)", async () => {
    const events = [ev(0, 8, { time: 0 }), ev(2 ** 24, 16, { time: 5e9 }), ev(2 ** 30, 8, { time: 1.5e10 })];
    const grid = await firstValueFrom(from([batchOf(events)]).pipe(accessGrid({ columns: 10, rows: 4 })));
    expect(sum(grid.cells)).toBe(32);
    expect(grid.spanSectors).toBeGreaterThanOrEqual(2 ** 30 + 8);
    expect(grid.spanNs).toBeGreaterThan(1.5e10);
    expect(grid.fileOffsets).toBe(false);
    // The first event sits at the bottom-left cell, the last at the right edge.
    expect(grid.cells[(grid.rows - 1) * grid.columns]).toBe(8);
  });

  it("an empty source gives an empty grid; errors pass through", () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      expectObservable(cold<EventBatch>("#").pipe(accessGrid())).toBe("#");
    });
    return firstValueFrom(from([] as EventBatch[]).pipe(accessGrid({ columns: 4, rows: 2 }))).then((g) => {
      expect(g.events).toBe(0);
      expect(sum(g.cells)).toBe(0);
    });
  });

  it("renders a well-formed SVG with one shaded cell per non-empty grid cell", async () => {
    const grid = await lastValueFrom(
      from([trace]).pipe(analyzeEvents({ fileMap: map }), accessGrid({ fileMap: map, columns: 50, rows: 20 })),
    );
    const svg = renderAccessPlot(grid, { title: "a <test> & more" });
    const cells = Array.from(grid.cells).filter((v) => v > 0).length;
    expect((svg.match(/fill="hsl\(/g) ?? []).length).toBe(cells);
    expect(svg).toContain("a &lt;test&gt; &amp; more");
    expect(svg).toContain("file offset (MiB)");
    expect(svg.startsWith("<svg")).toBe(true);
  });

  it("refuses a grid smaller than 2 × 2", () => {
    expect(() => accessGrid({ columns: 1 })).toThrow(RangeError);
  });
});
