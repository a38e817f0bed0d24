// The helpers generated code may call: their names (HELPER_NAMES, in the order the module
// prelude destructures them from `H`) and their signatures (VMHelpers). The translator
// emits calls by these names; runtime/vm/helpers.ts implements them, type-checked against
// VMHelpers. Neither side may use a helper that is not listed here.
//
// Value conventions (docs/ARCHITECTURE.md): i32 a number (int32); i64 two int32 words
// (lo, hi), and a helper producing an i64 returns the low word and leaves the high word in
// rI32[1]; f32 and f64 numbers (f32 through the carriers of f32FromBits when NaN bits
// matter); v128 an Int32Array(4); references `unknown` (null, a callable, a GC object, a
// host value). A trapping helper throws RuntimeError with a message of vmctx/traps.ts.

import type { VMMemory, VMTable } from './index';
import type { TrapMessage } from './traps';

/** Names generated code may reference, in prelude order. */
export const HELPER_NAMES = [
  // traps and type ids
  'trap',
  'unsupported',
  'TY',
  'funcSubtype',
  // float bit carriers (runtime/vm/values.ts semantics)
  'f32FromBits',
  'f32ToBits',
  'f64FromBits',
  'f64ToBits',
  'f32neg',
  'f32abs',
  'f32copysign',
  'f64neg',
  'f64abs',
  'f64copysign',
  'fmin',
  'fmax',
  'nearest',
  'fceil',
  'ffloor',
  'ftrunc',
  // integer helpers
  'ctz32',
  'popcnt32',
  'rotl32',
  'rotr32',
  'truncI32S',
  'truncI32U',
  'truncSatI32S',
  'truncSatI32U',
  // i64 as (lo, hi) int32 words: helpers producing an i64 return the low word and leave the
  // high word in rI32[1] (the hi register); see compiler/translate/i64.ts
  'i64shl',
  'i64shrS',
  'i64shrU',
  'i64rotl',
  'i64rotr',
  'i64divS',
  'i64divU',
  'i64remS',
  'i64remU',
  'truncI64S',
  'truncI64U',
  'truncSatI64',
  'truncSatU64',
  'i64ToF32',
  'u64ToF32',
  'f64ToWords',
  'f64FromWords',
  'i64Box',
  'i64Unbox',
  'i64Lo',
  'i64Hi',
  // memories, tables, segments
  'memGrow',
  'memFill',
  'memCopy',
  'memInit',
  'tableGet',
  'tableSet',
  'tableGrow',
  'tableFill',
  'tableCopy',
  'tableInit',
  'callIndirect',
  'EMPTY_ELEM',
  'EMPTY_DATA',
  // multi-value return area: slot i is rI32[2i] / rF64[i] / rRef[i]; an i64 result i is the
  // words rI32[2i], rI32[2i+1]; rI32[1] is the hi register
  'rI32',
  'rI64',
  'rF64',
  'rRef',
  // v128
  'V128',
  'v128Load',
  'v128Store',
  'SIMD',
  // tail calls: argument registers, request, driver loop, body-function key
  'TA',
  'tail',
  'runTail',
  'TB',
  // GC (runtime/vm/gc.ts)
  'structNew',
  'structRef',
  'arrayNew',
  'arrayFixed',
  'arrayNewData',
  'arrayNewElem',
  'arrayGet',
  'arraySet',
  'arrayLen',
  'arrayFill',
  'arrayCopy',
  'arrayInitData',
  'arrayInitElem',
  'i31',
  'externalize',
  'internalize',
  'refTest',
  'refCast',
  'structLayout',
  'refTestFn',
  // exceptions
  'WasmException',
  'throwException',
  'isTrap',
  'wrapTrap',
  // lazy translation: compiles a function's source on its first call (translate/index.ts);
  // CC keys a lazy stub's translated code
  'lazyCompile',
  'CC',
] as const;

export type HelperName = (typeof HELPER_NAMES)[number];

