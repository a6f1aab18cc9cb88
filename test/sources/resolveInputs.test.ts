import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../model/errors.js";
import { missingCpus, missingCpusWarning, resolveInput } from "../../sources/resolveInputs.js";

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

  it("a per-CPU set is its files in CPU order; CPUs missing below the highest are named", async () => {
    for (const cpu of [0, 2, 10]) writeFileSync(join(dir, `holes.blktrace.${cpu}`), "");
    for (const cpu of [0, 1]) writeFileSync(join(dir, `whole.blktrace.${cpu}`), "");
    const holes = await resolveInput(join(dir, "holes"));
    expect(holes.files).toEqual([0, 2, 10].map((c) => join(dir, `holes.blktrace.${c}`)));
    expect(holes.missingCpus).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
    const whole = await resolveInput(join(dir, "whole"));
    expect(whole).toEqual({ name: join(dir, "whole"), files: [0, 1].map((c) => join(dir, `whole.blktrace.${c}`)) });
  });
});

describe("missingCpus and its warning", () => {
  it("lists the CPUs from 0 to the highest present that have no file", () => {
    expect(missingCpus([0, 2])).toEqual([1]);
    expect(missingCpus([1, 2])).toEqual([0]);
    expect(missingCpus([3, 0, 1, 2])).toEqual([]);
    expect(missingCpus([0])).toEqual([]);
    expect(missingCpus([])).toEqual([]);
  });

  it("names the missing file for one CPU, and CPU ranges for several", () => {
    expect(missingCpusWarning({ name: "sda", files: ["sda.blktrace.0", "sda.blktrace.2"], missingCpus: [1] })).toBe(
      "sda: per-CPU set without sda.blktrace.1 (CPU 1): its events are not in this analysis (nothing is lost if that CPU was offline while tracing)",
    );
    expect(missingCpusWarning({ name: "t", files: ["t.blktrace.0", "t.blktrace.6"], missingCpus: [1, 2, 3, 5] })).toBe(
      "t: per-CPU set without 4 files (CPUs 1-3, 5): their events are not in this analysis (nothing is lost if those CPUs were offline while tracing)",
    );
    expect(missingCpusWarning({ name: "x.bin", files: ["x.bin"] })).toBeUndefined();
  });
});
