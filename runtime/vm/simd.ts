// WebAssembly 3.0 SIMD semantics (spec 4.3 numerics, vector instructions) on v128 values,
// for generated code and for the interpreter-free parts of the runtime.
//
// Representation
//   v128 = Int32Array(4), lane i32 k = bytes 4k..4k+3 little-endian. Values are immutable:
//   no function here writes into an argument, and every v128 result is a fresh array.
//   i32 = number (int32), i64 = bigint (signed), f64 = number, f32 = number carried as in
//   runtime/vm/values.ts (f32FromBits/f32ToBits keep signalling NaN bit patterns exactly).
//
// Entry points
//   SIMD[name] for every SIMD instruction of compiler/opcodes.ts with Imm.None, operands in
//   stack order; lane instructions take (v, [value,] laneIndex); 'i8x16.shuffle' takes
//   (a, b, lanes: Uint8Array). Memory instructions are also in SIMD under their names
//   ('v128.load', 'v128.load8_lane', ...) and exported as named functions taking a
//   Uint8Array view of linear memory and an already bounds-checked effective address:
//     load(mem, ea)            store(mem, ea, v)
//     load8x8_s / load8x8_u / load16x4_s / load16x4_u / load32x2_s / load32x2_u (mem, ea)
//     load8_splat / load16_splat / load32_splat / load64_splat (mem, ea)
//     load32_zero / load64_zero (mem, ea)
//     load8_lane / load16_lane / load32_lane / load64_lane (mem, ea, v, lane) -> v128
//     store8_lane / store16_lane / store32_lane / store64_lane (mem, ea, v, lane)
//   v128FromBytes(bytes), v128ToBytes(v), v128Const(bytes).
//   i64x2SplatWords(lo, hi), i64x2ReplaceLaneWords(v, lo, hi, lane): i64 lanes from int32
//   word pairs, for callers that do not carry i64 as bigint.
//   Every instruction is also a named export with '.' replaced by '_' (i8x16_add, ...).
//
// Float NaN rules: arithmetic reads lanes through Float32Array/Float64Array scratch views and
// computes in JS doubles. Hardware float arithmetic quiets signalling NaNs and propagates an
// input NaN's payload, and produces the (canonical) default NaN otherwise, which is exactly
// the spec's "canonical if all NaN inputs are canonical, else arithmetic" rule. Operations
// that must preserve bits (abs, neg, pmin, pmax, lane moves) work on the integer words.
//
// Relaxed SIMD follows the deterministic profile (every relaxed(R)[A0..An] chooses A0):
// relaxed_swizzle = swizzle, relaxed_trunc = trunc_sat, relaxed_madd = unfused mul then add,
// relaxed_min/max = min/max, relaxed_laneselect = bitselect, relaxed_q15mulr = q15mulr_sat,
// relaxed_dot treats the second operand as signed and saturates the i16 pair sums.

import { f32FromBits, f32ToBits, f64FromWords, f64ToWords } from './values';

export type V128 = Int32Array;

// Scratch: four 16-byte slots (A = operand 1, B = operand 2, C = operand 3, R = result) in one
// buffer, viewed at every lane width. Slots A and B are adjacent so that shuffle can index
// the 32 bytes of both operands directly.
const scratch = new ArrayBuffer(64);
const W = new Int32Array(scratch); // A: 0..3, B: 4..7, C: 8..11, R: 12..15
const I8 = new Int8Array(scratch); // A: 0..15, B: 16..31, C: 32..47, R: 48..63
const U8 = new Uint8Array(scratch);
const I16 = new Int16Array(scratch); // A: 0..7, B: 8..15, C: 16..23, R: 24..31
const U16 = new Uint16Array(scratch);
const F32 = new Float32Array(scratch); // A: 0..3, B: 4..7, C: 8..11, R: 12..15
const F64 = new Float64Array(scratch); // A: 0..1, B: 2..3, C: 4..5, R: 6..7
const I64 = new BigInt64Array(scratch);

function ldA(a: V128): void {
  W[0] = a[0];
  W[1] = a[1];
  W[2] = a[2];
  W[3] = a[3];
}
function ldB(b: V128): void {
  W[4] = b[0];
  W[5] = b[1];
  W[6] = b[2];
  W[7] = b[3];
}
function ldC(c: V128): void {
  W[8] = c[0];
  W[9] = c[1];
  W[10] = c[2];
  W[11] = c[3];
}
/** A fresh v128 holding slot R. */
function outR(): V128 {
  const r = new Int32Array(4);
  r[0] = W[12];
  r[1] = W[13];
  r[2] = W[14];
  r[3] = W[15];
  return r;
}
function v4(x0: number, x1: number, x2: number, x3: number): V128 {
  const r = new Int32Array(4);
  r[0] = x0;
  r[1] = x1;
  r[2] = x2;
  r[3] = x3;
  return r;
}

// ---------------------------------------------------------------- constants and bytes

export function v128FromBytes(b: ArrayLike<number>): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const p = 4 * k;
    r[k] = (b[p] & 0xff) | ((b[p + 1] & 0xff) << 8) | ((b[p + 2] & 0xff) << 16) | ((b[p + 3] & 0xff) << 24);
  }
  return r;
}

export function v128ToBytes(v: V128): Uint8Array {
  const r = new Uint8Array(16);
  for (let k = 0; k < 4; k++) {
    const x = v[k];
    r[4 * k] = x;
    r[4 * k + 1] = x >>> 8;
    r[4 * k + 2] = x >>> 16;
    r[4 * k + 3] = x >>> 24;
  }
  return r;
}

export const v128Const = v128FromBytes;

// ---------------------------------------------------------------- memory

function rd32(m: Uint8Array, p: number): number {
  return m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
}
function wr32(m: Uint8Array, p: number, x: number): void {
  m[p] = x;
  m[p + 1] = x >>> 8;
  m[p + 2] = x >>> 16;
  m[p + 3] = x >>> 24;
}
function rd16s(m: Uint8Array, p: number): number {
  return ((m[p] | (m[p + 1] << 8)) << 16) >> 16;
}
function rd16u(m: Uint8Array, p: number): number {
  return m[p] | (m[p + 1] << 8);
}
function s8(x: number): number {
  return (x << 24) >> 24;
}

export function load(m: Uint8Array, ea: number): V128 {
  return v4(rd32(m, ea), rd32(m, ea + 4), rd32(m, ea + 8), rd32(m, ea + 12));
}
export function store(m: Uint8Array, ea: number, v: V128): void {
  wr32(m, ea, v[0]);
  wr32(m, ea + 4, v[1]);
  wr32(m, ea + 8, v[2]);
  wr32(m, ea + 12, v[3]);
}
export function load8x8_s(m: Uint8Array, ea: number): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) r[k] = (s8(m[ea + 2 * k]) & 0xffff) | (s8(m[ea + 2 * k + 1]) << 16);
  return r;
}
export function load8x8_u(m: Uint8Array, ea: number): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) r[k] = m[ea + 2 * k] | (m[ea + 2 * k + 1] << 16);
  return r;
}
export function load16x4_s(m: Uint8Array, ea: number): V128 {
  return v4(rd16s(m, ea), rd16s(m, ea + 2), rd16s(m, ea + 4), rd16s(m, ea + 6));
}
export function load16x4_u(m: Uint8Array, ea: number): V128 {
  return v4(rd16u(m, ea), rd16u(m, ea + 2), rd16u(m, ea + 4), rd16u(m, ea + 6));
}
export function load32x2_s(m: Uint8Array, ea: number): V128 {
  const lo = rd32(m, ea),
    hi = rd32(m, ea + 4);
  return v4(lo, lo >> 31, hi, hi >> 31);
}
export function load32x2_u(m: Uint8Array, ea: number): V128 {
  return v4(rd32(m, ea), 0, rd32(m, ea + 4), 0);
}
export function load8_splat(m: Uint8Array, ea: number): V128 {
  const x = m[ea] * 0x01010101;
  return v4(x, x, x, x);
}
export function load16_splat(m: Uint8Array, ea: number): V128 {
  const x = rd16u(m, ea) * 0x10001;
  return v4(x, x, x, x);
}
export function load32_splat(m: Uint8Array, ea: number): V128 {
  const x = rd32(m, ea);
  return v4(x, x, x, x);
}
export function load64_splat(m: Uint8Array, ea: number): V128 {
  const lo = rd32(m, ea),
    hi = rd32(m, ea + 4);
  return v4(lo, hi, lo, hi);
}
export function load32_zero(m: Uint8Array, ea: number): V128 {
  return v4(rd32(m, ea), 0, 0, 0);
}
export function load64_zero(m: Uint8Array, ea: number): V128 {
  return v4(rd32(m, ea), rd32(m, ea + 4), 0, 0);
}
export function load8_lane(m: Uint8Array, ea: number, v: V128, lane: number): V128 {
  return i8x16_replace_lane(v, m[ea], lane);
}
export function load16_lane(m: Uint8Array, ea: number, v: V128, lane: number): V128 {
  return i16x8_replace_lane(v, rd16u(m, ea), lane);
}
export function load32_lane(m: Uint8Array, ea: number, v: V128, lane: number): V128 {
  const r = v.slice();
  r[lane] = rd32(m, ea);
  return r;
}
export function load64_lane(m: Uint8Array, ea: number, v: V128, lane: number): V128 {
  const r = v.slice();
  r[2 * lane] = rd32(m, ea);
  r[2 * lane + 1] = rd32(m, ea + 4);
  return r;
}
export function store8_lane(m: Uint8Array, ea: number, v: V128, lane: number): void {
  m[ea] = v[lane >> 2] >>> (8 * (lane & 3));
}
export function store16_lane(m: Uint8Array, ea: number, v: V128, lane: number): void {
  const x = v[lane >> 1] >>> (16 * (lane & 1));
  m[ea] = x;
  m[ea + 1] = x >>> 8;
}
export function store32_lane(m: Uint8Array, ea: number, v: V128, lane: number): void {
  wr32(m, ea, v[lane]);
}
export function store64_lane(m: Uint8Array, ea: number, v: V128, lane: number): void {
  wr32(m, ea, v[2 * lane]);
  wr32(m, ea + 4, v[2 * lane + 1]);
}