/**
 * Helpers of rare instructions that generated code calls as `H.name(...)` at the call site
 * instead of binding them in the prelude (so modules that do not use them do not change):
 * memory.atomic.wait32/64 and memory.atomic.notify, the atomic accesses and bounds of shared
 * memories, and custom descriptors' ref.get_desc, descriptor casts and exact casts.
 */
export const H_CALLED_HELPERS = [
  'atomicWait',
  'atomicNotify',
  'atomicRmw',
  'atomicRmw64',
  'memBeyond',
  'memPages',
  'refGetDesc',
  'refCastDescEq',
  'refTestDescEq',
  'refTestExactFn',
  'refCastBy',
] as const;

export type HCalledHelperName = (typeof H_CALLED_HELPERS)[number];

/** Operation codes of atomicRmw / atomicRmw64. */
export const ATOMIC_OPS = { load: 0, store: 1, add: 2, sub: 3, and: 4, or: 5, xor: 6, xchg: 7, cmpxchg: 8 } as const;

/** A Wasm function as generated code holds it; `[TY]` is its canonical type id. */
type Callable = (...args: never[]) => unknown;
/** An i64 helper's result: the low word (the high word is in rI32[1]). */
type I64Lo = number;

/** The signatures of the helpers. */
export interface VMHelpers {
  // ---- traps and type ids
  /** Raises the trap `msg`. */
  trap(msg: TrapMessage): never;
  /** Raises an Error for an instruction the runtime does not implement. */
  unsupported(name: string): never;
  /** The property of a callable holding its canonical function type id. */
  readonly TY: symbol;
  /** Whether canonical type `a` is a subtype of `b`. */
  funcSubtype(a: number, b: number): boolean;

  // ---- float bit carriers (runtime/vm/values.ts)
  f32FromBits(bits: number): number;
  f32ToBits(x: number): number;
  f64FromBits(bits: bigint): number;
  f64ToBits(x: number): bigint;
  f32neg(x: number): number;
  f32abs(x: number): number;
  f32copysign(a: number, b: number): number;
  f64neg(x: number): number;
  f64abs(x: number): number;
  f64copysign(a: number, b: number): number;
  /** min / max / rounding with Wasm's NaN rules (a NaN operand gives a quiet NaN). */
  fmin(a: number, b: number): number;
  fmax(a: number, b: number): number;
  nearest(x: number): number;
  fceil(x: number): number;
  ffloor(x: number): number;
  ftrunc(x: number): number;

  // ---- integers
  ctz32(x: number): number;
  popcnt32(x: number): number;
  rotl32(x: number, n: number): number;
  rotr32(x: number, n: number): number;
  /** Float -> int32 conversions; the trapping ones trap on NaN and out-of-range values. */
  truncI32S(x: number): number;
  truncI32U(x: number): number;
  truncSatI32S(x: number): number;
  truncSatI32U(x: number): number;

  // ---- i64 as (lo, hi) words
  i64shl(lo: number, hi: number, n: number): I64Lo;
  i64shrS(lo: number, hi: number, n: number): I64Lo;
  i64shrU(lo: number, hi: number, n: number): I64Lo;
  i64rotl(lo: number, hi: number, n: number): I64Lo;
  i64rotr(lo: number, hi: number, n: number): I64Lo;
  i64divS(alo: number, ahi: number, blo: number, bhi: number): I64Lo;
  i64divU(alo: number, ahi: number, blo: number, bhi: number): I64Lo;
  i64remS(alo: number, ahi: number, blo: number, bhi: number): I64Lo;
  i64remU(alo: number, ahi: number, blo: number, bhi: number): I64Lo;
  truncI64S(x: number): I64Lo;
  truncI64U(x: number): I64Lo;
  truncSatI64(x: number): I64Lo;
  truncSatU64(x: number): I64Lo;
  i64ToF32(lo: number, hi: number): number;
  u64ToF32(lo: number, hi: number): number;
  /** An f64's bit pattern as words (reinterpret). */
  f64ToWords(x: number): I64Lo;
  f64FromWords(lo: number, hi: number): number;
  /** Words <-> the BigInt form i64 values take outside generated code (API, globals). */
  i64Box(lo: number, hi: number): bigint;
  i64Unbox(v: bigint): I64Lo;
  i64Lo(v: bigint): number;
  i64Hi(v: bigint): number;

