import * as fsp from "node:fs/promises";

/** A tensor info as the GGUF header holds it (offset relative to the data section). */
export interface GgufTensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: number;
  readonly offset: number;
}

/** What blkrx needs of a GGUF header: alignment, tensor infos and where they end. */
export interface GgufQuickHeader {
  readonly alignment: number | undefined;
  readonly tensorInfos: readonly GgufTensorInfo[];
  /** File offset of the byte after the last tensor info. */
  readonly tensorInfoEnd: number;
}

/** Sizes of the fixed-width GGUF value types (type code → bytes); 8 = string, 9 = array. */
const FIXED: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Thrown when the header runs past the bytes read (the caller reads more, or the file is cut short). */
class NeedMore extends Error {}

/**
 * Read a GGUF v2/v3 header by hand, skipping metadata values it does not
 * need (a 32,000-token vocabulary is skipped by its string lengths): a few
 * ms where loading and running `@huggingface/gguf` costs ~0.2 s per run,
 * most of `analyze --gguf`'s fixed cost (bench goal `gguf`). Returns
 * undefined when anything is off (bad magic, version, type, cut header):
 * the caller then asks `@huggingface/gguf`-based checks for the one-sentence
 * error. Tests compare it with `@huggingface/gguf` on every preset.
 *
 * @example const h = await readGgufQuickHeader("m.gguf"); h?.tensorInfos.length // 291
 */
export async function readGgufQuickHeader(path: string, fileBytes: number): Promise<GgufQuickHeader | undefined> {
  const fh = await fsp.open(path, "r");
  try {
    for (let size = Math.min(fileBytes, 1 << 20); ; size = Math.min(fileBytes, size * 4)) {
      const buf = Buffer.alloc(size);
      const { bytesRead } = await fh.read(buf, 0, size, 0);
      try {
        return parse(buf.subarray(0, bytesRead));
      } catch (error) {
        if (!(error instanceof NeedMore) || size >= fileBytes) return undefined;
      }
    }
  } finally {
    await fh.close();
  }
}

function parse(buf: Buffer): GgufQuickHeader | undefined {
  let at = 0;
  const need = (n: number) => {
    if (at + n > buf.length) throw new NeedMore();
  };
  const u32 = () => {
    need(4);
    const v = buf.readUInt32LE(at);
    at += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = buf.readBigUInt64LE(at);
    at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError("u64 too large");
    return Number(v);
  };
  const str = () => {
    const n = u64();
    need(n);
    const s = buf.toString("utf8", at, at + n);
    at += n;
    return s;
  };
  const skipString = () => {
    const n = u64();
    need(n);
    at += n;
  };
  const value = (type: number): number | undefined => {
    const fixed = FIXED[type];
    if (fixed !== undefined) {
      need(fixed);
      const v = fixed === 4 ? buf.readUInt32LE(at) : fixed === 8 ? Number(buf.readBigUInt64LE(at)) : undefined;
      at += fixed;
      return v;
    }
    if (type === 8) skipString();
    else if (type === 9) {
      const elem = u32();
      const count = u64();
      const width = FIXED[elem];
      if (width !== undefined) {
        need(count * width);
        at += count * width;
      } else for (let i = 0; i < count; i++) value(elem);
    } else throw new RangeError(`value type ${type}`);
    return undefined;
  };
  try {
    need(4);
    if (buf.toString("latin1", 0, 4) !== "GGUF") return undefined;
    at = 4;
    const version = u32();
    if (version !== 2 && version !== 3) return undefined;
    const tensorCount = u64();
    const kvCount = u64();
    let alignment: number | undefined;
    for (let k = 0; k < kvCount; k++) {
      const key = str();
      const type = u32();
      const v = value(type);
      if (key === "general.alignment") alignment = v;
    }
    const tensorInfos: GgufTensorInfo[] = [];
    for (let t = 0; t < tensorCount; t++) {
      const name = str();
      const dims = u32();
      const shape: number[] = [];
      for (let d = 0; d < dims; d++) shape.push(u64());
      const dtype = u32();
      const offset = u64();
      tensorInfos.push({ name, shape, dtype, offset });
    }
    return { alignment, tensorInfos, tensorInfoEnd: at };
  } catch (error) {
    if (error instanceof NeedMore) throw error;
    return undefined;
  }
}
