/**
 * Splits a byte stream into lines for the text trace decoders. A line may
 * span chunks: its unfinished part is carried in one reusable buffer and
 * handed over as a line when its newline arrives, or on {@link LineSplitter.end}
 * (the leftover flush). Lines are passed as byte ranges of a Buffer, so a
 * decoder can read a line from its bytes without making a string of it.
 */

/** Receives each line as bytes [from, to) of `buf`, without its `\n` (a `\r` before it is kept). */
export type LineHandler = (buf: Buffer, from: number, to: number) => void;

/** Receives the first bytes of an unfinished line that grew past the limit. */
export type TooLongHandler = (head: Buffer) => void;

/** Bytes of an overlong line passed to the {@link TooLongHandler} (enough for an 80-character excerpt). */
const HEAD_BYTES = 200;

/**
 * Line splitter with carry and leftover flush.
 *
 * @example
 * const lines: string[] = [];
 * const split = new LineSplitter(1 << 20, (buf, from, to) => lines.push(buf.toString("utf8", from, to)), () => {});
 * split.push(Buffer.from("a\nb")); split.push(Buffer.from("c\n")); split.end(); // lines: ["a", "bc"]
 */
export class LineSplitter {
  /** The unfinished last line: bytes [0, carried) of `carry`. */
  private carry: Buffer = Buffer.allocUnsafe(256);
  private carried = 0;
  /** True while dropping the rest of a line reported as too long. */
  private overlong = false;

  /**
   * @param maxLineBytes an unfinished line longer than this is reported once (`tooLong`) and its rest dropped
   * @param onLine called for every line, in order
   * @param tooLong called when the unfinished line passes `maxLineBytes`
   */
  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: LineHandler,
    private readonly tooLong: TooLongHandler,
  ) {}

  /** Hand over the lines `chunk` completes; carry its unfinished last line. */
  push(chunk: Uint8Array): void {
    // A Buffer view for its indexOf (memchr), much faster than TypedArray#indexOf on long chunks.
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let from = 0;
    if (this.overlong || this.carried > 0) {
      const nl = buf.indexOf(10);
      if (this.overlong) {
        // Still inside a line already reported as too long: drop it up to its newline.
        if (nl < 0) return;
        this.overlong = false;
      } else {
        // Finish the carried line with the head of this chunk only (no copy of the whole chunk).
        this.append(buf, 0, nl < 0 ? buf.length : nl);
        if (nl < 0) {
          if (this.carried > this.maxLineBytes) this.carriedTooLong();
          return;
        }
        const length = this.carried;
        this.carried = 0;
        this.onLine(this.carry, 0, length);
      }
      from = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      this.onLine(buf, from, nl);
      from = nl + 1;
    }
    if (from < buf.length) {
      this.append(buf, from, buf.length);
      if (this.carried > this.maxLineBytes) this.carriedTooLong();
    }
  }

  /** Input ended: hand over the last line when it has no newline. */
  end(): void {
    const length = this.carried;
    this.carried = 0;
    this.overlong = false;
    if (length > 0) this.onLine(this.carry, 0, length);
  }

  /** Append bytes [from, to) of `buf` to the carried line (the buffer doubles when full). */
  private append(buf: Buffer, from: number, to: number): void {
    const need = this.carried + (to - from);
    if (need > this.carry.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.carry.length * 2));
      this.carry.copy(bigger, 0, 0, this.carried);
      this.carry = bigger;
    }
    buf.copy(this.carry, this.carried, from, to);
    this.carried = need;
  }

  /** The carried line passed the limit: report it once and drop the rest of it up to its newline. */
  private carriedTooLong(): void {
    const head = Buffer.from(this.carry.subarray(0, Math.min(HEAD_BYTES, this.carried)));
    this.carried = 0;
    this.carry = Buffer.allocUnsafe(256);
    this.overlong = true;
    this.tooLong(head);
  }
}
