import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../model/errors.js";
import { resolveInput } from "../../sources/resolveInputs.js";

describe("resolveInput", () => {
  const dir = mkdtempSync(join(tmpdir(), "blkrx-resolve-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a character device is read as it is, not searched for as a blktrace base name", async () => {
    expect(await resolveInput("/dev/zero")).toEqual({ name: "/dev/zero", files: ["/dev/zero"] });
  });

  it("a regular file and standard input are one stream each", async () => {
    const file = join(dir, "one.bin");
    writeFileSync(file, "");
    expect(await resolveInput(file)).toEqual({ name: file, files: [file] });
    expect(await resolveInput("-")).toEqual({ name: "-", files: ["-"] });
  });

  it("a missing path without per-CPU files is one InputError naming it", async () => {
    const missing = join(dir, "nothing");
    await expect(resolveInput(missing)).rejects.toThrow(InputError);
    await expect(resolveInput(missing)).rejects.toThrow(
      `${missing}: no such file, and no blktrace per-CPU files ${missing}.blktrace.N either`,
    );
  });

  it("a directory is refused", async () => {
    await expect(resolveInput(dir)).rejects.toThrow(
      `${dir}: expected a trace file or blktrace base name, found a directory`,
    );
  });
});
