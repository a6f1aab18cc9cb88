import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SectorSet } from "../../operators/sectorSet.js";

describe("SectorSet", () => {
  it("counts distinct sectors like a naive Set, with exact 'newly added' counts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 0, max: 5000 })), { maxLength: 200 }),
        (ranges) => {
          const set = new SectorSet();
          const naive = new Set<number>();
          for (const [start, count] of ranges) {
            const before = naive.size;
            for (let s = start; s < start + count; s++) naive.add(s);
            expect(set.add(start, count)).toBe(naive.size - before);
          }
          expect(set.size).toBe(naive.size);
          for (let k = 0; k < 50; k++) {
            const probe = (k * 7919) % 310_000;
            expect(set.has(probe)).toBe(naive.has(probe));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("switches a dense chunk to a bitmap and stays exact", () => {
    const set = new SectorSet();
    for (let i = 0; i < 5000; i++) set.add(i * 10, 5); // 5000 runs in chunks 0 → bitmap
    expect(set.size).toBe(25_000);
    expect(set.add(0, 50_000)).toBe(25_000);
    expect(set.size).toBe(50_000);
  });

  it("memory grows with the range touched: 100k scattered reads over 1 TiB stay under 1.5 MB of chunk storage", () => {
    const set = new SectorSet();
    const span = 2 ** 31; // 1 TiB in sectors
    let x = 12345;
    for (let i = 0; i < 100_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      set.add(Math.floor((x / 2 ** 31) * span), 8);
    }
    expect(set.storageBytes).toBeLessThan(1.5e6);
  });
});
