// Byte reader for the binary format: bounds-checked bytes, LEB128 integers with the spec's
// limits, fixed-width floats, vector lengths and names.
//
// Invariants:
// - Every read checks `pos < end` first, so no read ever goes past the input (no RangeError,
//   no `undefined` bytes); running out of input throws CompileError('malformed').
// - `end` is the end of the whole module. Like the reference interpreter, sections and
//   function bodies are not read in sub-ranges: their declared size is compared with what
//   their contents consumed afterwards ("section size mismatch"). This reproduces the
//   reference interpreter's error messages for truncated or oversized sections.
// - A vector length is checked against the bytes that remain before anything is allocated
//   for it ("length out of bounds"); every vector element takes at least one byte.

import { CompileError } from '../errors';
import { anchorShape } from '../shapes';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  /** Message for running out of input; the module header uses the shorter "unexpected end". */
  eofMessage = 'unexpected end of section or function';

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  /** Throws malformed `message` at byte offset `at` (by default where reading stands). */
  fail(message: string, at: number = this.pos): never {
    throw new CompileError('malformed', message, { offset: at });
  }

  /** Running out of input: the offset is where the item that did not fit starts. */
  eof(): never {
    throw new CompileError('malformed', this.eofMessage, { offset: this.pos });
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The next byte without consuming it, or -1 at the end of input. */
  peek(): number {
    return this.pos < this.end ? this.bytes[this.pos] : -1;
  }

  u8(): number {
    if (this.pos >= this.end) this.eof();
    return this.bytes[this.pos++];
  }

  /** `n` raw bytes as a view into the input (no copy). */
  view(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) this.eof();
    const start = this.pos;
    this.pos += n;
    return this.bytes.subarray(start, start + n);
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) this.eof();
    this.pos += n;
  }

  /** Little-endian 32-bit word as an unsigned number (f32 bit patterns). */
  u32le(): number {
    if (this.pos + 4 > this.end) {
      this.pos = this.end;
      this.eof();
    }
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** Little-endian 64-bit word as an unsigned bigint (f64 bit patterns). */
  u64le(): bigint {
    const lo = this.u32le();
    const hi = this.u32le();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Unsigned LEB128, at most 32 bits. */
  u32(): number {
    // One-byte values (most indices and immediates) without a further call.
    const p = this.pos;
    if (p < this.end) {
      const b0 = this.bytes[p];
      if (b0 < 0x80) {
        this.pos = p + 1;
        return b0;
      }
    }
    let b = this.u8();
    if (b < 0x80) return b;
    let result = b & 0x7f;
    b = this.u8();
    result |= (b & 0x7f) << 7;
    if (b < 0x80) return result;
    b = this.u8();
    result |= (b & 0x7f) << 14;
    if (b < 0x80) return result;
    b = this.u8();
    result |= (b & 0x7f) << 21;
    if (b < 0x80) return result;
    b = this.u8();
    // Fifth byte carries bits 28..31: the upper three payload bits must be zero.
    if ((b & 0x70) !== 0) this.fail('integer too large');
    if (b & 0x80) this.fail('integer representation too long');
    return (result | (b << 28)) >>> 0;
  }

  /** Signed LEB128, at most 32 bits, as an int32 number. */
  s32(): number {
    // One or two bytes (most constants in code): no loop, no call per byte.
    const p = this.pos;
    if (p + 1 < this.end) {
      const b0 = this.bytes[p];
      if (b0 < 0x80) {
        this.pos = p + 1;
        return (b0 << 25) >> 25;
      }
      const b1 = this.bytes[p + 1];
      if (b1 < 0x80) {
        this.pos = p + 2;
        return (((b0 & 0x7f) | (b1 << 7)) << 18) >> 18;
      }
    }
    let result = 0;
    let shift = 0;
    let b: number;
    for (;;) {
      b = this.u8();
      if (shift === 28) {
        // Last byte: bits 3..6 are sign bits (bit 31 and beyond) and must all agree.
        const sign = b & 0x78;
        if (sign !== 0 && sign !== 0x78) this.fail('integer too large');
        if (b & 0x80) this.fail('integer representation too long');
        return result | (b << 28);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    // Sign-extend from the last payload bit read.
    if (b & 0x40) result |= -1 << shift;
    return result;
  }

  /**
   * Signed LEB128 of at most 33 bits (block types and heap types), as a number in
   * [-2^32, 2^32).
   */
  s33(): number {
    let result = 0;
    let scale = 1;
    let b: number;
    for (let i = 0; ; i++) {
      b = this.u8();
      if (i === 4) {
        // Bits 28..32 live in this byte's low five bits; bits 5..6 must copy bit 32 (sign).
        const sign = b & 0x70;
        if (sign !== 0 && sign !== 0x70) this.fail('integer too large');
        if (b & 0x80) this.fail('integer representation too long');
        result += (b & 0x0f) * scale;
        return b & 0x10 ? result - 2 ** 32 : result;
      }
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) break;
    }
    return b & 0x40 ? result - scale : result;
  }

  /** Unsigned LEB128 of at most 64 bits, as a number (exact up to 2^53). */
  u64(): number {
    if (this.pos < this.end && this.bytes[this.pos] < 0x80) return this.bytes[this.pos++];
    let result = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === 9) {
        // Tenth byte carries only bit 63.
        if ((b & 0x7e) !== 0) this.fail('integer too large');
        if (b & 0x80) this.fail('integer representation too long');
        return result + (b & 1) * scale;
      }
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return result;
    }
  }

  /** Signed LEB128 of at most 64 bits, as a bigint in [-2^63, 2^63). */
  s64(): bigint {
    // Fast path: up to 7 bytes (49 payload bits) accumulate exactly in a double.
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return BigInt(b & 0x40 ? result - scale : result);
    }
    this.pos = start;
    let big = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === 9) {
        this.checkLastS64Byte(b);
        big |= BigInt(b & 1) << 63n;
        return BigInt.asIntN(64, big);
      }
      big |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) {
        if (b & 0x40) big -= 1n << shift;
        return big;
      }
    }
  }

  /** Reads past a signed LEB128 of at most 64 bits with s64's checks, producing no value. */
  skipS64(): void {
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === 9) {
        this.checkLastS64Byte(b);
        return;
      }
      if (b < 0x80) return;
    }
  }

  /** The tenth byte of an s64: bit 0 is bit 63; bits 1..6 are sign bits and must match it. */
  private checkLastS64Byte(b: number): void {
    const sign = b & 0x7f;
    if (sign !== 0 && sign !== 0x7f) this.fail('integer too large');
    if (b & 0x80) this.fail('integer representation too long');
  }

  /** A vector length: u32, and no more than the bytes left (each element takes >= 1 byte). */
  len(): number {
    const at = this.pos;
    const n = this.u32();
    if (n > this.end - at) this.fail('length out of bounds', at);
    return n;
  }

  /**
   * A vector length (as `len`) that may not exceed the implementation limit `limit`:
   * "too many WHAT" otherwise, at the length, before anything is allocated.
   */
  count(limit: number, what: string): number {
    const at = this.pos;
    const n = this.len();
    if (n > limit) this.fail(`too many ${what} (${n}; the implementation limit is ${limit})`, at);
    return n;
  }

  /**
   * Steps over a name, checking its UTF-8 as `name()` does, without making the string; from
   * `decodeFrom` bytes on, with one call of the host's decoder instead of a loop.
   */
  skipName(decodeFrom = Infinity): void {
    const n = this.len();
    const start = this.pos;
    this.skip(n);
    const b = this.bytes;
    if (n >= decodeFrom) {
      try {
        utf8.decode(b.subarray(start, start + n));
      } catch {
        this.fail('malformed UTF-8 encoding', start);
      }
      return;
    }
    for (let i = start; i < start + n; i++) {
      if (b[i] >= 0x80) {
        try {
          utf8.decode(b.subarray(start, start + n));
        } catch {
          this.fail('malformed UTF-8 encoding', start);
        }
        return;
      }
    }
  }

  /** A name: length-prefixed UTF-8, decoded strictly (no replacement characters). */
  name(): string {
    const n = this.len();
    const start = this.pos;
    this.skip(n);
    const b = this.bytes;
    // ASCII fast path: no decoder call for the common case.
    if (n <= 64) {
      let ascii = true;
      for (let i = start; i < start + n; i++) {
        if (b[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, b.subarray(start, start + n) as unknown as number[]);
    }
    try {
      return utf8.decode(b.subarray(start, start + n));
    } catch {
      return this.fail('malformed UTF-8 encoding', start);
    }
  }
}

anchorShape(new Reader(new Uint8Array(0)));
