// The helper object handed to generated code (the names are fixed by
// compiler/translate/helpers.ts). Helpers that trap throw RuntimeError with the spec's
// message. All numeric helpers follow the internal value representation of objects.ts.

import type { TranslatedHelpers } from '../compiler/translate/helpers';
import { typeRegistry } from '../compiler/validate';
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from './values';
import { RuntimeError, WasmException, toTrap } from './errors';
import { TY, rI32, rI64, rF64, rRef, genericArray } from './objects';
import type { Memory, Table } from './objects';
import * as SIMD from './simd';
import * as GC from './gc';


function trap(msg: string): never {
  throw new RuntimeError(msg);
}

const scratch = new ArrayBuffer(8);
const sf64 = new Float64Array(scratch);
const si32 = new Int32Array(scratch);

function f64neg(x: number): number {
  if (x === x) return -x;
  sf64[0] = x; si32[1] ^= 0x80000000; return sf64[0];
}
function f64abs(x: number): number {
  if (x === x) return Math.abs(x);
  sf64[0] = x; si32[1] &= 0x7fffffff; return sf64[0];
}
function f64copysign(a: number, b: number): number {
  sf64[0] = b;
  const sign = si32[1] & 0x80000000;
  sf64[0] = a;
  si32[1] = (si32[1] & 0x7fffffff) | sign;
  return sf64[0];
}
function f32neg(x: number): number {
  return x === x ? -x : f32FromBits(f32ToBits(x) ^ 0x80000000);
}
function f32abs(x: number): number {
  return x === x ? Math.abs(x) : f32FromBits(f32ToBits(x) & 0x7fffffff);
}
function f32copysign(a: number, b: number): number {
  return f32FromBits((f32ToBits(a) & 0x7fffffff) | (f32ToBits(b) & 0x80000000));
}
/** min/max with Wasm NaN rules: a NaN operand yields a NaN produced by arithmetic (quiet). */
function fmin(a: number, b: number): number {
  return a !== a || b !== b ? a + b : Math.min(a, b);
}
function fmax(a: number, b: number): number {
  return a !== a || b !== b ? a + b : Math.max(a, b);
}
// Math.ceil/floor/trunc return a signalling NaN operand unchanged in some V8 tiers; Wasm
// requires an arithmetic (quiet) NaN, which `x + 0` produces for any NaN.
function fceil(x: number): number {
  return x !== x ? x + 0 : Math.ceil(x);
}
function ffloor(x: number): number {
  return x !== x ? x + 0 : Math.floor(x);
}
function ftrunc(x: number): number {
  return x !== x ? x + 0 : Math.trunc(x);
}
/** Round to nearest, ties to even; keeps the sign of zero. */
function nearest(x: number): number {
  if (x !== x) return x + 0;
  let r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  if (r === 0 && (x < 0 || Object.is(x, -0))) return -0;
  return r;
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}
function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
function rotl32(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}
function rotr32(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}
function hiLo(x: bigint): [number, number] {
  const u = BigInt.asUintN(64, x);
  return [Number(u >> 32n) | 0, Number(u & 0xffffffffn) | 0];
}
function clz64(x: bigint): bigint {
  const [hi, lo] = hiLo(x);
  return BigInt(hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
}
function ctz64(x: bigint): bigint {
  const [hi, lo] = hiLo(x);
  return BigInt(lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));
}
function popcnt64(x: bigint): bigint {
  const [hi, lo] = hiLo(x);
  return BigInt(popcnt32(hi) + popcnt32(lo));
}
function rotl64(x: bigint, n: bigint): bigint {
  const k = n & 63n;
  const u = BigInt.asUintN(64, x);
  return BigInt.asIntN(64, (u << k) | (u >> ((64n - k) & 63n)));
}
function rotr64(x: bigint, n: bigint): bigint {
  const k = n & 63n;
  const u = BigInt.asUintN(64, x);
  return BigInt.asIntN(64, (u >> k) | (u << ((64n - k) & 63n)));
}