// ---------------------------------------------------------------- splat, lanes, shuffle

export function i8x16_splat(x: number): V128 {
  const w = (x & 0xff) * 0x01010101;
  return v4(w, w, w, w);
}
export function i16x8_splat(x: number): V128 {
  const w = (x & 0xffff) * 0x10001;
  return v4(w, w, w, w);
}
export function i32x4_splat(x: number): V128 {
  return v4(x, x, x, x);
}
export function i64x2_splat(x: bigint): V128 {
  I64[0] = x;
  return v4(W[0], W[1], W[0], W[1]);
}
export function f32x4_splat(x: number): V128 {
  const w = f32ToBits(x);
  return v4(w, w, w, w);
}
export function f64x2_splat(x: number): V128 {
  f64ToWords(x, W);
  return v4(W[0], W[1], W[0], W[1]);
}

export function i8x16_extract_lane_s(v: V128, lane: number): number {
  return (v[lane >> 2] << (24 - 8 * (lane & 3))) >> 24;
}
export function i8x16_extract_lane_u(v: V128, lane: number): number {
  return (v[lane >> 2] >>> (8 * (lane & 3))) & 0xff;
}
export function i16x8_extract_lane_s(v: V128, lane: number): number {
  return (v[lane >> 1] << (16 - 16 * (lane & 1))) >> 16;
}
export function i16x8_extract_lane_u(v: V128, lane: number): number {
  return (v[lane >> 1] >>> (16 * (lane & 1))) & 0xffff;
}
export function i32x4_extract_lane(v: V128, lane: number): number {
  return v[lane];
}
export function i64x2_extract_lane(v: V128, lane: number): bigint {
  W[0] = v[2 * lane];
  W[1] = v[2 * lane + 1];
  return I64[0];
}
export function f32x4_extract_lane(v: V128, lane: number): number {
  return f32FromBits(v[lane]);
}
export function f64x2_extract_lane(v: V128, lane: number): number {
  return f64FromWords(v[2 * lane], v[2 * lane + 1]);
}

export function i8x16_replace_lane(v: V128, x: number, lane: number): V128 {
  const r = v.slice();
  const k = lane >> 2,
    sh = 8 * (lane & 3);
  r[k] = (r[k] & ~(0xff << sh)) | ((x & 0xff) << sh);
  return r;
}
export function i16x8_replace_lane(v: V128, x: number, lane: number): V128 {
  const r = v.slice();
  const k = lane >> 1,
    sh = 16 * (lane & 1);
  r[k] = (r[k] & ~(0xffff << sh)) | ((x & 0xffff) << sh);
  return r;
}
export function i32x4_replace_lane(v: V128, x: number, lane: number): V128 {
  const r = v.slice();
  r[lane] = x;
  return r;
}
export function i64x2_replace_lane(v: V128, x: bigint, lane: number): V128 {
  const r = v.slice();
  I64[0] = x;
  r[2 * lane] = W[0];
  r[2 * lane + 1] = W[1];
  return r;
}
// Word-pair forms of the i64 lane moves, for code that carries i64 as (lo, hi) int32 words.
// Extraction needs no helper: lane k is (v[2k], v[2k + 1]).
export function i64x2SplatWords(lo: number, hi: number): V128 {
  return v4(lo, hi, lo, hi);
}
export function i64x2ReplaceLaneWords(v: V128, lo: number, hi: number, lane: number): V128 {
  const r = v.slice();
  r[2 * lane] = lo;
  r[2 * lane + 1] = hi;
  return r;
}
export function f32x4_replace_lane(v: V128, x: number, lane: number): V128 {
  const r = v.slice();
  r[lane] = f32ToBits(x);
  return r;
}
export function f64x2_replace_lane(v: V128, x: number, lane: number): V128 {
  const r = v.slice();
  f64ToWords(x, W);
  r[2 * lane] = W[0];
  r[2 * lane + 1] = W[1];
  return r;
}

/** Lane indices are validated (< 32) by the time this runs. */
export function i8x16_shuffle(a: V128, b: V128, lanes: Uint8Array): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) U8[48 + i] = U8[lanes[i]];
  return outR();
}
export function i8x16_swizzle(a: V128, s: V128): V128 {
  ldA(a);
  ldB(s);
  for (let i = 0; i < 16; i++) {
    const j = U8[16 + i];
    U8[48 + i] = j < 16 ? U8[j] : 0;
  }
  return outR();
}
export const i8x16_relaxed_swizzle = i8x16_swizzle;

// ---------------------------------------------------------------- bitwise

export function v128_not(a: V128): V128 {
  return v4(~a[0], ~a[1], ~a[2], ~a[3]);
}
export function v128_and(a: V128, b: V128): V128 {
  return v4(a[0] & b[0], a[1] & b[1], a[2] & b[2], a[3] & b[3]);
}
export function v128_andnot(a: V128, b: V128): V128 {
  return v4(a[0] & ~b[0], a[1] & ~b[1], a[2] & ~b[2], a[3] & ~b[3]);
}
export function v128_or(a: V128, b: V128): V128 {
  return v4(a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]);
}
export function v128_xor(a: V128, b: V128): V128 {
  return v4(a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]);
}
export function v128_bitselect(a: V128, b: V128, c: V128): V128 {
  return v4(
    (a[0] & c[0]) | (b[0] & ~c[0]),
    (a[1] & c[1]) | (b[1] & ~c[1]),
    (a[2] & c[2]) | (b[2] & ~c[2]),
    (a[3] & c[3]) | (b[3] & ~c[3]),
  );
}
export function v128_any_true(a: V128): number {
  return (a[0] | a[1] | a[2] | a[3]) !== 0 ? 1 : 0;
}
export const i8x16_relaxed_laneselect = v128_bitselect;
export const i16x8_relaxed_laneselect = v128_bitselect;
export const i32x4_relaxed_laneselect = v128_bitselect;
export const i64x2_relaxed_laneselect = v128_bitselect;

// ---------------------------------------------------------------- i8x16

// Word-parallel (SWAR) add/sub: the low 7 bits of each byte are added without carry out
// of the byte, and the top bit is fixed up with xor.
export function i8x16_add(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & 0x80808080);
  }
  return r;
}
export function i8x16_sub(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = ((x | 0x80808080) - (y & 0x7f7f7f7f)) ^ ((x ^ ~y) & 0x80808080);
  }
  return r;
}
export function i8x16_neg(a: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const y = a[k];
    r[k] = (0x80808080 - (y & 0x7f7f7f7f)) ^ (~y & 0x80808080);
  }
  return r;
}
export function i8x16_abs(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 16; i++) {
    const x = I8[i];
    I8[48 + i] = x < 0 ? -x : x;
  }
  return outR();
}
export function i8x16_popcnt(a: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    let x = a[k];
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    r[k] = (x + (x >>> 4)) & 0x0f0f0f0f;
  }
  return r;
}
export function i8x16_all_true(a: V128): number {
  for (let k = 0; k < 4; k++) {
    const x = a[k];
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) return 0;
  }
  return 1;
}
export function i8x16_bitmask(a: V128): number {
  let m = 0;
  for (let k = 0; k < 4; k++) {
    const x = a[k];
    m |= (((x >>> 7) & 1) | ((x >>> 14) & 2) | ((x >>> 21) & 4) | ((x >>> 28) & 8)) << (4 * k);
  }
  return m;
}
export function i8x16_narrow_i16x8_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = I16[i];
    I8[48 + i] = x > 127 ? 127 : x < -128 ? -128 : x;
  }
  return outR();
}
export function i8x16_narrow_i16x8_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = I16[i];
    U8[48 + i] = x > 255 ? 255 : x < 0 ? 0 : x;
  }
  return outR();
}
export function i8x16_shl(a: V128, s: number): V128 {
  s &= 7;
  const m = ((0xff << s) & 0xff) * 0x01010101;
  return v4((a[0] << s) & m, (a[1] << s) & m, (a[2] << s) & m, (a[3] << s) & m);
}
export function i8x16_shr_u(a: V128, s: number): V128 {
  s &= 7;
  const m = (0xff >>> s) * 0x01010101;
  return v4((a[0] >>> s) & m, (a[1] >>> s) & m, (a[2] >>> s) & m, (a[3] >>> s) & m);
}
export function i8x16_shr_s(a: V128, s: number): V128 {
  s &= 7;
  ldA(a);
  for (let i = 0; i < 16; i++) I8[48 + i] = I8[i] >> s;
  return outR();
}
export function i8x16_add_sat_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = I8[i] + I8[16 + i];
    I8[48 + i] = x > 127 ? 127 : x < -128 ? -128 : x;
  }
  return outR();
}
export function i8x16_add_sat_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = U8[i] + U8[16 + i];
    U8[48 + i] = x > 255 ? 255 : x;
  }
  return outR();
}
export function i8x16_sub_sat_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = I8[i] - I8[16 + i];
    I8[48 + i] = x > 127 ? 127 : x < -128 ? -128 : x;
  }
  return outR();
}
export function i8x16_sub_sat_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = U8[i] - U8[16 + i];
    U8[48 + i] = x < 0 ? 0 : x;
  }
  return outR();
}
export function i8x16_min_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = I8[i],
      y = I8[16 + i];
    I8[48 + i] = x < y ? x : y;
  }
  return outR();
}
export function i8x16_min_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = U8[i],
      y = U8[16 + i];
    U8[48 + i] = x < y ? x : y;
  }
  return outR();
}
export function i8x16_max_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = I8[i],
      y = I8[16 + i];
    I8[48 + i] = x > y ? x : y;
  }
  return outR();
}
export function i8x16_max_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) {
    const x = U8[i],
      y = U8[16 + i];
    U8[48 + i] = x > y ? x : y;
  }
  return outR();
}
/** (x + y + 1) >> 1 per byte, as (x | y) - ((x ^ y) >> 1), which never borrows across bytes. */
export function i8x16_avgr_u(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = (x | y) - (((x ^ y) >>> 1) & 0x7f7f7f7f);
  }
  return r;
}

