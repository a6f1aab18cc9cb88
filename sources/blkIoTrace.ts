/**
 * The binary `blk_io_trace` v7 record as blktrace writes it (kernel
 * `include/uapi/linux/blktrace_api.h`): a 48-byte header in the writer's
 * byte order, then `pdu_len` payload bytes. Constants and the checks the
 * decoder makes on a record's first word.
 */

/** blk_io_trace magic (high 24 bits) and the only version we read. */
export const BLK_IO_TRACE_MAGIC = 0x65617400;
export const BLK_IO_TRACE_VERSION = 7;
/** The first word of every record we read: magic | version. */
export const MAGIC_V7 = (BLK_IO_TRACE_MAGIC | BLK_IO_TRACE_VERSION) >>> 0;
/** Size of the fixed blk_io_trace header in bytes. */
export const HEADER_BYTES = 48;
/** Largest possible record: header plus a u16 payload length. */
export const MAX_RECORD_BYTES = HEADER_BYTES + 0xffff;

/**
 * The byte order of a record from its magic at `pos`: true for little
 * endian, false for big endian, undefined when there is no magic.
 *
 * @example byteOrderAt(new DataView(Uint8Array.of(7, 0x74, 0x61, 0x65).buffer), 0) // true
 */
export function byteOrderAt(view: DataView, pos: number): boolean | undefined {
  if ((view.getUint32(pos, true) & 0xffffff00) >>> 0 === BLK_IO_TRACE_MAGIC) return true;
  if ((view.getUint32(pos, false) & 0xffffff00) >>> 0 === BLK_IO_TRACE_MAGIC) return false;
  return undefined;
}

/**
 * What a first word that is not the v7 magic holds, in the words of an error
 * message: another version of the format, or the word in hex.
 *
 * @example notV7(0x65617406) // "version 6 (only version 7 is supported)"
 */
export function notV7(word: number): string {
  return (word & 0xffffff00) >>> 0 === BLK_IO_TRACE_MAGIC
    ? `version ${word & 0xff} (only version ${BLK_IO_TRACE_VERSION} is supported)`
    : `0x${word.toString(16).padStart(8, "0")}`;
}

/**
 * The first position after `pos` holding a v7 magic in byte order `le` (or
 * in either order while it is not known yet), or -1 (resynchronising after
 * damage).
 *
 * @example nextMagic(view, 0, bytes.length, true, true)
 */
export function nextMagic(view: DataView, pos: number, length: number, le: boolean, orderKnown: boolean): number {
  for (let p = pos + 1; p + 4 <= length; p++) {
    if (view.getUint32(p, le) === MAGIC_V7) return p;
    if (!orderKnown && view.getUint32(p, !le) === MAGIC_V7) return p;
  }
  return -1;
}
