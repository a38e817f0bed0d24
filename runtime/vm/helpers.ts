// The helper object handed to generated code (names and signatures are fixed by
// vmctx/helpers.ts VMHelpers). Helpers that trap throw RuntimeError with the spec's
// message. All numeric helpers follow the internal value representation of objects.ts.

import type { VMHelpers } from '../../vmctx/helpers';
import { LAZY_STUB_NAME } from '../../vmctx';
import { TRAP } from '../../vmctx/traps';
import type { LazyFunction } from '../../compiler/translate';
import { typeRegistry } from '../../types';
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from './values';
import { RuntimeError, WasmException } from '../errors';
import { TY, rI32, rI64, rF64, rRef, genericArray, toTrapValue } from '../objects';
import type { Memory, Table } from '../objects';
import * as SIMD from './simd';
import * as GC from './gc';
import { throwException } from './exceptions';
import { carrierHelpers } from './nan';
import { NAN_CARRIERS } from '../../vmctx/nan';

function trap(msg: string): never {
  throw new RuntimeError(msg);
}

const scratch = new ArrayBuffer(8);
const sf64 = new Float64Array(scratch);
const si32 = new Int32Array(scratch);

function f64neg(x: number): number {
  if (x === x) return -x;
  sf64[0] = x;
  si32[1] ^= 0x80000000;
  return sf64[0];
}
function f64abs(x: number): number {
  if (x === x) return Math.abs(x);
  sf64[0] = x;
  si32[1] &= 0x7fffffff;
  return sf64[0];
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
// ---------------------------------------------------------------- i64 as (lo, hi) words
//
// Helpers producing an i64 return its low word and leave the high word in rI32[1] (the hi
// register), where generated code reads it immediately after the call.

/** Returns the words of an integer-valued double in (-2^64, 2^64) (taken modulo 2^64). */
function retNum(v: number): number {
  rI32[1] = Math.floor(v / 4294967296) | 0;
  return v | 0;
}
function retBig(v: bigint): number {
  rI32[1] = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}
function i64Box(lo: number, hi: number): bigint {
  return (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
}
function i64Unbox(v: bigint): number {
  return retBig(v);
}
function i64Lo(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}
function i64Hi(v: bigint): number {
  return Number(BigInt.asIntN(32, v >> 32n));
}
function i64shl(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    rI32[1] = hi;
    return lo;
  }
  if (n < 32) {
    rI32[1] = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  rI32[1] = lo << (n - 32);
  return 0;
}
function i64shrU(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    rI32[1] = hi;
    return lo;
  }
  if (n < 32) {
    rI32[1] = hi >>> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  rI32[1] = 0;
  return (hi >>> (n - 32)) | 0;
}
function i64shrS(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    rI32[1] = hi;
    return lo;
  }
  if (n < 32) {
    rI32[1] = hi >> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  rI32[1] = hi >> 31;
  return hi >> (n - 32);
}
function i64rotl(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
  }
  if (n === 0) {
    rI32[1] = hi;
    return lo;
  }
  rI32[1] = (hi << n) | (lo >>> (32 - n));
  return (lo << n) | (hi >>> (32 - n));
}
function i64rotr(lo: number, hi: number, n: number): number {
  return i64rotl(lo, hi, 64 - (n & 63));
}
// Division: when both operands lie in [-2^52, 2^52) (signed) or [0, 2^52) (unsigned), the
// double quotient truncates to the exact integer quotient (the distance from the true
// quotient to the next integer, at least 1/b, exceeds half an ulp of the quotient), and `%`
// on doubles is exact. Otherwise BigInt.
const inS52 = (hi: number): boolean => (hi + 0x100000) >>> 0 < 0x200000;
const inU52 = (hi: number): boolean => hi >>> 0 < 0x100000;
function i64divS(alo: number, ahi: number, blo: number, bhi: number): number {
  if ((blo | bhi) === 0) trap(TRAP.integerDivisionByZero);
  if (inS52(ahi) && inS52(bhi))
    return retNum(Math.trunc((ahi * 4294967296 + (alo >>> 0)) / (bhi * 4294967296 + (blo >>> 0))));
  if (ahi === -2147483648 && alo === 0 && (blo & bhi) === -1) trap(TRAP.integerOverflow);
  return retBig(i64Box(alo, ahi) / i64Box(blo, bhi));
}
function i64remS(alo: number, ahi: number, blo: number, bhi: number): number {
  if ((blo | bhi) === 0) trap(TRAP.integerDivisionByZero);
  if (inS52(ahi) && inS52(bhi)) return retNum((ahi * 4294967296 + (alo >>> 0)) % (bhi * 4294967296 + (blo >>> 0)));
  return retBig(i64Box(alo, ahi) % i64Box(blo, bhi));
}
function i64divU(alo: number, ahi: number, blo: number, bhi: number): number {
  if ((blo | bhi) === 0) trap(TRAP.integerDivisionByZero);
  if (inU52(ahi) && inU52(bhi))
    return retNum(Math.trunc(((ahi >>> 0) * 4294967296 + (alo >>> 0)) / ((bhi >>> 0) * 4294967296 + (blo >>> 0))));
  return retBig(BigInt.asUintN(64, i64Box(alo, ahi)) / BigInt.asUintN(64, i64Box(blo, bhi)));
}
function i64remU(alo: number, ahi: number, blo: number, bhi: number): number {
  if ((blo | bhi) === 0) trap(TRAP.integerDivisionByZero);
  if (inU52(ahi) && inU52(bhi))
    return retNum(((ahi >>> 0) * 4294967296 + (alo >>> 0)) % ((bhi >>> 0) * 4294967296 + (blo >>> 0)));
  return retBig(BigInt.asUintN(64, i64Box(alo, ahi)) % BigInt.asUintN(64, i64Box(blo, bhi)));
}
function f64ToWords(x: number): number {
  sf64[0] = x;
  rI32[1] = si32[1];
  return si32[0];
}
function f64FromWords(lo: number, hi: number): number {
  si32[0] = lo;
  si32[1] = hi;
  return sf64[0];
}

// Float -> integer truncation: bounds are exclusive limits that are exact doubles.
function truncFail(x: number): never {
  trap(x !== x ? TRAP.badConversionToInteger : TRAP.integerOverflow);
}
function truncI32S(x: number): number {
  if (!(x > -2147483649 && x < 2147483648)) truncFail(x);
  return x | 0;
}
function truncI32U(x: number): number {
  if (!(x > -1 && x < 4294967296)) truncFail(x);
  return x | 0;
}
function truncI64S(x: number): number {
  if (!(x >= -9223372036854775808 && x < 9223372036854775808)) truncFail(x);
  return retNum(Math.trunc(x));
}
function truncI64U(x: number): number {
  if (!(x > -1 && x < 18446744073709551616)) truncFail(x);
  return retNum(Math.trunc(x));
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
function truncSatI64(x: number): number {
  if (x !== x) {
    rI32[1] = 0;
    return 0;
  }
  if (x <= -9223372036854775808) {
    rI32[1] = -2147483648;
    return 0;
  }
  if (x >= 9223372036854775808) {
    rI32[1] = 0x7fffffff;
    return -1;
  }
  return retNum(Math.trunc(x));
}
function truncSatU64(x: number): number {
  if (x !== x || x <= 0) {
    rI32[1] = 0;
    return 0;
  }
  if (x >= 18446744073709551616) {
    rI32[1] = -1;
    return -1;
  }
  return retNum(Math.trunc(x));
}
/** Integer (in [-2^63, 2^64)) -> f32 with a single rounding: round to odd at 53 bits first. */
function bigToF32(v: bigint): number {
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
/** Below 2^53 in magnitude the double is exact, so Math.fround rounds once. */
function i64ToF32(lo: number, hi: number): number {
  if ((hi + 0x200000) >>> 0 < 0x400000) return Math.fround(hi * 4294967296 + (lo >>> 0));
  return bigToF32(i64Box(lo, hi));
}
function u64ToF32(lo: number, hi: number): number {
  if (hi >>> 0 < 0x200000) return Math.fround((hi >>> 0) * 4294967296 + (lo >>> 0));
  return bigToF32(BigInt.asUintN(64, i64Box(lo, hi)));
}

// ---------------------------------------------------------------- memories and tables

const OOB_MEM = TRAP.memoryOutOfBounds;
const OOB_TABLE = TRAP.tableOutOfBounds;

function memGrow(m: Memory, delta: number): number {
  return m.grow(delta);
}
function memFill(m: Memory, d: number, v: number, n: number): void {
  if (d + n > m.byteLength && memBeyond(m, d + n)) trap(OOB_MEM);
  m.u8.fill(v & 0xff, d, d + n);
}
function memCopy(dst: Memory, src: Memory, d: number, s: number, n: number): void {
  if ((s + n > src.byteLength && memBeyond(src, s + n)) || (d + n > dst.byteLength && memBeyond(dst, d + n)))
    trap(OOB_MEM);
  if (dst === src) dst.u8.copyWithin(d, s, s + n);
  else dst.u8.set(src.u8.subarray(s, s + n), d);
}
function memInit(m: Memory, data: Uint8Array, d: number, s: number, n: number): void {
  if (s + n > data.length || (d + n > m.byteLength && memBeyond(m, d + n))) trap(OOB_MEM);
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
  if (i >= e.length) trap(TRAP.undefinedElement);
  const f = e[i] as Tagged | null;
  if (f === null) trap(TRAP.uninitializedElement);
  const t = f[TY]!;
  if (t !== typeId && !typeRegistry.isSubtype(t, typeId)) trap(TRAP.badSignature);
  // A lazy stub's translated code, called directly: the stub's own call is shared by every
  // stub of its maker, so V8 cannot specialise it.
  return (f as { [CC]?: Tagged })[CC] ?? f;
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
  r[0] = a;
  r[1] = b;
  r[2] = c;
  r[3] = d;
  return r;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** On a lazy stub (compiler/translate/index.ts lazyModuleSource): its translated code, once
 *  translated. Set on every stub when it is made, so all stubs keep one shape. */
const CC: unique symbol = Symbol('wasm.code');

/**
 * Lazy translation: compiles one function's source (a function body that returns the
 * function; compiler/translate/index.ts lazyFunctionSource) with `new Function` over the
 * bindings it reads, passed by value. A binding is one of the factory's write-once prelude
 * bindings (`bindings`, the factory's B) or a function stub `fN`, taken from the factory's
 * function array `funcs` (defined function N - `numImported`): tens of thousands of stubs in
 * B's object literal cost the factory's parse more than all its other code. The compiler's
 * list may over-approximate; only names found become parameters. The result is named like
 * the function's identity (`fN`, or its name-section name that instantiation gave the stub)
 * and recorded on the stub for callIndirect.
 */
function lazyCompile(
  lz: LazyFunction,
  bindings: Record<string, unknown>,
  stub: { readonly name: string; [CC]?: unknown },
  funcs: readonly unknown[],
  numImported: number,
  index: number,
): unknown {
  const ps: string[] = [];
  const vs: unknown[] = [];
  for (const id of lz.bindings) {
    if (hasOwn.call(bindings, id)) {
      ps.push(id);
      vs.push(bindings[id]);
    } else if (id.charCodeAt(0) === 102 /* f */) {
      const f = funcs[Number(id.slice(1)) - numImported];
      if (f !== undefined && /^f\d+$/.test(id)) {
        ps.push(id);
        vs.push(f);
      }
    }
  }
  // A deserialized module's functions come compiled (`make`, over exactly `lz.bindings`,
  // which the module's B and function array always have); others are compiled here, once
  // per instance.
  const g = (
    lz.make !== undefined && ps.length === lz.bindings.length
      ? lz.make(...vs)
      : new Function(...ps, `"use strict";\n${lz.body}`)(...vs)
  ) as object;
  const name = lz.name ?? (stub.name === LAZY_STUB_NAME ? `f${numImported + index}` : stub.name);
  Object.defineProperty(g, 'name', { value: name });
  stub[CC] = g;
  return g;
}

// ---------------------------------------------------------------- threads
//
// A shared memory may be used by several agents (Memory.prototype.share): its accesses that
// the threads proposal makes atomic go through Atomics on views of its buffer, and wait and
// notify are Atomics.wait / Atomics.notify on the same words, so a Wasm wait is woken by a
// Wasm notify or a JS Atomics.notify in any agent, and the other way round. Generated code
// has checked the address's bounds and alignment before each call.

let sleeper: Int32Array | null | undefined;

/** memory.atomic.notify: the number of waiters woken (0 for an unshared memory, which no
 *  agent can wait on). `count` is unsigned. */
function atomicNotify(mem: Memory, addr: number, count: number): number {
  if (!mem.type.shared) return 0;
  return Atomics.notify(mem.atomicView(4), addr >>> 2, count >>> 0);
}

const WAIT_RESULT: Readonly<Record<string, number>> = { ok: 0, 'not-equal': 1, 'timed-out': 2 };

/**
 * memory.atomic.wait32/64: 1 ("not-equal") if the memory does not hold `expected` at
 * `addr`, else suspends this agent until a notify of the address (0, "ok") or the timeout
 * (i64 nanoseconds, negative: none) passes (2, "timed-out"). An unshared memory traps
 * ("expected shared memory"). Where the host forbids blocking (a browser's main thread,
 * where Atomics.wait throws), it traps as V8 and SpiderMonkey do, whatever the memory holds.
 */
function atomicWait(
  mem: Memory,
  addr: number,
  size: number,
  expLo: number,
  expHi: number,
  tLo: number,
  tHi: number,
): number {
  if (!mem.type.shared) trap('expected shared memory');
  const ms = tHi < 0 ? Infinity : (tHi * 4294967296 + (tLo >>> 0)) / 1e6;
  const view = mem.atomicView(size === 8 ? 8 : 4);
  if (typeof SharedArrayBuffer !== 'function' || !(view.buffer instanceof SharedArrayBuffer))
    return waitAlone(mem, addr, size, expLo, expHi, ms);
  let r: string;
  try {
    r =
      size === 8
        ? Atomics.wait(view as BigInt64Array, addr >>> 3, (BigInt(expHi | 0) << 32n) | BigInt(expLo >>> 0), ms)
        : Atomics.wait(view as Int32Array, addr >>> 2, expLo | 0, ms);
  } catch (e) {
    if (e instanceof TypeError) trap('Atomics.wait cannot be called in this context');
    throw e;
  }
  return WAIT_RESULT[r];
}

/** Wait on a shared memory of a host without SharedArrayBuffer: no other agent exists, so
 *  only the timeout can end it, and a wait without one could never end. */
function waitAlone(mem: Memory, addr: number, size: number, expLo: number, expHi: number, ms: number): number {
  const dv = mem.dv;
  if (dv.getInt32(addr, true) !== expLo || (size === 8 && dv.getInt32(addr + 4, true) !== expHi)) return 1;
  if (ms === Infinity) trap('wait without a timeout on a memory no other agent can notify');
  if (sleeper === undefined) {
    try {
      sleeper = new Int32Array(new SharedArrayBuffer(4));
    } catch {
      sleeper = null;
    }
  }
  if (sleeper !== null && ms > 0) {
    try {
      Atomics.wait(sleeper, 0, 0, ms);
    } catch {
      // A host that may not block here: the timeout ends at once.
    }
  }
  return 2;
}

/** atomicRmw's view of `size` bytes: zero-extending below 4 bytes, as the proposal's narrow
 *  forms read. */
type NarrowView = Uint8Array | Uint16Array | Int32Array;

function atomicRmw(mem: Memory, op: number, size: number, addr: number, v: number, x: number): number {
  const a = mem.atomicView(size) as NarrowView;
  const i = size === 4 ? addr >>> 2 : size === 2 ? addr >>> 1 : addr;
  // Atomics convert each operand to the view's element type: the low bits, as Wasm wraps.
  switch (op) {
    case 0:
      return Atomics.load(a, i);
    case 1:
      Atomics.store(a, i, v);
      return 0;
    case 2:
      return Atomics.add(a, i, v);
    case 3:
      return Atomics.sub(a, i, v);
    case 4:
      return Atomics.and(a, i, v);
    case 5:
      return Atomics.or(a, i, v);
    case 6:
      return Atomics.xor(a, i, v);
    case 7:
      return Atomics.exchange(a, i, v);
    default:
      return Atomics.compareExchange(a, i, v, x);
  }
}

function atomicRmw64(mem: Memory, op: number, addr: number, lo: number, hi: number, xlo: number, xhi: number): number {
  const a = mem.atomicView(8);
  const i = addr >>> 3;
  const v = (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
  let r: bigint;
  switch (op) {
    case 0:
      r = Atomics.load(a, i);
      break;
    case 1:
      Atomics.store(a, i, v);
      r = 0n;
      break;
    case 2:
      r = Atomics.add(a, i, v);
      break;
    case 3:
      r = Atomics.sub(a, i, v);
      break;
    case 4:
      r = Atomics.and(a, i, v);
      break;
    case 5:
      r = Atomics.or(a, i, v);
      break;
    case 6:
      r = Atomics.xor(a, i, v);
      break;
    case 7:
      r = Atomics.exchange(a, i, v);
      break;
    default:
      r = Atomics.compareExchange(a, i, v, (BigInt(xhi | 0) << 32n) | BigInt(xlo >>> 0));
  }
  return retBig(r);
}

function memBeyond(mem: Memory, end: number): boolean {
  mem.syncLength();
  return end > mem.byteLength;
}

function memPages(mem: Memory): number {
  return mem.size();
}

/** The one helper object every instance's generated code receives. */
export const helpers: VMHelpers = {
  trap,
  unsupported: (name: string): never => {
    throw new Error(`unsupported instruction: ${name}`);
  },
  TY,
  funcSubtype: (a: number, b: number): boolean => typeRegistry.isSubtype(a, b),
  f32FromBits,
  f32ToBits,
  f64FromBits,
  f64ToBits,
  f32neg,
  f32abs,
  f32copysign,
  f64neg,
  f64abs,
  f64copysign,
  fmin,
  fmax,
  nearest,
  fceil,
  ffloor,
  ftrunc,
  ctz32,
  popcnt32,
  rotl32,
  rotr32,
  truncI32S,
  truncI32U,
  truncSatI32S,
  truncSatI32U,
  i64shl,
  i64shrS,
  i64shrU,
  i64rotl,
  i64rotr,
  i64divS,
  i64divU,
  i64remS,
  i64remU,
  truncI64S,
  truncI64U,
  truncSatI64,
  truncSatU64,
  i64ToF32,
  u64ToF32,
  f64ToWords,
  f64FromWords,
  i64Box,
  i64Unbox,
  i64Lo,
  i64Hi,
  memGrow,
  memFill,
  memCopy,
  memInit,
  tableGet,
  tableSet,
  tableGrow,
  tableFill,
  tableCopy,
  tableInit,
  callIndirect,
  EMPTY_ELEM: Object.freeze([]) as unknown as unknown[],
  EMPTY_DATA: new Uint8Array(0),
  rI32,
  rI64,
  rF64,
  rRef,
  V128,
  v128Load: SIMD.load,
  v128Store: SIMD.store,
  // A copy with data properties: a bundler's namespace object reads each export through a
  // getter, which generated code would call at every SIMD operation in the unoptimised tiers.
  SIMD: { ...SIMD },
  TA,
  tail,
  runTail,
  TB,
  structNew: GC.structNew,
  structRef: GC.structRef,
  arrayNew: GC.arrayNew,
  arrayFixed: GC.arrayFixed,
  arrayNewData: GC.arrayNewData,
  arrayNewElem: GC.arrayNewElem,
  arrayGet: GC.arrayGet,
  arraySet: GC.arraySet,
  arrayLen: GC.arrayLen,
  arrayFill: GC.arrayFill,
  arrayCopy: GC.arrayCopy,
  arrayInitData: GC.arrayInitData,
  arrayInitElem: GC.arrayInitElem,
  i31: GC.i31,
  externalize: GC.externalize,
  internalize: GC.internalize,
  refTest: GC.refTest,
  refCast: GC.refCast,
  structLayout: GC.structLayout,
  refTestFn: GC.refTestFn,
  WasmException,
  throwException,
  isTrap: (e: unknown): boolean => !(e instanceof WasmException),
  wrapTrap: toTrapValue,
  lazyCompile,
  CC,
  atomicWait,
  atomicNotify,
  refGetDesc: GC.refGetDesc,
  refCastDescEq: GC.refCastDescEq,
  refTestDescEq: GC.refTestDescEq,
  refTestExactFn: GC.refTestExactFn,
  refCastBy: GC.refCastBy,
  atomicRmw,
  atomicRmw64,
  memBeyond,
  memPages,
};
// Where NaNs need carriers, the float helpers are the carrier-aware ones (runtime/vm/nan.ts).
if (NAN_CARRIERS) Object.assign(helpers, carrierHelpers(helpers as unknown as Record<string, unknown>));