// i8x16 comparisons: lane results are all-ones or zero.
export function i8x16_eq(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = I8[i] === I8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_ne(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = I8[i] !== I8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_lt_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = I8[i] < I8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_lt_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = U8[i] < U8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_gt_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = I8[i] > I8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_gt_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = U8[i] > U8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_le_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = I8[i] <= I8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_le_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = U8[i] <= U8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_ge_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = I8[i] >= I8[16 + i] ? -1 : 0;
  return outR();
}
export function i8x16_ge_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 16; i++) I8[48 + i] = U8[i] >= U8[16 + i] ? -1 : 0;
  return outR();
}

// ---------------------------------------------------------------- i16x8

export function i16x8_add(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = ((x & 0x7fff7fff) + (y & 0x7fff7fff)) ^ ((x ^ y) & 0x80008000);
  }
  return r;
}
export function i16x8_sub(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = ((x | 0x80008000) - (y & 0x7fff7fff)) ^ ((x ^ ~y) & 0x80008000);
  }
  return r;
}
export function i16x8_neg(a: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const y = a[k];
    r[k] = (0x80008000 - (y & 0x7fff7fff)) ^ (~y & 0x80008000);
  }
  return r;
}
export function i16x8_mul(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = (Math.imul(x, y) & 0xffff) | (Math.imul(x >>> 16, y >>> 16) << 16);
  }
  return r;
}
export function i16x8_abs(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 8; i++) {
    const x = I16[i];
    I16[24 + i] = x < 0 ? -x : x;
  }
  return outR();
}
export function i16x8_all_true(a: V128): number {
  for (let k = 0; k < 4; k++) {
    const x = a[k];
    if (((x - 0x00010001) & ~x & 0x80008000) !== 0) return 0;
  }
  return 1;
}
export function i16x8_bitmask(a: V128): number {
  let m = 0;
  for (let k = 0; k < 4; k++) {
    const x = a[k];
    m |= (((x >>> 15) & 1) | ((x >>> 30) & 2)) << (2 * k);
  }
  return m;
}
export function i16x8_narrow_i32x4_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = W[i];
    I16[24 + i] = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
  }
  return outR();
}
export function i16x8_narrow_i32x4_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = W[i];
    U16[24 + i] = x > 65535 ? 65535 : x < 0 ? 0 : x;
  }
  return outR();
}
export function i16x8_extend_low_i8x16_s(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 8; i++) I16[24 + i] = I8[i];
  return outR();
}
export function i16x8_extend_high_i8x16_s(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 8; i++) I16[24 + i] = I8[8 + i];
  return outR();
}
export function i16x8_extend_low_i8x16_u(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 8; i++) I16[24 + i] = U8[i];
  return outR();
}
export function i16x8_extend_high_i8x16_u(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 8; i++) I16[24 + i] = U8[8 + i];
  return outR();
}
export function i16x8_shl(a: V128, s: number): V128 {
  s &= 15;
  const m = ((0xffff << s) & 0xffff) * 0x10001;
  return v4((a[0] << s) & m, (a[1] << s) & m, (a[2] << s) & m, (a[3] << s) & m);
}
export function i16x8_shr_u(a: V128, s: number): V128 {
  s &= 15;
  const m = (0xffff >>> s) * 0x10001;
  return v4((a[0] >>> s) & m, (a[1] >>> s) & m, (a[2] >>> s) & m, (a[3] >>> s) & m);
}
export function i16x8_shr_s(a: V128, s: number): V128 {
  s &= 15;
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k];
    r[k] = ((x >> s) & 0xffff0000) | (((x << 16) >> (16 + s)) & 0xffff);
  }
  return r;
}
export function i16x8_add_sat_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = I16[i] + I16[8 + i];
    I16[24 + i] = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
  }
  return outR();
}
export function i16x8_add_sat_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = U16[i] + U16[8 + i];
    U16[24 + i] = x > 65535 ? 65535 : x;
  }
  return outR();
}
export function i16x8_sub_sat_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = I16[i] - I16[8 + i];
    I16[24 + i] = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
  }
  return outR();
}
export function i16x8_sub_sat_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = U16[i] - U16[8 + i];
    U16[24 + i] = x < 0 ? 0 : x;
  }
  return outR();
}
export function i16x8_min_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = I16[i],
      y = I16[8 + i];
    I16[24 + i] = x < y ? x : y;
  }
  return outR();
}
export function i16x8_min_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = U16[i],
      y = U16[8 + i];
    U16[24 + i] = x < y ? x : y;
  }
  return outR();
}
export function i16x8_max_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = I16[i],
      y = I16[8 + i];
    I16[24 + i] = x > y ? x : y;
  }
  return outR();
}
export function i16x8_max_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = U16[i],
      y = U16[8 + i];
    U16[24 + i] = x > y ? x : y;
  }
  return outR();
}
export function i16x8_avgr_u(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = (x | y) - (((x ^ y) >>> 1) & 0x7fff7fff);
  }
  return r;
}
/** Rounding Q15 multiply; only (-32768) * (-32768) overflows, and saturates. */
export function i16x8_q15mulr_sat_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = (I16[i] * I16[8 + i] + 0x4000) >> 15;
    I16[24 + i] = x > 32767 ? 32767 : x;
  }
  return outR();
}
export const i16x8_relaxed_q15mulr_s = i16x8_q15mulr_sat_s;
export function i16x8_extadd_pairwise_i8x16_s(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 8; i++) I16[24 + i] = I8[2 * i] + I8[2 * i + 1];
  return outR();
}
export function i16x8_extadd_pairwise_i8x16_u(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 8; i++) I16[24 + i] = U8[2 * i] + U8[2 * i + 1];
  return outR();
}
export function i16x8_extmul_low_i8x16_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) I16[24 + i] = I8[i] * I8[16 + i];
  return outR();
}
export function i16x8_extmul_high_i8x16_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) I16[24 + i] = I8[8 + i] * I8[24 + i];
  return outR();
}
export function i16x8_extmul_low_i8x16_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) I16[24 + i] = U8[i] * U8[16 + i];
  return outR();
}
export function i16x8_extmul_high_i8x16_u(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) I16[24 + i] = U8[8 + i] * U8[24 + i];
  return outR();
}
/** Deterministic profile: both operands signed; pair sums saturate to i16. */
export function i16x8_relaxed_dot_i8x16_i7x16_s(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const x = I8[2 * i] * I8[16 + 2 * i] + I8[2 * i + 1] * I8[17 + 2 * i];
    I16[24 + i] = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
  }
  return outR();
}
/** relaxed_dot (saturating i16 pair sums), then pairwise add to i32, then add c (wrapping). */
export function i32x4_relaxed_dot_i8x16_i7x16_add_s(a: V128, b: V128, c: V128): V128 {
  ldA(a);
  ldB(b);
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    let sum = 0;
    for (let j = 0; j < 2; j++) {
      const i = 4 * k + 2 * j;
      const x = I8[i] * I8[16 + i] + I8[i + 1] * I8[17 + i];
      sum += x > 32767 ? 32767 : x < -32768 ? -32768 : x;
    }
    r[k] = (sum + c[k]) | 0;
  }
  return r;
}

