import { describe, expect, it } from "vitest";
import { grown } from "../../model/grown.js";

describe("grown", () => {
  it("copies into a longer array of the same type, the new elements zero", () => {
    const a = grown(Float64Array.of(1.5, -2), 4);
    expect(a).toBeInstanceOf(Float64Array);
    expect([...a]).toEqual([1.5, -2, 0, 0]);
    const b = grown(Uint16Array.of(65535), 3);
    expect(b).toBeInstanceOf(Uint16Array);
    expect([...b]).toEqual([65535, 0, 0]);
    expect([...grown(Int32Array.of(-1), 2)]).toEqual([-1, 0]);
  });

  it("leaves the original as it was (a copy, not a view)", () => {
    const a = Uint32Array.of(7);
    const b = grown(a, 2);
    b[0] = 9;
    expect(a[0]).toBe(7);
  });
});