  // ---- memories, tables, segments (addresses are unsigned int32 values)
  /** memory.grow: the old size in pages, or -1. */
  memGrow(m: VMMemory, delta: number): number;
  memFill(m: VMMemory, d: number, v: number, n: number): void;
  memCopy(dst: VMMemory, src: VMMemory, d: number, s: number, n: number): void;
  /** memory.init from a data segment's current contents. */
  memInit(m: VMMemory, data: Uint8Array, d: number, s: number, n: number): void;
  /** Table operations on a table's `elements` (tableGrow on the table itself). */
  tableGet(e: unknown[], i: number): unknown;
  tableSet(e: unknown[], i: number, v: unknown): void;
  tableGrow(t: VMTable, init: unknown, n: number): number;
  tableFill(e: unknown[], i: number, v: unknown, n: number): void;
  tableCopy(dst: unknown[], src: unknown[], d: number, s: number, n: number): void;
  tableInit(e: unknown[], seg: unknown[], d: number, s: number, n: number): void;
  /** call_indirect: element `i` of `e`, checked against canonical type `typeId`; the code
   *  to call (a lazy stub's translated code once it has some). */
  callIndirect(e: unknown[], i: number, typeId: number): Callable;
  /** A dropped element / data segment's contents. */
  readonly EMPTY_ELEM: unknown[];
  readonly EMPTY_DATA: Uint8Array;

  // ---- multi-value return area: result i is rI32[2i] / rI64[i] / rF64[i] / rRef[i]
  readonly rI32: Int32Array;
  readonly rI64: BigInt64Array;
  /** A generic array where NaNs need carriers (vmctx/nan.ts): a Float64Array cannot hold one. */
  readonly rF64: Float64Array | number[];
  readonly rRef: unknown[];

  // ---- v128
  V128(a: number, b: number, c: number, d: number): Int32Array;
  v128Load(m: Uint8Array, ea: number): Int32Array;
  v128Store(m: Uint8Array, ea: number, v: Int32Array): void;
  /** Lane operations, by the name generated code writes after `SIMD.` (runtime/vm/simd.ts). */
  readonly SIMD: object;

  // ---- tail calls
  /** Argument registers of a pending tail call. */
  readonly TA: unknown[];
  /** Requests a tail call of `fn` with TA[0..n); returns the request marker. */
  tail(fn: Callable, n: number): unknown;
  /** Runs requested tail calls until a result that is not a request comes back. */
  runTail(r: unknown): unknown;
  /** The property of an entry callable holding its body function. */
  readonly TB: symbol;

  // ---- GC (runtime/vm/gc.ts); `kind` arguments name the element storage and are ignored
  // where the type id determines it
  structNew(typeId: number, ...fields: unknown[]): unknown;
  structRef(s: unknown): unknown;
  arrayNew(typeId: number, kind: string, v: unknown, n: number): unknown;
  arrayFixed(typeId: number, kind: string, ...values: unknown[]): unknown;
  arrayNewData(typeId: number, kind: string, bytes: Uint8Array | null, s: number, n: number): unknown;
  arrayNewElem(typeId: number, elems: readonly unknown[] | null, s: number, n: number): unknown;
  arrayGet(a: unknown, i: number): unknown;
  arraySet(a: unknown, i: number, v: unknown): void;
  arrayLen(a: unknown): number;
  arrayFill(a: unknown, d: number, v: unknown, n: number): void;
  arrayCopy(dst: unknown, d: number, src: unknown, s: number, n: number): void;
  arrayInitData(a: unknown, kind: string, bytes: Uint8Array | null, d: number, s: number, n: number): void;
  arrayInitElem(a: unknown, elems: readonly unknown[] | null, d: number, s: number, n: number): void;
  /** i31.get_s / get_u operand check: the i31 value, trapping on null. */
  i31(v: unknown): number;
  externalize(v: unknown): unknown;
  internalize(v: unknown): unknown;
  refTest(v: unknown, heap: unknown, nullable: boolean): boolean;
  refCast(v: unknown, heap: unknown, nullable: boolean): unknown;
  /** A struct type's allocator and field layout, bound once per instance. */
  structLayout(typeId: number): unknown;
  /** A predicate for one target type, bound once per instance. */
  refTestFn(heap: unknown, nullable: boolean): (v: unknown) => boolean;