function cmp16(a: V128, b: V128, op: number): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 8; i++) {
    const xs = I16[i],
      ys = I16[8 + i],
      xu = U16[i],
      yu = U16[8 + i];
    let t: boolean;
    switch (op) {
      case 0:
        t = xs === ys;
        break;
      case 1:
        t = xs !== ys;
        break;
      case 2:
        t = xs < ys;
        break;
      case 3:
        t = xu < yu;
        break;
      case 4:
        t = xs > ys;
        break;
      case 5:
        t = xu > yu;
        break;
      case 6:
        t = xs <= ys;
        break;
      case 7:
        t = xu <= yu;
        break;
      case 8:
        t = xs >= ys;
        break;
      default:
        t = xu >= yu;
        break;
    }
    I16[24 + i] = t ? -1 : 0;
  }
  return outR();
}
export function i16x8_eq(a: V128, b: V128): V128 {
  return cmp16(a, b, 0);
}
export function i16x8_ne(a: V128, b: V128): V128 {
  return cmp16(a, b, 1);
}
export function i16x8_lt_s(a: V128, b: V128): V128 {
  return cmp16(a, b, 2);
}
export function i16x8_lt_u(a: V128, b: V128): V128 {
  return cmp16(a, b, 3);
}
export function i16x8_gt_s(a: V128, b: V128): V128 {
  return cmp16(a, b, 4);
}
export function i16x8_gt_u(a: V128, b: V128): V128 {
  return cmp16(a, b, 5);
}
export function i16x8_le_s(a: V128, b: V128): V128 {
  return cmp16(a, b, 6);
}
export function i16x8_le_u(a: V128, b: V128): V128 {
  return cmp16(a, b, 7);
}
export function i16x8_ge_s(a: V128, b: V128): V128 {
  return cmp16(a, b, 8);
}
export function i16x8_ge_u(a: V128, b: V128): V128 {
  return cmp16(a, b, 9);
}

// ---------------------------------------------------------------- i32x4

export function i32x4_add(a: V128, b: V128): V128 {
  return v4((a[0] + b[0]) | 0, (a[1] + b[1]) | 0, (a[2] + b[2]) | 0, (a[3] + b[3]) | 0);
}
export function i32x4_sub(a: V128, b: V128): V128 {
  return v4((a[0] - b[0]) | 0, (a[1] - b[1]) | 0, (a[2] - b[2]) | 0, (a[3] - b[3]) | 0);
}
export function i32x4_mul(a: V128, b: V128): V128 {
  return v4(Math.imul(a[0], b[0]), Math.imul(a[1], b[1]), Math.imul(a[2], b[2]), Math.imul(a[3], b[3]));
}
export function i32x4_neg(a: V128): V128 {
  return v4(-a[0] | 0, -a[1] | 0, -a[2] | 0, -a[3] | 0);
}
function abs32(x: number): number {
  return x < 0 ? -x | 0 : x;
}
export function i32x4_abs(a: V128): V128 {
  return v4(abs32(a[0]), abs32(a[1]), abs32(a[2]), abs32(a[3]));
}
export function i32x4_all_true(a: V128): number {
  return a[0] !== 0 && a[1] !== 0 && a[2] !== 0 && a[3] !== 0 ? 1 : 0;
}
export function i32x4_bitmask(a: V128): number {
  return (a[0] >>> 31) | ((a[1] >>> 31) << 1) | ((a[2] >>> 31) << 2) | ((a[3] >>> 31) << 3);
}
export function i32x4_extend_low_i16x8_s(a: V128): V128 {
  const x = a[0],
    y = a[1];
  return v4((x << 16) >> 16, x >> 16, (y << 16) >> 16, y >> 16);
}
export function i32x4_extend_high_i16x8_s(a: V128): V128 {
  const x = a[2],
    y = a[3];
  return v4((x << 16) >> 16, x >> 16, (y << 16) >> 16, y >> 16);
}
export function i32x4_extend_low_i16x8_u(a: V128): V128 {
  const x = a[0],
    y = a[1];
  return v4(x & 0xffff, x >>> 16, y & 0xffff, y >>> 16);
}
export function i32x4_extend_high_i16x8_u(a: V128): V128 {
  const x = a[2],
    y = a[3];
  return v4(x & 0xffff, x >>> 16, y & 0xffff, y >>> 16);
}
export function i32x4_shl(a: V128, s: number): V128 {
  return v4(a[0] << s, a[1] << s, a[2] << s, a[3] << s); // JS masks the count with 31
}
export function i32x4_shr_s(a: V128, s: number): V128 {
  return v4(a[0] >> s, a[1] >> s, a[2] >> s, a[3] >> s);
}
export function i32x4_shr_u(a: V128, s: number): V128 {
  return v4((a[0] >>> s) | 0, (a[1] >>> s) | 0, (a[2] >>> s) | 0, (a[3] >>> s) | 0);
}
export function i32x4_min_s(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) r[k] = a[k] < b[k] ? a[k] : b[k];
  return r;
}
export function i32x4_min_u(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) r[k] = a[k] >>> 0 < b[k] >>> 0 ? a[k] : b[k];
  return r;
}
export function i32x4_max_s(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) r[k] = a[k] > b[k] ? a[k] : b[k];
  return r;
}
export function i32x4_max_u(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) r[k] = a[k] >>> 0 > b[k] >>> 0 ? a[k] : b[k];
  return r;
}
/** Products of i16 pairs summed in i32; only 2 * (-32768)^2 overflows, and it wraps. */
export function i32x4_dot_i16x8_s(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k],
      y = b[k];
    r[k] = (((x << 16) >> 16) * ((y << 16) >> 16) + (x >> 16) * (y >> 16)) | 0;
  }
  return r;
}
export function i32x4_extadd_pairwise_i16x8_s(a: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k];
    r[k] = ((x << 16) >> 16) + (x >> 16);
  }
  return r;
}
export function i32x4_extadd_pairwise_i16x8_u(a: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k++) {
    const x = a[k];
    r[k] = (x & 0xffff) + (x >>> 16);
  }
  return r;
}
export function i32x4_extmul_low_i16x8_s(a: V128, b: V128): V128 {
  const x = a[0],
    y = b[0],
    x1 = a[1],
    y1 = b[1];
  return v4(
    ((x << 16) >> 16) * ((y << 16) >> 16),
    (x >> 16) * (y >> 16),
    ((x1 << 16) >> 16) * ((y1 << 16) >> 16),
    (x1 >> 16) * (y1 >> 16),
  );
}
export function i32x4_extmul_high_i16x8_s(a: V128, b: V128): V128 {
  const x = a[2],
    y = b[2],
    x1 = a[3],
    y1 = b[3];
  return v4(
    ((x << 16) >> 16) * ((y << 16) >> 16),
    (x >> 16) * (y >> 16),
    ((x1 << 16) >> 16) * ((y1 << 16) >> 16),
    (x1 >> 16) * (y1 >> 16),
  );
}
// Unsigned 16x16 products reach 2^32 - 2^17 + 1; Math.imul keeps the low 32 bits.
export function i32x4_extmul_low_i16x8_u(a: V128, b: V128): V128 {
  const x = a[0],
    y = b[0],
    x1 = a[1],
    y1 = b[1];
  return v4(
    Math.imul(x & 0xffff, y & 0xffff),
    Math.imul(x >>> 16, y >>> 16),
    Math.imul(x1 & 0xffff, y1 & 0xffff),
    Math.imul(x1 >>> 16, y1 >>> 16),
  );
}
export function i32x4_extmul_high_i16x8_u(a: V128, b: V128): V128 {
  const x = a[2],
    y = b[2],
    x1 = a[3],
    y1 = b[3];
  return v4(
    Math.imul(x & 0xffff, y & 0xffff),
    Math.imul(x >>> 16, y >>> 16),
    Math.imul(x1 & 0xffff, y1 & 0xffff),
    Math.imul(x1 >>> 16, y1 >>> 16),
  );
}

function m32(x: boolean): number {
  return x ? -1 : 0;
}
export function i32x4_eq(a: V128, b: V128): V128 {
  return v4(m32(a[0] === b[0]), m32(a[1] === b[1]), m32(a[2] === b[2]), m32(a[3] === b[3]));
}
export function i32x4_ne(a: V128, b: V128): V128 {
  return v4(m32(a[0] !== b[0]), m32(a[1] !== b[1]), m32(a[2] !== b[2]), m32(a[3] !== b[3]));
}
export function i32x4_lt_s(a: V128, b: V128): V128 {
  return v4(m32(a[0] < b[0]), m32(a[1] < b[1]), m32(a[2] < b[2]), m32(a[3] < b[3]));
}
export function i32x4_lt_u(a: V128, b: V128): V128 {
  return v4(
    m32(a[0] >>> 0 < b[0] >>> 0),
    m32(a[1] >>> 0 < b[1] >>> 0),
    m32(a[2] >>> 0 < b[2] >>> 0),
    m32(a[3] >>> 0 < b[3] >>> 0),
  );
}
export function i32x4_gt_s(a: V128, b: V128): V128 {
  return v4(m32(a[0] > b[0]), m32(a[1] > b[1]), m32(a[2] > b[2]), m32(a[3] > b[3]));
}
export function i32x4_gt_u(a: V128, b: V128): V128 {
  return v4(
    m32(a[0] >>> 0 > b[0] >>> 0),
    m32(a[1] >>> 0 > b[1] >>> 0),
    m32(a[2] >>> 0 > b[2] >>> 0),
    m32(a[3] >>> 0 > b[3] >>> 0),
  );
}
export function i32x4_le_s(a: V128, b: V128): V128 {
  return v4(m32(a[0] <= b[0]), m32(a[1] <= b[1]), m32(a[2] <= b[2]), m32(a[3] <= b[3]));
}
export function i32x4_le_u(a: V128, b: V128): V128 {
  return v4(
    m32(a[0] >>> 0 <= b[0] >>> 0),
    m32(a[1] >>> 0 <= b[1] >>> 0),
    m32(a[2] >>> 0 <= b[2] >>> 0),
    m32(a[3] >>> 0 <= b[3] >>> 0),
  );
}
export function i32x4_ge_s(a: V128, b: V128): V128 {
  return v4(m32(a[0] >= b[0]), m32(a[1] >= b[1]), m32(a[2] >= b[2]), m32(a[3] >= b[3]));
}
export function i32x4_ge_u(a: V128, b: V128): V128 {
  return v4(
    m32(a[0] >>> 0 >= b[0] >>> 0),
    m32(a[1] >>> 0 >= b[1] >>> 0),
    m32(a[2] >>> 0 >= b[2] >>> 0),
    m32(a[3] >>> 0 >= b[3] >>> 0),
  );
}

