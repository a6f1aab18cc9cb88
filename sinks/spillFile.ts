import { closeSync, openSync, readSync, writeSync } from "node:fs";

/** A typed array a spilled batch may hold. */
type Column = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

const CONSTRUCTORS = { Float64Array, Uint32Array, Int32Array, Uint16Array, Uint8Array } as const;
type ColumnType = keyof typeof CONSTRUCTORS;

/** What a frame's JSON header says: its kind, the plain values, and each column's place in the body. */
interface FrameHeader {
  kind: string;
  values: Record<string, unknown>;
  columns: { path: string[]; type: ColumnType; bytes: number }[];
}

/**
 * A file of batches written now and read back later, in order: `blkrx live`
 * and `run` spill the events of a run here while tracing, so the tracer
 * never loads DuckDB while the traced program runs, and store them at the
 * end (see openStoreForCli). Each frame is a u32 header length, a JSON
 * header, then the columns' bytes; a batch is any object of typed arrays,
 * numbers and nested such objects (pieces, gaps, payload), plus `names`.
 * Writes are synchronous, one per batch: nothing accumulates in memory.
 *
 * @example const spill = new SpillWriter("run.spill"); spill.write("raw", batch); spill.close(); for (const f of readSpill("run.spill")) ...
 */
export class SpillWriter {
  private fd: number | undefined;
  /** Bytes written so far. */
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  /** Append one batch under `kind` (read back as the frame's kind). */
  write(kind: string, batch: object): void {
    if (this.fd === undefined) throw new Error(`Cannot write to the spill file ${this.path}: it is closed`);
    const columns: Column[] = [];
    const header: FrameHeader = { kind, values: {}, columns: [] };
    flatten(batch, [], header, columns);
    const json = Buffer.from(JSON.stringify(header), "utf8");
    const head = Buffer.alloc(4);
    head.writeUInt32LE(json.length, 0);
    this.bytes += writeSync(this.fd, head) + writeSync(this.fd, json);
    for (const c of columns) this.bytes += writeSync(this.fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Read back the frames of a spill file, one at a time (a frame is read only
 * when the consumer asks for the next), as `{ kind, batch }` with fresh,
 * aligned typed arrays.
 *
 * @example for (const { kind, batch } of readSpill("run.spill")) if (kind === "raw") writer.appendRaw(batch as EventBatch);
 */
export function* readSpill(path: string): Generator<{ kind: string; batch: Record<string, unknown> }> {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    for (;;) {
      if (readSync(fd, head, 0, 4, null) < 4) return;
      const json = Buffer.alloc(head.readUInt32LE(0));
      readFully(fd, json, path);
      const header = JSON.parse(json.toString("utf8")) as FrameHeader;
      const batch: Record<string, unknown> = { ...header.values };
      for (const c of header.columns) {
        const Type = CONSTRUCTORS[c.type];
        const column = new Type(c.bytes / Type.BYTES_PER_ELEMENT);
        readFully(fd, new Uint8Array(column.buffer), path);
        setPath(batch, c.path, column);
      }
      if (Array.isArray(batch.names)) batch.names = new Map(batch.names as [number, string][]);
      yield { kind: header.kind, batch };
    }
  } finally {
    closeSync(fd);
  }
}

function flatten(value: object, path: string[], header: FrameHeader, columns: Column[]): void {
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const at = [...path, key];
    if (ArrayBuffer.isView(v)) {
      const type = v.constructor.name as ColumnType;
      if (!(type in CONSTRUCTORS)) throw new TypeError(`Cannot spill the column ${at.join(".")}: a ${type}`);
      header.columns.push({ path: at, type, bytes: v.byteLength });
      columns.push(v as Column);
    } else if (v instanceof Map) {
      if (path.length === 0) header.values[key] = [...v];
    } else if (typeof v === "object" && v !== null) {
      flatten(v, at, header, columns);
    } else if (path.length === 0) {
      header.values[key] = v;
    }
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1] as string] = value;
}

function readFully(fd: number, into: Uint8Array, path: string): void {
  for (let done = 0; done < into.length; ) {
    const n = readSync(fd, into, done, into.length - done, null);
    if (n === 0) throw new Error(`Cannot read the spill file ${path}: it ends inside a batch (byte ${done})`);
    done += n;
  }
}
