/**
 * A reusable cursor over one line's bytes for the dataset CSV and column
 * decoders: numbers are read digit by digit, names are hashed or compared
 * in place, so a well-formed line is decoded without creating any string.
 * Readers return -1 (or false) on a mismatch; the decoder then reports what
 * it expected for the line.
 *
 * @example
 * const f = new ByteFields(); f.reset(Buffer.from("419,R,4096"), 0, 10);
 * f.uint(); f.comma(); // 419, true
 */
export class ByteFields {
  buf: Uint8Array = new Uint8Array(0);
  p = 0;
  end = 0;

  /** Start reading bytes [from, to) of `buf` (a trailing CR is dropped). */
  reset(buf: Uint8Array, from: number, to: number): void {
    this.buf = buf;
    this.p = from;
    this.end = to > from && buf[to - 1] === 13 ? to - 1 : to;
  }

  /** True when only spaces are left. */
  atEnd(): boolean {
    this.spaces();
    return this.p >= this.end;
  }

  /** Skip spaces and tabs. */
  spaces(): void {
    const b = this.buf;
    let p = this.p;
    while (p < this.end && (b[p] === 32 || b[p] === 9)) p++;
    this.p = p;
  }

  /** Consume one comma (spaces around it allowed); false when the next byte is not one. */
  comma(): boolean {
    this.spaces();
    if (this.buf[this.p] !== 44 || this.p >= this.end) return false;
    this.p++;
    this.spaces();
    return true;
  }

  /** An unsigned decimal integer of at most 15 digits (exact in a float64), or -1. */
  uint(): number {
    const b = this.buf;
    let p = this.p;
    const start = p;
    let v = 0;
    while (p < this.end) {
      const d = (b[p] as number) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      p++;
    }
    if (p === start || p - start > 15) return -1;
    this.p = p;
    return v;
  }

  /**
   * An unsigned integer of up to 18 digits as two exact parts, `hi * 1e9 + lo`
   * (Windows filetimes have 18 digits, beyond a float64's 15-16). Returns
   * false on a mismatch; the parts are in {@link hi} and {@link lo}.
   */
  bigUint(): boolean {
    const b = this.buf;
    let p = this.p;
    const start = p;
    while (p < this.end && (b[p] as number) >= 48 && (b[p] as number) <= 57) p++;
    const n = p - start;
    if (n === 0 || n > 18) return false;
    const split = Math.max(start, p - 9);
    let hi = 0;
    for (let i = start; i < split; i++) hi = hi * 10 + (b[i] as number) - 48;
    let lo = 0;
    for (let i = split; i < p; i++) lo = lo * 10 + (b[i] as number) - 48;
    this.hi = hi;
    this.lo = lo;
    this.p = p;
    return true;
  }

  /** Parts of the last {@link bigUint}. */
  hi = 0;
  lo = 0;

  /**
   * `INT[.FRACTION]` scaled by 10^`scale` (fraction digits past `scale` are
   * dropped, not rounded), e.g. seconds with scale 9 give ns, milliseconds
   * with scale 6 give ns. -1 on a mismatch.
   *
   * @example "0.000004001" with scale 9 → 4001
   */
  decimal(scale: number): number {
    const int = this.uint();
    if (int < 0) return -1;
    let v = int;
    let digits = 0;
    if (this.buf[this.p] === 46 && this.p < this.end) {
      this.p++;
      const b = this.buf;
      let frac = 0;
      let p = this.p;
      while (p < this.end) {
        const d = (b[p] as number) - 48;
        if (d < 0 || d > 9) break;
        if (digits < scale) {
          frac = frac * 10 + d;
          digits++;
        }
        p++;
      }
      if (p === this.p) return -1;
      this.p = p;
      for (let k = digits; k < scale; k++) frac *= 10;
      return v * 10 ** scale + frac;
    }
    for (let k = 0; k < scale; k++) v *= 10;
    return v;
  }

  /** Skip a run of non-separator bytes (not space, tab or comma); returns its start (its end is {@link p}). */
  token(): number {
    const b = this.buf;
    const start = this.p;
    let p = start;
    while (p < this.end) {
      const c = b[p];
      if (c === 32 || c === 9 || c === 44) break;
      p++;
    }
    this.p = p;
    return start;
  }

  /** True when the rest of the line, trailing spaces and tabs aside, spells `word` (ASCII). */
  restIs(word: string): boolean {
    let end = this.end;
    while (end > this.p && (this.buf[end - 1] === 32 || this.buf[end - 1] === 9)) end--;
    return this.is(this.p, end, word);
  }

  /** True when bytes [from, to) spell `word` (ASCII). */
  is(from: number, to: number, word: string): boolean {
    if (to - from !== word.length) return false;
    for (let i = 0; i < word.length; i++) if (this.buf[from + i] !== word.charCodeAt(i)) return false;
    return true;
  }
}