// ---------------------------------------------------------------- i64x2 (word pairs lo, hi)

/** High 32 bits of the unsigned 64-bit product of two uint32 (given as int32). */
function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff,
    a1 = a >>> 16,
    b0 = b & 0xffff,
    b1 = b >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}
/** High 32 bits of the signed 64-bit product of two int32. */
function mulHiS32(a: number, b: number): number {
  return (mulHiU32(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

export function i64x2_add(a: V128, b: V128): V128 {
  const l0 = (a[0] + b[0]) | 0,
    l1 = (a[2] + b[2]) | 0;
  return v4(
    l0,
    (a[1] + b[1] + (l0 >>> 0 < a[0] >>> 0 ? 1 : 0)) | 0,
    l1,
    (a[3] + b[3] + (l1 >>> 0 < a[2] >>> 0 ? 1 : 0)) | 0,
  );
}
export function i64x2_sub(a: V128, b: V128): V128 {
  return v4(
    (a[0] - b[0]) | 0,
    (a[1] - b[1] - (a[0] >>> 0 < b[0] >>> 0 ? 1 : 0)) | 0,
    (a[2] - b[2]) | 0,
    (a[3] - b[3] - (a[2] >>> 0 < b[2] >>> 0 ? 1 : 0)) | 0,
  );
}
export function i64x2_mul(a: V128, b: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k += 2) {
    const al = a[k],
      ah = a[k + 1],
      bl = b[k],
      bh = b[k + 1];
    r[k] = Math.imul(al, bl);
    r[k + 1] = (mulHiU32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  }
  return r;
}
export function i64x2_neg(a: V128): V128 {
  return v4(-a[0] | 0, (~a[1] + (a[0] === 0 ? 1 : 0)) | 0, -a[2] | 0, (~a[3] + (a[2] === 0 ? 1 : 0)) | 0);
}
export function i64x2_abs(a: V128): V128 {
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k += 2) {
    const l = a[k],
      h = a[k + 1];
    if (h < 0) {
      r[k] = -l | 0;
      r[k + 1] = (~h + (l === 0 ? 1 : 0)) | 0;
    } else {
      r[k] = l;
      r[k + 1] = h;
    }
  }
  return r;
}
export function i64x2_all_true(a: V128): number {
  return (a[0] | a[1]) !== 0 && (a[2] | a[3]) !== 0 ? 1 : 0;
}
export function i64x2_bitmask(a: V128): number {
  return (a[1] >>> 31) | ((a[3] >>> 31) << 1);
}
export function i64x2_extend_low_i32x4_s(a: V128): V128 {
  return v4(a[0], a[0] >> 31, a[1], a[1] >> 31);
}
export function i64x2_extend_high_i32x4_s(a: V128): V128 {
  return v4(a[2], a[2] >> 31, a[3], a[3] >> 31);
}
export function i64x2_extend_low_i32x4_u(a: V128): V128 {
  return v4(a[0], 0, a[1], 0);
}
export function i64x2_extend_high_i32x4_u(a: V128): V128 {
  return v4(a[2], 0, a[3], 0);
}
export function i64x2_shl(a: V128, s: number): V128 {
  s &= 63;
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k += 2) {
    const l = a[k],
      h = a[k + 1];
    if (s === 0) {
      r[k] = l;
      r[k + 1] = h;
    } else if (s < 32) {
      r[k] = l << s;
      r[k + 1] = (h << s) | (l >>> (32 - s));
    } else {
      r[k] = 0;
      r[k + 1] = l << (s - 32);
    }
  }
  return r;
}
export function i64x2_shr_u(a: V128, s: number): V128 {
  s &= 63;
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k += 2) {
    const l = a[k],
      h = a[k + 1];
    if (s === 0) {
      r[k] = l;
      r[k + 1] = h;
    } else if (s < 32) {
      r[k] = (l >>> s) | (h << (32 - s));
      r[k + 1] = h >>> s;
    } else {
      r[k] = h >>> (s - 32);
      r[k + 1] = 0;
    }
  }
  return r;
}
export function i64x2_shr_s(a: V128, s: number): V128 {
  s &= 63;
  const r = new Int32Array(4);
  for (let k = 0; k < 4; k += 2) {
    const l = a[k],
      h = a[k + 1];
    if (s === 0) {
      r[k] = l;
      r[k + 1] = h;
    } else if (s < 32) {
      r[k] = (l >>> s) | (h << (32 - s));
      r[k + 1] = h >> s;
    } else {
      r[k] = h >> (s - 32);
      r[k + 1] = h >> 31;
    }
  }
  return r;
}
export function i64x2_extmul_low_i32x4_s(a: V128, b: V128): V128 {
  return v4(Math.imul(a[0], b[0]), mulHiS32(a[0], b[0]), Math.imul(a[1], b[1]), mulHiS32(a[1], b[1]));
}
export function i64x2_extmul_high_i32x4_s(a: V128, b: V128): V128 {
  return v4(Math.imul(a[2], b[2]), mulHiS32(a[2], b[2]), Math.imul(a[3], b[3]), mulHiS32(a[3], b[3]));
}
export function i64x2_extmul_low_i32x4_u(a: V128, b: V128): V128 {
  return v4(Math.imul(a[0], b[0]), mulHiU32(a[0], b[0]), Math.imul(a[1], b[1]), mulHiU32(a[1], b[1]));
}
export function i64x2_extmul_high_i32x4_u(a: V128, b: V128): V128 {
  return v4(Math.imul(a[2], b[2]), mulHiU32(a[2], b[2]), Math.imul(a[3], b[3]), mulHiU32(a[3], b[3]));
}
/** Signed 64-bit a < b on word pairs. */
function lt64(al: number, ah: number, bl: number, bh: number): boolean {
  return ah < bh || (ah === bh && al >>> 0 < bl >>> 0);
}
function m64(t0: boolean, t1: boolean): V128 {
  const x = t0 ? -1 : 0,
    y = t1 ? -1 : 0;
  return v4(x, x, y, y);
}
export function i64x2_eq(a: V128, b: V128): V128 {
  return m64(a[0] === b[0] && a[1] === b[1], a[2] === b[2] && a[3] === b[3]);
}
export function i64x2_ne(a: V128, b: V128): V128 {
  return m64(a[0] !== b[0] || a[1] !== b[1], a[2] !== b[2] || a[3] !== b[3]);
}
export function i64x2_lt_s(a: V128, b: V128): V128 {
  return m64(lt64(a[0], a[1], b[0], b[1]), lt64(a[2], a[3], b[2], b[3]));
}
export function i64x2_gt_s(a: V128, b: V128): V128 {
  return m64(lt64(b[0], b[1], a[0], a[1]), lt64(b[2], b[3], a[2], a[3]));
}
export function i64x2_le_s(a: V128, b: V128): V128 {
  return m64(!lt64(b[0], b[1], a[0], a[1]), !lt64(b[2], b[3], a[2], a[3]));
}
export function i64x2_ge_s(a: V128, b: V128): V128 {
  return m64(!lt64(a[0], a[1], b[0], b[1]), !lt64(a[2], a[3], b[2], b[3]));
}

// ---------------------------------------------------------------- float helpers

// Each takes JS doubles holding exact lane values; a NaN operand is returned through an
// arithmetic operation so that signalling NaNs come back quiet (spec: arithmetic NaN).
function fmin(x: number, y: number): number {
  if (x !== x || y !== y) return x + y;
  if (x < y) return x;
  if (y < x) return y;
  return x === 0 && 1 / x > 0 ? y : x; // equal: min(+0, -0) = -0
}
function fmax(x: number, y: number): number {
  if (x !== x || y !== y) return x + y;
  if (x > y) return x;
  if (y > x) return y;
  return x === 0 && 1 / x < 0 ? y : x; // equal: max(-0, +0) = +0
}
function fceil(x: number): number {
  return x !== x ? x + x : Math.ceil(x);
}
function ffloor(x: number): number {
  return x !== x ? x + x : Math.floor(x);
}
function ftrunc(x: number): number {
  return x !== x ? x + x : Math.trunc(x);
}
const TWO52 = 4503599627370496;
/** Round to nearest, ties to even: adding and removing 2^52 rounds in the FPU's default mode. */
function fnearest(x: number): number {
  if (x !== x) return x + x;
  const ax = Math.abs(x);
  if (ax >= TWO52) return x;
  const r = ax + TWO52 - TWO52;
  return x < 0 ? -r : x === 0 ? x : r;
}
function truncSatS32(x: number): number {
  return x !== x ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x | 0;
}
function truncSatU32(x: number): number {
  return x !== x || x <= -1 ? 0 : x >= 4294967295 ? -1 : (x >>> 0) | 0;
}

