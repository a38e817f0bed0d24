// A growable byte buffer with the binary format's primitive encodings (LEB128, IEEE bits).

export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private grow(extra: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  u8(b: number): void {
    if (this.len >= this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }

  bytes(b: ArrayLike<number>): void {
    if (this.len + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53. */
  u32(v: number): void {
    for (;;) {
      const b = v % 128;
      v = Math.floor(v / 128);
      if (v === 0) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }

  /** Unsigned LEB128 of a bigint. */
  u64(v: bigint): void {
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if (v === 0n) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }

  /** Signed LEB128 of an int32 (or any safe integer). */
  s32(v: number): void {
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }

  /** Signed LEB128 of a signed bigint. */
  s64(v: bigint): void {
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }

  f32bits(bits: number): void {
    this.u8(bits & 0xff);
    this.u8((bits >>> 8) & 0xff);
    this.u8((bits >>> 16) & 0xff);
    this.u8((bits >>> 24) & 0xff);
  }

  f64bits(bits: bigint): void {
    this.f32bits(Number(bits & 0xffffffffn));
    this.f32bits(Number(bits >> 32n));
  }

  /** A byte vector: length then bytes. */
  vec(b: ArrayLike<number>): void {
    this.u32(b.length);
    this.bytes(b);
  }

  /** A section or sub-body whose size prefix is written after its contents. */
  sized(id: number, body: ByteWriter): void {
    this.u8(id);
    this.u32(body.len);
    this.bytes(body.buf.subarray(0, body.len));
  }

  slice(from: number, to = this.len): Uint8Array {
    return this.buf.slice(from, to);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
