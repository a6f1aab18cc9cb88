/**
 * Walk the records of a little-endian blk_io_trace v7 file (48-byte header
 * plus `pdu_len` payload bytes), calling `visit` with each record's bytes.
 *
 * @example eachRecord(bin, (r) => count++);
 */
export function eachRecord(bin: Uint8Array, visit: (record: Uint8Array) => void): void {
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  for (let pos = 0; pos + 48 <= bin.length; ) {
    const size = 48 + view.getUint16(pos + 46, true);
    visit(bin.subarray(pos, pos + size));
    pos += size;
  }
}

/** The raw action u32 of a record. */
export function actionOf(record: Uint8Array): number {
  return new DataView(record.buffer, record.byteOffset, 48).getUint32(28, true);
}

/**
 * A copy of a binary trace in which every record of action code `code`
 * (default 7, D) is followed by a copy of itself on device MAJOR,MINOR: a
 * trace of two devices, the second seeing exactly the first one's D events.
 *
 * @example withCopyOnDevice(readFileSync("pressure-frag.bin"), 8, 0) // 7,0 plus its D events on 8,0
 */
export function withCopyOnDevice(bin: Uint8Array, major: number, minor: number, code = 7): Buffer {
  const parts: Uint8Array[] = [];
  eachRecord(bin, (record) => {
    parts.push(record);
    if ((actionOf(record) & 0xffff) !== code || (actionOf(record) & (1 << 26)) !== 0) return;
    const copy = Uint8Array.from(record);
    new DataView(copy.buffer).setUint32(36, ((major << 20) | minor) >>> 0, true);
    parts.push(copy);
  });
  return Buffer.concat(parts);
}

/**
 * The records of a binary trace that `keep` accepts, in order.
 *
 * @example onlyRecords(bin, (r) => (actionOf(r) & 0xffff) === 1) // the Q records
 */
export function onlyRecords(bin: Uint8Array, keep: (record: Uint8Array) => boolean): Buffer {
  const parts: Uint8Array[] = [];
  eachRecord(bin, (record) => {
    if (keep(record)) parts.push(record);
  });
  return Buffer.concat(parts);
}

/**
 * A copy of a binary trace with every record moved to device MAJOR,MINOR.
 *
 * @example onDevice(readFileSync("seq-contig.bin"), 8, 0)
 */
export function movedToDevice(bin: Uint8Array, major: number, minor: number): Buffer {
  const out = Buffer.from(bin);
  eachRecord(out, (record) => {
    new DataView(record.buffer, record.byteOffset, 48).setUint32(36, ((major << 20) | minor) >>> 0, true);
  });
  return out;
}

/** The CPU a record was traced on. */
export function cpuOf(record: Uint8Array): number {
  return new DataView(record.buffer, record.byteOffset, 48).getUint32(40, true);
}