// ---------------------------------------------------------------- f32x4

export function f32x4_abs(a: V128): V128 {
  return v4(a[0] & 0x7fffffff, a[1] & 0x7fffffff, a[2] & 0x7fffffff, a[3] & 0x7fffffff);
}
export function f32x4_neg(a: V128): V128 {
  return v4(a[0] ^ 0x80000000, a[1] ^ 0x80000000, a[2] ^ 0x80000000, a[3] ^ 0x80000000);
}
// Float32Array stores round the double result to f32 once. For +, -, *, / and sqrt of f32
// operands the double result rounded to f32 equals the correctly rounded f32 result.
export function f32x4_sqrt(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 4; i++) F32[12 + i] = Math.sqrt(F32[i]);
  return outR();
}
export function f32x4_add(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 4; i++) F32[12 + i] = F32[i] + F32[4 + i];
  return outR();
}
export function f32x4_sub(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 4; i++) F32[12 + i] = F32[i] - F32[4 + i];
  return outR();
}
export function f32x4_mul(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 4; i++) F32[12 + i] = F32[i] * F32[4 + i];
  return outR();
}
export function f32x4_div(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 4; i++) F32[12 + i] = F32[i] / F32[4 + i];
  return outR();
}
export function f32x4_min(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 4; i++) F32[12 + i] = fmin(F32[i], F32[4 + i]);
  return outR();
}
export function f32x4_max(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  for (let i = 0; i < 4; i++) F32[12 + i] = fmax(F32[i], F32[4 + i]);
  return outR();
}
export const f32x4_relaxed_min = f32x4_min;
export const f32x4_relaxed_max = f32x4_max;
/** pmin = b < a ? b : a, selecting the operand's exact bits (NaNs pass through unchanged). */
export function f32x4_pmin(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  const r = new Int32Array(4);
  for (let i = 0; i < 4; i++) r[i] = F32[4 + i] < F32[i] ? b[i] : a[i];
  return r;
}
export function f32x4_pmax(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  const r = new Int32Array(4);
  for (let i = 0; i < 4; i++) r[i] = F32[i] < F32[4 + i] ? b[i] : a[i];
  return r;
}
export function f32x4_ceil(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 4; i++) F32[12 + i] = fceil(F32[i]);
  return outR();
}
export function f32x4_floor(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 4; i++) F32[12 + i] = ffloor(F32[i]);
  return outR();
}
export function f32x4_trunc(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 4; i++) F32[12 + i] = ftrunc(F32[i]);
  return outR();
}
export function f32x4_nearest(a: V128): V128 {
  ldA(a);
  for (let i = 0; i < 4; i++) F32[12 + i] = fnearest(F32[i]);
  return outR();
}
/** Deterministic profile: the product is rounded to f32 before the addition. */
export function f32x4_relaxed_madd(a: V128, b: V128, c: V128): V128 {
  ldA(a);
  ldB(b);
  ldC(c);
  for (let i = 0; i < 4; i++) F32[12 + i] = Math.fround(F32[i] * F32[4 + i]) + F32[8 + i];
  return outR();
}
export function f32x4_relaxed_nmadd(a: V128, b: V128, c: V128): V128 {
  ldA(a);
  ldB(b);
  ldC(c);
  for (let i = 0; i < 4; i++) F32[12 + i] = Math.fround(-F32[i] * F32[4 + i]) + F32[8 + i];
  return outR();
}
export function f32x4_demote_f64x2_zero(a: V128): V128 {
  ldA(a);
  F32[12] = F64[0];
  F32[13] = F64[1];
  return v4(W[12], W[13], 0, 0);
}
export function f32x4_convert_i32x4_s(a: V128): V128 {
  for (let i = 0; i < 4; i++) F32[12 + i] = a[i];
  return outR();
}
export function f32x4_convert_i32x4_u(a: V128): V128 {
  for (let i = 0; i < 4; i++) F32[12 + i] = a[i] >>> 0;
  return outR();
}
export function i32x4_trunc_sat_f32x4_s(a: V128): V128 {
  ldA(a);
  return v4(truncSatS32(F32[0]), truncSatS32(F32[1]), truncSatS32(F32[2]), truncSatS32(F32[3]));
}
export function i32x4_trunc_sat_f32x4_u(a: V128): V128 {
  ldA(a);
  return v4(truncSatU32(F32[0]), truncSatU32(F32[1]), truncSatU32(F32[2]), truncSatU32(F32[3]));
}
export const i32x4_relaxed_trunc_f32x4_s = i32x4_trunc_sat_f32x4_s;
export const i32x4_relaxed_trunc_f32x4_u = i32x4_trunc_sat_f32x4_u;

function fcmp32(a: V128, b: V128, op: number): V128 {
  ldA(a);
  ldB(b);
  const r = new Int32Array(4);
  for (let i = 0; i < 4; i++) {
    const x = F32[i],
      y = F32[4 + i];
    let t: boolean;
    switch (op) {
      case 0:
        t = x === y;
        break;
      case 1:
        t = x !== y;
        break;
      case 2:
        t = x < y;
        break;
      case 3:
        t = x > y;
        break;
      case 4:
        t = x <= y;
        break;
      default:
        t = x >= y;
        break;
    }
    r[i] = t ? -1 : 0;
  }
  return r;
}
export function f32x4_eq(a: V128, b: V128): V128 {
  return fcmp32(a, b, 0);
}
export function f32x4_ne(a: V128, b: V128): V128 {
  return fcmp32(a, b, 1);
}
export function f32x4_lt(a: V128, b: V128): V128 {
  return fcmp32(a, b, 2);
}
export function f32x4_gt(a: V128, b: V128): V128 {
  return fcmp32(a, b, 3);
}
export function f32x4_le(a: V128, b: V128): V128 {
  return fcmp32(a, b, 4);
}
export function f32x4_ge(a: V128, b: V128): V128 {
  return fcmp32(a, b, 5);
}

// ---------------------------------------------------------------- f64x2

export function f64x2_abs(a: V128): V128 {
  return v4(a[0], a[1] & 0x7fffffff, a[2], a[3] & 0x7fffffff);
}
export function f64x2_neg(a: V128): V128 {
  return v4(a[0], a[1] ^ 0x80000000, a[2], a[3] ^ 0x80000000);
}
function f64r(x: number, y: number): V128 {
  F64[6] = x;
  F64[7] = y;
  return outR();
}
export function f64x2_sqrt(a: V128): V128 {
  ldA(a);
  return f64r(Math.sqrt(F64[0]), Math.sqrt(F64[1]));
}
export function f64x2_add(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  return f64r(F64[0] + F64[2], F64[1] + F64[3]);
}
export function f64x2_sub(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  return f64r(F64[0] - F64[2], F64[1] - F64[3]);
}
export function f64x2_mul(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  return f64r(F64[0] * F64[2], F64[1] * F64[3]);
}
export function f64x2_div(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  return f64r(F64[0] / F64[2], F64[1] / F64[3]);
}
export function f64x2_min(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  return f64r(fmin(F64[0], F64[2]), fmin(F64[1], F64[3]));
}
export function f64x2_max(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  return f64r(fmax(F64[0], F64[2]), fmax(F64[1], F64[3]));
}
export const f64x2_relaxed_min = f64x2_min;
export const f64x2_relaxed_max = f64x2_max;
export function f64x2_pmin(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  const t0 = F64[2] < F64[0],
    t1 = F64[3] < F64[1];
  return v4(t0 ? b[0] : a[0], t0 ? b[1] : a[1], t1 ? b[2] : a[2], t1 ? b[3] : a[3]);
}
export function f64x2_pmax(a: V128, b: V128): V128 {
  ldA(a);
  ldB(b);
  const t0 = F64[0] < F64[2],
    t1 = F64[1] < F64[3];
  return v4(t0 ? b[0] : a[0], t0 ? b[1] : a[1], t1 ? b[2] : a[2], t1 ? b[3] : a[3]);
}
export function f64x2_ceil(a: V128): V128 {
  ldA(a);
  return f64r(fceil(F64[0]), fceil(F64[1]));
}
export function f64x2_floor(a: V128): V128 {
  ldA(a);
  return f64r(ffloor(F64[0]), ffloor(F64[1]));
}
export function f64x2_trunc(a: V128): V128 {
  ldA(a);
  return f64r(ftrunc(F64[0]), ftrunc(F64[1]));
}
export function f64x2_nearest(a: V128): V128 {
  ldA(a);
  return f64r(fnearest(F64[0]), fnearest(F64[1]));
}
export function f64x2_relaxed_madd(a: V128, b: V128, c: V128): V128 {
  ldA(a);
  ldB(b);
  ldC(c);
  return f64r(F64[0] * F64[2] + F64[4], F64[1] * F64[3] + F64[5]);
}
export function f64x2_relaxed_nmadd(a: V128, b: V128, c: V128): V128 {
  ldA(a);
  ldB(b);
  ldC(c);
  return f64r(-F64[0] * F64[2] + F64[4], -F64[1] * F64[3] + F64[5]);
}
export function f64x2_promote_low_f32x4(a: V128): V128 {
  ldA(a);
  return f64r(F32[0], F32[1]);
}
export function f64x2_convert_low_i32x4_s(a: V128): V128 {
  return f64r(a[0], a[1]);
}
export function f64x2_convert_low_i32x4_u(a: V128): V128 {
  return f64r(a[0] >>> 0, a[1] >>> 0);
}
export function i32x4_trunc_sat_f64x2_s_zero(a: V128): V128 {
  ldA(a);
  return v4(truncSatS32(F64[0]), truncSatS32(F64[1]), 0, 0);
}
export function i32x4_trunc_sat_f64x2_u_zero(a: V128): V128 {
  ldA(a);
  return v4(truncSatU32(F64[0]), truncSatU32(F64[1]), 0, 0);
}
export const i32x4_relaxed_trunc_f64x2_s_zero = i32x4_trunc_sat_f64x2_s_zero;
export const i32x4_relaxed_trunc_f64x2_u_zero = i32x4_trunc_sat_f64x2_u_zero;

