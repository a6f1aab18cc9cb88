import { describe, expect, it } from "vitest";
import { formatBytes, formatMiB, GIB, MIB } from "../../sinks/units.js";

describe("formatBytes: one binary unit system, labelled", () => {
  it("prints GiB from 1 GiB up, MiB below (never a bare 0.06), KiB and B for small sizes", () => {
    expect(formatBytes(4_080_218_931)).toBe("3.80 GiB"); // the study's "3.80 GB" model file
    expect(formatBytes(GIB)).toBe("1.00 GiB");
    expect(formatBytes(GIB - 1)).toBe("1024.0 MiB");
    expect(formatBytes(275_730_432)).toBe("263.0 MiB"); // pressure-frag: 0.257 GiB, 0.276 GB
    expect(formatBytes(64 * MIB)).toBe("64.0 MiB");
    expect(formatBytes(4096)).toBe("4.0 KiB");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(-2 * MIB)).toBe("-2.0 MiB"); // a page-cache delta can shrink
    expect(formatBytes(null)).toBe("-");
    expect(formatBytes(null, "–")).toBe("–");
  });

  it("formatMiB keeps MiB whatever the size (a redrawn line does not change unit)", () => {
    expect(formatMiB(6_291_456)).toBe("6.0 MiB");
    expect(formatMiB(3 * GIB)).toBe("3072.0 MiB");
  });
});