// Float -> integer truncation: bounds are exclusive limits that are exact doubles.
function truncFail(x: number): never {
  trap(x !== x ? 'invalid conversion to integer' : 'integer overflow');
}
function truncI32S(x: number): number {
  if (!(x > -2147483649 && x < 2147483648)) truncFail(x);
  return x | 0;
}
function truncI32U(x: number): number {
  if (!(x > -1 && x < 4294967296)) truncFail(x);
  return x | 0;
}
function truncI64S(x: number): bigint {
  if (!(x >= -9223372036854775808 && x < 9223372036854775808)) truncFail(x);
  return BigInt(Math.trunc(x));
}
function truncI64U(x: number): bigint {
  if (!(x > -1 && x < 18446744073709551616)) truncFail(x);
  return BigInt.asIntN(64, BigInt(Math.trunc(x)));
}
function truncSatI32S(x: number): number {
  if (x !== x) return 0;
  if (x <= -2147483648) return -2147483648;
  if (x >= 2147483647) return 2147483647;
  return x | 0;
}
function truncSatI32U(x: number): number {
  if (x !== x || x <= 0) return 0;
  if (x >= 4294967295) return -1;
  return x | 0;
}
function truncSatI64(x: number): bigint {
  if (x !== x) return 0n;
  if (x <= -9223372036854775808) return -0x8000000000000000n;
  if (x >= 9223372036854775808) return 0x7fffffffffffffffn;
  return BigInt(Math.trunc(x));
}
function truncSatU64(x: number): bigint {
  if (x !== x || x <= 0) return 0n;
  if (x >= 18446744073709551616) return -1n;
  return BigInt.asIntN(64, BigInt(Math.trunc(x)));
}
/** Integer (in [-2^63, 2^64)) -> f32 with a single rounding: round to odd at 53 bits first. */
function i64ToF32(v: bigint): number {
  const neg = v < 0n;
  const a = neg ? -v : v;
  if (a < 0x20000000000000n) return Math.fround(Number(v));
  const len = a.toString(2).length;
  const sh = BigInt(len - 53);
  let m = a >> sh;
  if (m << sh !== a) m |= 1n;
  const d = Number(m) * 2 ** (len - 53);
  return Math.fround(neg ? -d : d);
}

// ---------------------------------------------------------------- memories and tables

const OOB_MEM = 'out of bounds memory access';
const OOB_TABLE = 'out of bounds table access';

function memGrow(m: Memory, delta: number): number {
  return m.grow(delta);
}
function memFill(m: Memory, d: number, v: number, n: number): void {
  if (d + n > m.byteLength) trap(OOB_MEM);
  m.u8.fill(v & 0xff, d, d + n);
}
function memCopy(dst: Memory, src: Memory, d: number, s: number, n: number): void {
  if (s + n > src.byteLength || d + n > dst.byteLength) trap(OOB_MEM);
  if (dst === src) dst.u8.copyWithin(d, s, s + n);
  else dst.u8.set(src.u8.subarray(s, s + n), d);
}
function memInit(m: Memory, data: Uint8Array, d: number, s: number, n: number): void {
  if (s + n > data.length || d + n > m.byteLength) trap(OOB_MEM);
  m.u8.set(data.subarray(s, s + n), d);
}
function tableGet(e: unknown[], i: number): unknown {
  if (i >= e.length) trap(OOB_TABLE);
  return e[i];
}
function tableSet(e: unknown[], i: number, v: unknown): void {
  if (i >= e.length) trap(OOB_TABLE);
  e[i] = v;
}
function tableGrow(t: Table, init: unknown, n: number): number {
  return t.growInternal(n, init);
}
function tableFill(e: unknown[], i: number, v: unknown, n: number): void {
  if (i + n > e.length) trap(OOB_TABLE);
  for (let k = 0; k < n; k++) e[i + k] = v;
}
function tableCopy(dst: unknown[], src: unknown[], d: number, s: number, n: number): void {
  if (s + n > src.length || d + n > dst.length) trap(OOB_TABLE);
  if (dst === src) dst.copyWithin(d, s, s + n);
  else for (let k = 0; k < n; k++) dst[d + k] = src[s + k];
}
function tableInit(e: unknown[], seg: unknown[], d: number, s: number, n: number): void {
  if (s + n > seg.length || d + n > e.length) trap(OOB_TABLE);
  for (let k = 0; k < n; k++) e[d + k] = seg[s + k];
}
type Tagged = ((...a: unknown[]) => unknown) & { [TY]?: number };
function callIndirect(e: unknown[], i: number, typeId: number): Tagged {
  if (i >= e.length) trap('undefined element');
  const f = e[i] as Tagged | null;
  if (f === null) trap('uninitialized element');
  const t = f[TY]!;
  if (t !== typeId && !typeRegistry.isSubtype(t, typeId)) trap('indirect call type mismatch');
  return f;
}