function fcmp64(a: V128, b: V128, op: number): V128 {
  ldA(a);
  ldB(b);
  const r = new Int32Array(4);
  for (let i = 0; i < 2; i++) {
    const x = F64[i],
      y = F64[2 + i];
    let t: boolean;
    switch (op) {
      case 0:
        t = x === y;
        break;
      case 1:
        t = x !== y;
        break;
      case 2:
        t = x < y;
        break;
      case 3:
        t = x > y;
        break;
      case 4:
        t = x <= y;
        break;
      default:
        t = x >= y;
        break;
    }
    r[2 * i] = r[2 * i + 1] = t ? -1 : 0;
  }
  return r;
}
export function f64x2_eq(a: V128, b: V128): V128 {
  return fcmp64(a, b, 0);
}
export function f64x2_ne(a: V128, b: V128): V128 {
  return fcmp64(a, b, 1);
}
export function f64x2_lt(a: V128, b: V128): V128 {
  return fcmp64(a, b, 2);
}
export function f64x2_gt(a: V128, b: V128): V128 {
  return fcmp64(a, b, 3);
}
export function f64x2_le(a: V128, b: V128): V128 {
  return fcmp64(a, b, 4);
}
export function f64x2_ge(a: V128, b: V128): V128 {
  return fcmp64(a, b, 5);
}

// ---------------------------------------------------------------- the name table

type SimdFn = (...args: any[]) => unknown;

/** Instruction name -> implementation, for every SIMD instruction but v128.const. */
export const SIMD: { [opName: string]: SimdFn } = {
  'v128.load': load,
  'v128.store': store,
  'v128.load8x8_s': load8x8_s,
  'v128.load8x8_u': load8x8_u,
  'v128.load16x4_s': load16x4_s,
  'v128.load16x4_u': load16x4_u,
  'v128.load32x2_s': load32x2_s,
  'v128.load32x2_u': load32x2_u,
  'v128.load8_splat': load8_splat,
  'v128.load16_splat': load16_splat,
  'v128.load32_splat': load32_splat,
  'v128.load64_splat': load64_splat,
  'v128.load32_zero': load32_zero,
  'v128.load64_zero': load64_zero,
  'v128.load8_lane': load8_lane,
  'v128.load16_lane': load16_lane,
  'v128.load32_lane': load32_lane,
  'v128.load64_lane': load64_lane,
  'v128.store8_lane': store8_lane,
  'v128.store16_lane': store16_lane,
  'v128.store32_lane': store32_lane,
  'v128.store64_lane': store64_lane,
};

