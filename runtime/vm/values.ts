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

import { NAN_CARRIERS } from '../../vmctx/nan';

const scratch = new ArrayBuffer(8);
const f64v = new Float64Array(scratch);
const f32v = new Float32Array(scratch);
const u32v = new Uint32Array(scratch);
const i32v = new Int32Array(scratch);
const u64v = new BigUint64Array(scratch);

const MARK = 1; // low-word marker for an encoded f32 signalling NaN

/** f32 bit pattern (uint32 or int32) -> carried number. */
function f32FromBitsPlain(bits: number): number {
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
function f32ToBitsPlain(x: number): number {
  f64v[0] = x;
  const hi = u32v[1];
  const lo = u32v[0];
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) | lo) !== 0 && (lo & 0x1fffffff) !== 0) {
    // Encoded signalling NaN: restore the mantissa and clear the quiet bit.
    const m = (((hi & 0x000fffff) << 3) | (lo >>> 29)) & ~0x00400000;
    return (hi & 0x80000000) | 0x7f800000 | m | 0;
  }
  f32v[0] = x;
  return i32v[0];
}

/** f64 bit pattern (as unsigned or signed bigint) -> number. */
function f64FromBitsPlain(bits: bigint): number {
  u64v[0] = BigInt.asUintN(64, bits);
  return f64v[0];
}

/** number -> f64 bit pattern as unsigned bigint. */
function f64ToBitsPlain(x: number): bigint {
  f64v[0] = x;
  return u64v[0];
}

/** number -> f64 bit pattern as two int32 words (lo, hi), for callers avoiding BigInt. */
function f64ToWordsPlain(x: number, out: Int32Array): void {
  f64v[0] = x;
  out[0] = i32v[0];
  out[1] = i32v[1];
}

/** Two int32 words (lo, hi) -> number. */
function f64FromWordsPlain(lo: number, hi: number): number {
  i32v[0] = lo;
  i32v[1] = hi;
  return f64v[0];
}

// ---------------------------------------------------------------- NaN carriers
//
// On hosts that canonicalise NaNs (vmctx/nan.ts) a float whose f64 bits are a NaN other than
// the canonical 0x7ff8000000000000 is carried as a NaNBits object holding those f64 bits
// (for an f32, the bits of its carried number above: the widened NaN, or the marked
// encoding of a signalling one). Invariants:
//   - a carrier always holds a NaN that the host would change; every other value, the
//     canonical NaN included, is a plain number, so code that never meets such a NaN never
//     meets a carrier;
//   - carriers are immutable and may be shared;
//   - `valueOf` is NaN, so arithmetic, Math functions and relational comparisons on a
//     carrier behave as on a NaN and yield the canonical NaN, an arithmetic NaN as the spec
//     permits; only bit-preserving operations (moves, store, reinterpret, copysign, abs, neg)
//     and equality (where identity would answer `true`) look inside.

/** A NaN the host cannot hold in a number: its f64 bit pattern as two int32 words. */
export class NaNBits {
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {}
  valueOf(): number {
    return NaN;
  }
  toString(): string {
    return 'NaN';
  }
}

/** True for a carrier (only ever made where NAN_CARRIERS holds). */
export function isNaNBits(x: unknown): x is NaNBits {
  return x instanceof NaNBits;
}

/** The value for f64 bits (lo, hi): a number, or a carrier for a NaN the host would change. */
export function boxF64Words(lo: number, hi: number): number {
  lo |= 0;
  hi |= 0;
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) | lo) !== 0 && !(hi === 0x7ff80000 && lo === 0)) {
    return new NaNBits(lo, hi) as unknown as number;
  }
  i32v[0] = lo;
  i32v[1] = hi;
  return f64v[0];
}

/**
 * The f64 bits of a value (number or carrier) as two words, in a scratch array that the next
 * call (of this or any other bits helper here) overwrites: read both words before that.
 */
export function carrierWords(x: number): Int32Array {
  wordsOf(x);
  return i32v;
}

/** Puts the f64 bits of a value (number or carrier) in the scratch words. */
function wordsOf(x: number): void {
  if (typeof x === 'number') f64v[0] = x;
  else {
    i32v[0] = (x as unknown as NaNBits).lo;
    i32v[1] = (x as unknown as NaNBits).hi;
  }
}

function f32FromBitsCarrier(bits: number): number {
  bits >>>= 0;
  if ((bits & 0x7f800000) !== 0x7f800000 || (bits & 0x007fffff) === 0) {
    u32v[0] = bits;
    return f32v[0];
  }
  let m = bits & 0x007fffff;
  let lo = 0;
  if ((m & 0x00400000) === 0) {
    m |= 0x00400000;
    lo = MARK;
  }
  return boxF64Words(((m & 7) << 29) | lo, (bits & 0x80000000) | 0x7ff00000 | (m >>> 3));
}

function f32ToBitsCarrier(x: number): number {
  if (typeof x === 'number') return f32ToBitsPlain(x);
  const { lo, hi } = x as unknown as NaNBits;
  let m = ((hi & 0x000fffff) << 3) | (lo >>> 29);
  if ((lo & 0x1fffffff) !== 0) m &= ~0x00400000; // encoded signalling NaN
  return (hi & 0x80000000) | 0x7f800000 | m | 0;
}

function f64FromBitsCarrier(bits: bigint): number {
  u64v[0] = BigInt.asUintN(64, bits);
  return boxF64Words(i32v[0], i32v[1]);
}

function f64ToBitsCarrier(x: number): bigint {
  wordsOf(x);
  return u64v[0];
}

function f64ToWordsCarrier(x: number, out: Int32Array): void {
  wordsOf(x);
  out[0] = i32v[0];
  out[1] = i32v[1];
}

/** f32 bit pattern (uint32 or int32) -> carried value. */
export const f32FromBits: (bits: number) => number = NAN_CARRIERS ? f32FromBitsCarrier : f32FromBitsPlain;
/** carried value -> f32 bit pattern as int32 (signed, like i32 values in generated code). */
export const f32ToBits: (x: number) => number = NAN_CARRIERS ? f32ToBitsCarrier : f32ToBitsPlain;
/** f64 bit pattern (as unsigned or signed bigint) -> value. */
export const f64FromBits: (bits: bigint) => number = NAN_CARRIERS ? f64FromBitsCarrier : f64FromBitsPlain;
/** value -> f64 bit pattern as unsigned bigint. */
export const f64ToBits: (x: number) => bigint = NAN_CARRIERS ? f64ToBitsCarrier : f64ToBitsPlain;
/** value -> f64 bit pattern as two int32 words (lo, hi), for callers avoiding BigInt. */
export const f64ToWords: (x: number, out: Int32Array) => void = NAN_CARRIERS ? f64ToWordsCarrier : f64ToWordsPlain;
/** Two int32 words (lo, hi) -> value. */
export const f64FromWords: (lo: number, hi: number) => number = NAN_CARRIERS ? boxF64Words : f64FromWordsPlain;
