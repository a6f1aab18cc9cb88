/**
 * A reusable cursor over one text line, for the trace text parsers. It reads
 * numbers digit by digit with `charCodeAt`, so parsing a line allocates only
 * the few strings a caller asks for (action letter, RWBS, command name).
 * A mismatch throws {@link LineMismatch}, which the line decoder turns into
 * a `TraceFormatError` naming the line (or a skip when lenient).
 */

/** Thrown by the cursor when a line does not have the expected shape. */
export class LineMismatch extends Error {
  override readonly name = "LineMismatch";
}

/** Largest integer a float64 column holds exactly (2^53 - 1). */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/**
 * Cursor over a line: position `p` in string `s`, with readers that advance it.
 *
 * @example
 * const cur = new LineCursor(); cur.reset("  7,0 12");
 * cur.uint("a major number"); // 7
 */
export class LineCursor {
  s = "";
  p = 0;

  /** Start reading a new line. */
  reset(line: string, from = 0): void {
    this.s = line;
    this.p = from;
  }

  /** Throw a mismatch saying what was expected here. */
  fail(expected: string): never {
    throw new LineMismatch(expected);
  }

  /** True when only spaces are left. */
  atEnd(): boolean {
    this.spaces();
    return this.p >= this.s.length;
  }

  /** Skip spaces and tabs. */
  spaces(): void {
    const s = this.s;
    let p = this.p;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c !== 32 && c !== 9) break;
      p++;
    }
    this.p = p;
  }

  /** The next char code without moving (NaN at the end). */
  peek(): number {
    return this.s.charCodeAt(this.p);
  }

  /** Consume `ch` (a one-character string) or fail. */
  expect(ch: string, expected: string): void {
    if (this.s.charCodeAt(this.p) !== ch.charCodeAt(0)) this.fail(expected);
    this.p++;
  }

  /** Consume a literal if it is next; report whether it was. */
  accept(text: string): boolean {
    if (!this.s.startsWith(text, this.p)) return false;
    this.p += text.length;
    return true;
  }

  /** Skip spaces, then read an unsigned decimal integer no larger than `max`. */
  uint(expected: string, max = MAX_EXACT): number {
    this.spaces();
    const s = this.s;
    let p = this.p;
    let v = 0;
    const start = p;
    while (p < s.length) {
      const d = s.charCodeAt(p) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      p++;
    }
    if (p === start || v > max) this.fail(expected);
    this.p = p;
    return v;
  }

  /** Like {@link uint} but allows a leading minus sign (for `%d` fields). */
  int(expected: string, min: number, max: number): number {
    this.spaces();
    const negative = this.s.charCodeAt(this.p) === 45;
    if (negative) this.p++;
    const v = this.uint(expected, negative ? -min : max);
    return negative ? -v : v;
  }

  /**
   * Read `SEC.FRACTION` (1 to 9 fraction digits) as integer nanoseconds.
   *
   * @example cur.reset("1136.054350"); cur.timeNs("a time"); // 1136054350000
   */
  timeNs(expected: string): number {
    const sec = this.uint(expected, 9007199);
    if (this.s.charCodeAt(this.p) !== 46) this.fail(expected);
    this.p++;
    const s = this.s;
    let p = this.p;
    let frac = 0;
    let digits = 0;
    while (p < s.length) {
      const d = s.charCodeAt(p) - 48;
      if (d < 0 || d > 9) break;
      if (digits < 9) frac = frac * 10 + d;
      digits++;
      p++;
    }
    if (digits === 0 || digits > 9) this.fail(expected);
    for (let k = digits; k < 9; k++) frac *= 10;
    this.p = p;
    return sec * 1e9 + frac;
  }

  /** Skip spaces, then read a run of non-space characters (may be empty). */
  word(): string {
    this.spaces();
    const s = this.s;
    const start = this.p;
    let p = start;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 9) break;
      p++;
    }
    this.p = p;
    return s.slice(start, p);
  }

  /**
   * Read `[text]` where `]` is the last `]` of the line (command names may
   * hold brackets or spaces); the cursor moves past it.
   */
  bracket(expected: string): string {
    this.spaces();
    if (this.s.charCodeAt(this.p) !== 91) this.fail(expected);
    const close = this.s.lastIndexOf("]");
    if (close <= this.p) this.fail(expected);
    const text = this.s.slice(this.p + 1, close);
    this.p = close + 1;
    return text;
  }

  /** The rest of the line after one separating space (for message text). */
  rest(): string {
    if (this.s.charCodeAt(this.p) === 32) this.p++;
    const text = this.s.slice(this.p);
    this.p = this.s.length;
    return text;
  }
}