// Every other instruction: the export of the same name with '.' -> '_'.
Object.assign(SIMD, {
  'i8x16.splat': i8x16_splat,
  'i16x8.splat': i16x8_splat,
  'i32x4.splat': i32x4_splat,
  'i64x2.splat': i64x2_splat,
  'f32x4.splat': f32x4_splat,
  'f64x2.splat': f64x2_splat,
  'i8x16.extract_lane_s': i8x16_extract_lane_s,
  'i8x16.extract_lane_u': i8x16_extract_lane_u,
  'i16x8.extract_lane_s': i16x8_extract_lane_s,
  'i16x8.extract_lane_u': i16x8_extract_lane_u,
  'i32x4.extract_lane': i32x4_extract_lane,
  'i64x2.extract_lane': i64x2_extract_lane,
  'f32x4.extract_lane': f32x4_extract_lane,
  'f64x2.extract_lane': f64x2_extract_lane,
  'i8x16.replace_lane': i8x16_replace_lane,
  'i16x8.replace_lane': i16x8_replace_lane,
  'i32x4.replace_lane': i32x4_replace_lane,
  'i64x2.replace_lane': i64x2_replace_lane,
  'f32x4.replace_lane': f32x4_replace_lane,
  'f64x2.replace_lane': f64x2_replace_lane,
  'i8x16.shuffle': i8x16_shuffle,
  'i8x16.swizzle': i8x16_swizzle,
  'i8x16.relaxed_swizzle': i8x16_relaxed_swizzle,
  'v128.not': v128_not,
  'v128.and': v128_and,
  'v128.andnot': v128_andnot,
  'v128.or': v128_or,
  'v128.xor': v128_xor,
  'v128.bitselect': v128_bitselect,
  'v128.any_true': v128_any_true,
  'i8x16.relaxed_laneselect': i8x16_relaxed_laneselect,
  'i16x8.relaxed_laneselect': i16x8_relaxed_laneselect,
  'i32x4.relaxed_laneselect': i32x4_relaxed_laneselect,
  'i64x2.relaxed_laneselect': i64x2_relaxed_laneselect,
  'i8x16.add': i8x16_add,
  'i8x16.sub': i8x16_sub,
  'i8x16.neg': i8x16_neg,
  'i8x16.abs': i8x16_abs,
  'i8x16.popcnt': i8x16_popcnt,
  'i8x16.all_true': i8x16_all_true,
  'i8x16.bitmask': i8x16_bitmask,
  'i8x16.narrow_i16x8_s': i8x16_narrow_i16x8_s,
  'i8x16.narrow_i16x8_u': i8x16_narrow_i16x8_u,
  'i8x16.shl': i8x16_shl,
  'i8x16.shr_u': i8x16_shr_u,
  'i8x16.shr_s': i8x16_shr_s,
  'i8x16.add_sat_s': i8x16_add_sat_s,
  'i8x16.add_sat_u': i8x16_add_sat_u,
  'i8x16.sub_sat_s': i8x16_sub_sat_s,
  'i8x16.sub_sat_u': i8x16_sub_sat_u,
  'i8x16.min_s': i8x16_min_s,
  'i8x16.min_u': i8x16_min_u,
  'i8x16.max_s': i8x16_max_s,
  'i8x16.max_u': i8x16_max_u,
  'i8x16.avgr_u': i8x16_avgr_u,
  'i8x16.eq': i8x16_eq,
  'i8x16.ne': i8x16_ne,
  'i8x16.lt_s': i8x16_lt_s,
  'i8x16.lt_u': i8x16_lt_u,
  'i8x16.gt_s': i8x16_gt_s,
  'i8x16.gt_u': i8x16_gt_u,
  'i8x16.le_s': i8x16_le_s,
  'i8x16.le_u': i8x16_le_u,
  'i8x16.ge_s': i8x16_ge_s,
  'i8x16.ge_u': i8x16_ge_u,
  'i16x8.add': i16x8_add,
  'i16x8.sub': i16x8_sub,
  'i16x8.neg': i16x8_neg,
  'i16x8.mul': i16x8_mul,
  'i16x8.abs': i16x8_abs,
  'i16x8.all_true': i16x8_all_true,
  'i16x8.bitmask': i16x8_bitmask,
  'i16x8.narrow_i32x4_s': i16x8_narrow_i32x4_s,
  'i16x8.narrow_i32x4_u': i16x8_narrow_i32x4_u,
  'i16x8.extend_low_i8x16_s': i16x8_extend_low_i8x16_s,
  'i16x8.extend_high_i8x16_s': i16x8_extend_high_i8x16_s,
  'i16x8.extend_low_i8x16_u': i16x8_extend_low_i8x16_u,
  'i16x8.extend_high_i8x16_u': i16x8_extend_high_i8x16_u,
  'i16x8.shl': i16x8_shl,
  'i16x8.shr_u': i16x8_shr_u,
  'i16x8.shr_s': i16x8_shr_s,
  'i16x8.add_sat_s': i16x8_add_sat_s,
  'i16x8.add_sat_u': i16x8_add_sat_u,
  'i16x8.sub_sat_s': i16x8_sub_sat_s,
  'i16x8.sub_sat_u': i16x8_sub_sat_u,
  'i16x8.min_s': i16x8_min_s,
  'i16x8.min_u': i16x8_min_u,
  'i16x8.max_s': i16x8_max_s,
  'i16x8.max_u': i16x8_max_u,
  'i16x8.avgr_u': i16x8_avgr_u,
  'i16x8.q15mulr_sat_s': i16x8_q15mulr_sat_s,
  'i16x8.relaxed_q15mulr_s': i16x8_relaxed_q15mulr_s,
  'i16x8.extadd_pairwise_i8x16_s': i16x8_extadd_pairwise_i8x16_s,
  'i16x8.extadd_pairwise_i8x16_u': i16x8_extadd_pairwise_i8x16_u,
  'i16x8.extmul_low_i8x16_s': i16x8_extmul_low_i8x16_s,
  'i16x8.extmul_high_i8x16_s': i16x8_extmul_high_i8x16_s,
  'i16x8.extmul_low_i8x16_u': i16x8_extmul_low_i8x16_u,
  'i16x8.extmul_high_i8x16_u': i16x8_extmul_high_i8x16_u,
  'i16x8.relaxed_dot_i8x16_i7x16_s': i16x8_relaxed_dot_i8x16_i7x16_s,
  'i32x4.relaxed_dot_i8x16_i7x16_add_s': i32x4_relaxed_dot_i8x16_i7x16_add_s,
  'i16x8.eq': i16x8_eq,
  'i16x8.ne': i16x8_ne,
  'i16x8.lt_s': i16x8_lt_s,
  'i16x8.lt_u': i16x8_lt_u,
  'i16x8.gt_s': i16x8_gt_s,
  'i16x8.gt_u': i16x8_gt_u,
  'i16x8.le_s': i16x8_le_s,
  'i16x8.le_u': i16x8_le_u,
  'i16x8.ge_s': i16x8_ge_s,
  'i16x8.ge_u': i16x8_ge_u,
  'i32x4.add': i32x4_add,
  'i32x4.sub': i32x4_sub,
  'i32x4.mul': i32x4_mul,
  'i32x4.neg': i32x4_neg,
  'i32x4.abs': i32x4_abs,
  'i32x4.all_true': i32x4_all_true,
  'i32x4.bitmask': i32x4_bitmask,
  'i32x4.extend_low_i16x8_s': i32x4_extend_low_i16x8_s,
  'i32x4.extend_high_i16x8_s': i32x4_extend_high_i16x8_s,
  'i32x4.extend_low_i16x8_u': i32x4_extend_low_i16x8_u,
  'i32x4.extend_high_i16x8_u': i32x4_extend_high_i16x8_u,
  'i32x4.shl': i32x4_shl,
  'i32x4.shr_s': i32x4_shr_s,
  'i32x4.shr_u': i32x4_shr_u,
  'i32x4.min_s': i32x4_min_s,
  'i32x4.min_u': i32x4_min_u,
  'i32x4.max_s': i32x4_max_s,
  'i32x4.max_u': i32x4_max_u,
  'i32x4.dot_i16x8_s': i32x4_dot_i16x8_s,
  'i32x4.extadd_pairwise_i16x8_s': i32x4_extadd_pairwise_i16x8_s,
  'i32x4.extadd_pairwise_i16x8_u': i32x4_extadd_pairwise_i16x8_u,
  'i32x4.extmul_low_i16x8_s': i32x4_extmul_low_i16x8_s,
  'i32x4.extmul_high_i16x8_s': i32x4_extmul_high_i16x8_s,
  'i32x4.extmul_low_i16x8_u': i32x4_extmul_low_i16x8_u,
  'i32x4.extmul_high_i16x8_u': i32x4_extmul_high_i16x8_u,
  'i32x4.eq': i32x4_eq,
  'i32x4.ne': i32x4_ne,
  'i32x4.lt_s': i32x4_lt_s,
  'i32x4.lt_u': i32x4_lt_u,
  'i32x4.gt_s': i32x4_gt_s,
  'i32x4.gt_u': i32x4_gt_u,
  'i32x4.le_s': i32x4_le_s,
  'i32x4.le_u': i32x4_le_u,
  'i32x4.ge_s': i32x4_ge_s,
  'i32x4.ge_u': i32x4_ge_u,
  'i64x2.add': i64x2_add,
  'i64x2.sub': i64x2_sub,
  'i64x2.mul': i64x2_mul,
  'i64x2.neg': i64x2_neg,
  'i64x2.abs': i64x2_abs,
  'i64x2.all_true': i64x2_all_true,
  'i64x2.bitmask': i64x2_bitmask,
  'i64x2.extend_low_i32x4_s': i64x2_extend_low_i32x4_s,
  'i64x2.extend_high_i32x4_s': i64x2_extend_high_i32x4_s,
  'i64x2.extend_low_i32x4_u': i64x2_extend_low_i32x4_u,
  'i64x2.extend_high_i32x4_u': i64x2_extend_high_i32x4_u,
  'i64x2.shl': i64x2_shl,
  'i64x2.shr_u': i64x2_shr_u,
  'i64x2.shr_s': i64x2_shr_s,
  'i64x2.extmul_low_i32x4_s': i64x2_extmul_low_i32x4_s,
  'i64x2.extmul_high_i32x4_s': i64x2_extmul_high_i32x4_s,
  'i64x2.extmul_low_i32x4_u': i64x2_extmul_low_i32x4_u,
  'i64x2.extmul_high_i32x4_u': i64x2_extmul_high_i32x4_u,
  'i64x2.eq': i64x2_eq,
  'i64x2.ne': i64x2_ne,
  'i64x2.lt_s': i64x2_lt_s,
  'i64x2.gt_s': i64x2_gt_s,
  'i64x2.le_s': i64x2_le_s,
  'i64x2.ge_s': i64x2_ge_s,
  'f32x4.abs': f32x4_abs,
  'f32x4.neg': f32x4_neg,
  'f32x4.sqrt': f32x4_sqrt,
  'f32x4.add': f32x4_add,
  'f32x4.sub': f32x4_sub,
  'f32x4.mul': f32x4_mul,
  'f32x4.div': f32x4_div,
  'f32x4.min': f32x4_min,
  'f32x4.max': f32x4_max,
  'f32x4.relaxed_min': f32x4_relaxed_min,
  'f32x4.relaxed_max': f32x4_relaxed_max,
  'f32x4.pmin': f32x4_pmin,
  'f32x4.pmax': f32x4_pmax,
  'f32x4.ceil': f32x4_ceil,
  'f32x4.floor': f32x4_floor,
  'f32x4.trunc': f32x4_trunc,
  'f32x4.nearest': f32x4_nearest,
  'f32x4.relaxed_madd': f32x4_relaxed_madd,
  'f32x4.relaxed_nmadd': f32x4_relaxed_nmadd,
  'f32x4.demote_f64x2_zero': f32x4_demote_f64x2_zero,
  'f32x4.convert_i32x4_s': f32x4_convert_i32x4_s,
  'f32x4.convert_i32x4_u': f32x4_convert_i32x4_u,
  'i32x4.trunc_sat_f32x4_s': i32x4_trunc_sat_f32x4_s,
  'i32x4.trunc_sat_f32x4_u': i32x4_trunc_sat_f32x4_u,
  'i32x4.relaxed_trunc_f32x4_s': i32x4_relaxed_trunc_f32x4_s,
  'i32x4.relaxed_trunc_f32x4_u': i32x4_relaxed_trunc_f32x4_u,
  'f32x4.eq': f32x4_eq,
  'f32x4.ne': f32x4_ne,
  'f32x4.lt': f32x4_lt,
  'f32x4.gt': f32x4_gt,
  'f32x4.le': f32x4_le,
  'f32x4.ge': f32x4_ge,
  'f64x2.abs': f64x2_abs,
  'f64x2.neg': f64x2_neg,
  'f64x2.sqrt': f64x2_sqrt,
  'f64x2.add': f64x2_add,
  'f64x2.sub': f64x2_sub,
  'f64x2.mul': f64x2_mul,
  'f64x2.div': f64x2_div,
  'f64x2.min': f64x2_min,
  'f64x2.max': f64x2_max,
  'f64x2.relaxed_min': f64x2_relaxed_min,
  'f64x2.relaxed_max': f64x2_relaxed_max,
  'f64x2.pmin': f64x2_pmin,
  'f64x2.pmax': f64x2_pmax,
  'f64x2.ceil': f64x2_ceil,
  'f64x2.floor': f64x2_floor,
  'f64x2.trunc': f64x2_trunc,
  'f64x2.nearest': f64x2_nearest,
  'f64x2.relaxed_madd': f64x2_relaxed_madd,
  'f64x2.relaxed_nmadd': f64x2_relaxed_nmadd,
  'f64x2.promote_low_f32x4': f64x2_promote_low_f32x4,
  'f64x2.convert_low_i32x4_s': f64x2_convert_low_i32x4_s,
  'f64x2.convert_low_i32x4_u': f64x2_convert_low_i32x4_u,
  'i32x4.trunc_sat_f64x2_s_zero': i32x4_trunc_sat_f64x2_s_zero,
  'i32x4.trunc_sat_f64x2_u_zero': i32x4_trunc_sat_f64x2_u_zero,
  'i32x4.relaxed_trunc_f64x2_s_zero': i32x4_relaxed_trunc_f64x2_s_zero,
  'i32x4.relaxed_trunc_f64x2_u_zero': i32x4_relaxed_trunc_f64x2_u_zero,
  'f64x2.eq': f64x2_eq,
  'f64x2.ne': f64x2_ne,
  'f64x2.lt': f64x2_lt,
  'f64x2.gt': f64x2_gt,
  'f64x2.le': f64x2_le,
  'f64x2.ge': f64x2_ge,
});