// ---------------------------------------------------------------- tail calls
//
// A function containing return_call* is compiled as a body function (reachable from its
// entry callable under TB) that may return TAIL after storing the callee and arguments here;
// its entry runs runTail, which keeps calling bodies until a real result comes back. So a
// chain of tail calls runs in constant JS stack depth. TA starts with generic elements so
// that NaN payloads of f64 arguments survive (see objects.ts genericArray).
const TB: unique symbol = Symbol('wasm.tailbody');
const TAIL = Object.freeze({ tail: true });
const TA = genericArray(16);
let tailFn: Tagged | null = null;
let tailN = 0;
function tail(fn: Tagged, n: number): unknown {
  tailFn = fn;
  tailN = n;
  return TAIL;
}
function runTail(r: unknown): unknown {
  while (r === TAIL) {
    const fn = tailFn as Tagged & { [TB]?: Tagged };
    const args = TA.slice(0, tailN);
    tailFn = null;
    r = (fn[TB] ?? fn)(...args);
  }
  return r;
}

function V128(a: number, b: number, c: number, d: number): Int32Array {
  const r = new Int32Array(4);
  r[0] = a; r[1] = b; r[2] = c; r[3] = d;
  return r;
}

/** The one helper object every instance's generated code receives. */
export const helpers: TranslatedHelpers = {
  trap,
  unsupported: (name: string): never => { throw new Error(`unsupported instruction: ${name}`); },
  TY,
  funcSubtype: (a: number, b: number): boolean => typeRegistry.isSubtype(a, b),
  f32FromBits, f32ToBits, f64FromBits, f64ToBits,
  f32neg, f32abs, f32copysign, f64neg, f64abs, f64copysign,
  fmin, fmax, nearest, fceil, ffloor, ftrunc,
  ctz32, popcnt32, rotl32, rotr32, clz64, ctz64, popcnt64, rotl64, rotr64,
  truncI32S, truncI32U, truncI64S, truncI64U,
  truncSatI32S, truncSatI32U, truncSatI64, truncSatU64, i64ToF32,
  memGrow, memFill, memCopy, memInit,
  tableGet, tableSet, tableGrow, tableFill, tableCopy, tableInit, callIndirect,
  EMPTY_ELEM: Object.freeze([]) as unknown as unknown[],
  EMPTY_DATA: new Uint8Array(0),
  rI32, rI64, rF64, rRef,
  V128,
  v128Load: SIMD.load,
  v128Store: SIMD.store,
  SIMD,
  TA, tail, runTail, TB,
  structNew: GC.structNew, structRef: GC.structRef, arrayNew: GC.arrayNew, arrayFixed: GC.arrayFixed,
  arrayNewData: GC.arrayNewData, arrayNewElem: GC.arrayNewElem, arrayGet: GC.arrayGet, arraySet: GC.arraySet,
  arrayLen: GC.arrayLen, arrayFill: GC.arrayFill, arrayCopy: GC.arrayCopy, arrayInitData: GC.arrayInitData,
  arrayInitElem: GC.arrayInitElem, i31: GC.i31, externalize: GC.externalize, internalize: GC.internalize,
  refTest: GC.refTest, refCast: GC.refCast,
  WasmException,
  isTrap: (e: unknown): boolean => !(e instanceof WasmException),
  wrapTrap: toTrap,
};