  // ---- exceptions
  readonly WasmException: abstract new (...args: never[]) => Error;
  throwException(tag: unknown, ...values: unknown[]): never;
  /** Whether a caught JS value is a trap (not a Wasm exception), so try_table lets it pass. */
  isTrap(e: unknown): boolean;
  /** A caught JS value as the trap it stands for (stack exhaustion -> "call stack exhausted"). */
  wrapTrap(e: unknown): unknown;

  // ---- lazy translation (compiler/translate/index.ts)
  /** Compiles a lazy stub's function on its first call; returns the function. */
  lazyCompile(
    lz: unknown,
    bindings: Record<string, unknown>,
    stub: { readonly name: string },
    funcs: readonly unknown[],
    numImported: number,
    index: number,
  ): unknown;
  /** The property of a lazy stub holding its translated code. */
  readonly CC: symbol;

  // ---- threads (called as H.name; address bounds and alignment checked by the caller)
  /** memory.atomic.wait32/64 of `size` bytes at `addr`: 0 woken, 1 not-equal, 2 timed out;
   *  the timeout is i64 nanoseconds as words, negative for none. */
  atomicWait(m: VMMemory, addr: number, size: number, expLo: number, expHi: number, tLo: number, tHi: number): number;
  /** memory.atomic.notify: how many waiters were woken. */
  atomicNotify(m: VMMemory, addr: number, count: number): number;
  /** An atomic access of 1, 2 or 4 bytes to a shared memory (ATOMIC_OPS code `op`): the
   *  value read (zero-extended below 4 bytes; 0 for a store). `x`: cmpxchg's replacement. */
  atomicRmw(m: VMMemory, op: number, size: number, addr: number, v: number, x: number): number;
  /** The same for 8 bytes; values as words, result i64 (high word in rI32[1]). */
  atomicRmw64(m: VMMemory, op: number, addr: number, lo: number, hi: number, xlo: number, xhi: number): I64Lo;
  /** Whether `end` lies beyond a shared memory once its length is brought up to date
   *  (another agent may have grown it): the slow path of a failed explicit bounds check. */
  memBeyond(m: VMMemory, end: number): boolean;
  /** memory.size of a shared memory, in pages, after such an update. */
  memPages(m: VMMemory): number;
  // ---- custom descriptors (runtime/vm/gc.ts)
  /** ref.get_desc: the struct's descriptor, trapping on null. */
  refGetDesc(v: unknown): unknown;
  /** ref.cast_desc_eq: `v` if its descriptor is `desc` (or it is null and `nullable`), else a trap. */
  refCastDescEq(v: unknown, desc: unknown, nullable: boolean): unknown;
  /** br_on_cast_desc_eq(_fail)'s test; traps on a null descriptor. */
  refTestDescEq(v: unknown, desc: unknown, nullable: boolean): boolean;
  /** A predicate for one exact target type `(ref null? (exact id))`. */
  refTestExactFn(typeId: number, nullable: boolean): (v: unknown) => boolean;
  /** ref.cast through a predicate: `v` if it holds, else the trap "cast failure". */
  refCastBy(v: unknown, test: (v: unknown) => boolean): unknown;
}

// HELPER_NAMES and VMHelpers list the same names.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameNames: Same<HelperName | HCalledHelperName, keyof VMHelpers> = true;
void sameNames;

/** The helper object's type, as the translator's factory receives it. */
export type TranslatedHelpers = VMHelpers;
