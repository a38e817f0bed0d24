// Bit-exact conversions between WebAssembly float bit patterns and the JS numbers that
// generated code carries.
//
// f64 values are plain JS numbers: V8 keeps NaN payloads through locals, arguments,
// returns and Float64Array accesses.
//
// f32 values are JS numbers too (results of Math.fround), but an f32 *signalling* NaN
// cannot be one: every f32->f64 conversion sets the quiet bit. So an f32 sNaN is carried
// as a quiet f64 NaN whose mantissa holds the f32 mantissa in the position the standard
// widening uses (bits 51..29) with the f32 quiet bit forced on, plus a marker in bit 0
// (standard widening always leaves bits 28..0 zero). Invariants:
//   - f32FromBits(f32ToBits(x)) === x for every carried value, and
//     f32ToBits(f32FromBits(b)) === b for every 32-bit pattern b;
//   - arithmetic on a marked value (+, *, Math.fround, ...) yields an unmarked quiet NaN,
//     which is exactly the "arithmetic NaN" the spec allows;
//   - only bit-preserving operations (store, reinterpret, copysign, abs, neg, moves) need
//     to decode, through f32ToBits.

const scratch = new ArrayBuffer(8);
const f64v = new Float64Array(scratch);
const f32v = new Float32Array(scratch);
const u32v = new Uint32Array(scratch);
const i32v = new Int32Array(scratch);
const u64v = new BigUint64Array(scratch);

const MARK = 1; // low-word marker for an encoded f32 signalling NaN

/** f32 bit pattern (uint32 or int32) -> carried number. */
export function f32FromBits(bits: number): number {
  bits >>>= 0;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0 && (bits & 0x00400000) === 0) {
    const m = (bits & 0x007fffff) | 0x00400000;
    u32v[1] = (bits & 0x80000000) | 0x7ff00000 | (m >>> 3);
    u32v[0] = ((m & 7) << 29) | MARK;
    return f64v[0];
  }
  u32v[0] = bits;
  return f32v[0];
}

/** carried number -> f32 bit pattern as int32 (signed, like i32 values in generated code). */
export function f32ToBits(x: number): number {
  f64v[0] = x;
  const hi = u32v[1];
  const lo = u32v[0];
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) | lo) !== 0 && (lo & 0x1fffffff) !== 0) {
    // Encoded signalling NaN: restore the mantissa and clear the quiet bit.
    const m = (((hi & 0x000fffff) << 3) | (lo >>> 29)) & ~0x00400000;
    return ((hi & 0x80000000) | 0x7f800000 | m) | 0;
  }
  f32v[0] = x;
  return i32v[0];
}

/** f64 bit pattern (as unsigned or signed bigint) -> number. */
export function f64FromBits(bits: bigint): number {
  u64v[0] = BigInt.asUintN(64, bits);
  return f64v[0];
}

/** number -> f64 bit pattern as unsigned bigint. */
export function f64ToBits(x: number): bigint {
  f64v[0] = x;
  return u64v[0];
}

/** number -> f64 bit pattern as two int32 words (lo, hi), for callers avoiding BigInt. */
export function f64ToWords(x: number, out: Int32Array): void {
  f64v[0] = x;
  out[0] = i32v[0];
  out[1] = i32v[1];
}

/** Two int32 words (lo, hi) -> number. */
export function f64FromWords(lo: number, hi: number): number {
  i32v[0] = lo;
  i32v[1] = hi;
  return f64v[0];
}
