import type { FieldType, HeapType, ModuleIR, StorageType, SubType, ValType } from '../../compiler/ir';
import { ref } from '../../compiler/ir';
import { typeRegistry } from '../../compiler/validate';
import { RuntimeError, WasmException } from '../errors';
import { Func, TY, Tag, type Callable } from '../objects';
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from './values';
import {
  CAST_FAILURE,
  GcObject,
  StorageKind,
  WasmArray,
  WasmStruct,
  anyConvertExtern,
  arrayCopy,
  arrayFixed,
  canonicalSubType,
  defaultOf,
  elemKind,
  externalize,
  internalize,
  isI31,
  structRef,
  i31,
  arrayFill,
  arrayGet,
  arrayGetS,
  arrayGetU,
  arrayInitData,
  arrayInitElem,
  arrayLayout,
  arrayLen,
  arrayNew,
  arrayNewData,
  arrayNewDefault,
  arrayNewElem,
  arraySet,
  externConvertAny,
  i31GetS,
  i31GetU,
  refCast,
  refEq,
  refI31,
  refKind,
  refTest,
  refTestFn,
  structGet,
  structGetS,
  structGetU,
  structLayout,
  structNew,
  structNewDefault,
  structSet,
  refGetDesc,
  refCastDescEq,
  refTestDescEq,
  refTestExactFn,
  refCastBy,
} from './gc';

// ---------------------------------------------------------------- type sections by hand

/** The element-kind argument generated code passes; the type id decides the storage. */
const K = 'ignored';
const mut = (type: StorageType): FieldType => ({ type, mutable: true });
const sub = (comp: SubType['comp'], supers: number[] = [], final = false): SubType => ({ final, supers, comp });
const struct = (...fields: FieldType[]): SubType['comp'] => ({ kind: 'struct', fields });
const array = (field: FieldType): SubType['comp'] => ({ kind: 'array', field });
const func = (params: ValType[], results: ValType[]): SubType['comp'] => ({ kind: 'func', params, results });

/** Canonical ids of a type section; every type is its own rec group unless `groups` says otherwise. */
function canonicalize(types: SubType[], groups?: [number, number][]): number[] {
  const recGroups = (groups ?? types.map((_, i) => [i, 1] as [number, number])).map(([start, count]) => ({
    start,
    count,
  }));
  return typeRegistry.canonicalize({ types, recGroups } as unknown as ModuleIR);
}

const T = canonicalize([
  /* 0 $base   */ sub(struct(mut('i32'))),
  /* 1 $derived*/ sub(struct(mut('i32'), mut('f32')), [0]),
  /* 2 $all    */ sub(
    struct(mut('i8'), mut('i16'), mut('i32'), mut('i64'), mut('f32'), mut('f64'), mut('v128'), mut(ref(true, 'any'))),
  ),
  /* 3 $a8     */ sub(array(mut('i8'))),
  /* 4 $a16    */ sub(array(mut('i16'))),
  /* 5 $a32    */ sub(array(mut('i32'))),
  /* 6 $a64    */ sub(array(mut('i64'))),
  /* 7 $af32   */ sub(array(mut('f32'))),
  /* 8 $af64   */ sub(array(mut('f64'))),
  /* 9 $av128  */ sub(array(mut('v128'))),
  /* 10 $aref  */ sub(array(mut(ref(true, 'any')))),
  /* 11 $fbase */ sub(func([], [ref(true, 'any')])),
  /* 12 $fsub  */ sub(func([], [ref(true, 'eq')]), [11]),
  /* 13 $other */ sub(func([ref(false, 'i31')], [])),
  /* 14 $final */ sub(struct(mut('i32')), [], true),
  /* 15 $sib   */ sub(struct(mut('i32'), mut('i64')), [0]),
  /* 16 $afunc */ sub(array(mut(ref(true, 'func')))),
]);
const [BASE, DERIVED, ALL, A8, A16, A32, A64, AF32, AF64, AV128, AREF, FBASE, FSUB, FOTHER, FINAL, SIB, AFUNC] = T;

const SNAN64 = f64FromBits(0x7ff0000000012345n);
const NNAN64 = f64FromBits(0xfff8000000000abcn);
const SNAN32_BITS = 0x7fa00001;
const SNAN32 = f32FromBits(SNAN32_BITS);

function trapOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof RuntimeError) return e.message;
    throw e;
  }
  throw new Error('expected a trap');
}

function callable(typeId: number): Callable {
  const c: Callable = () => null;
  c[TY] = typeId;
  return c;
}

// ---------------------------------------------------------------- canonical ids

describe('canonical ids used by the tests', () => {
  test('structurally identical types in different modules share an id; open vs final differ', () => {
    const again = canonicalize([sub(struct(mut('i32'))), sub(struct(mut('i32'), mut('f32')), [0])]);
    expect(again).toEqual([BASE, DERIVED]);
    expect(FINAL).not.toBe(BASE);
    expect(typeRegistry.isSubtype(DERIVED, BASE)).toBe(true);
    expect(typeRegistry.isSubtype(BASE, DERIVED)).toBe(false);
  });
});

// ---------------------------------------------------------------- structs

describe('structs', () => {
  test('struct.new carries the canonical id and the fields', () => {
    const s = structNew(DERIVED, 7, 1.5);
    expect(s).toBeInstanceOf(WasmStruct);
    expect(s).toBeInstanceOf(GcObject);
    expect(s.$t).toBe(DERIVED);
    expect(structGet(s, 0)).toBe(7);
    expect(structGet(s, 1)).toBe(1.5);
  });

  test('per-type factory and generic path agree; each type has its own class', () => {
    const layout = structLayout(ALL);
    expect(layout.kinds).toEqual([
      StorageKind.I8,
      StorageKind.I16,
      StorageKind.I32,
      StorageKind.I64,
      StorageKind.F32,
      StorageKind.F64,
      StorageKind.V128,
      StorageKind.Ref,
    ]);
    const v = Int32Array.of(1, 2, 3, 4);
    const a = layout.create(0x1ff, 0x18000, -5, -9n, 2.5, -0, v, null);
    const b = structNew(ALL, 0x1ff, 0x18000, -5, -9n, 2.5, -0, v, null);
    for (const s of [a, b]) {
      expect(s.f0).toBe(-1); // 0x1ff wrapped to i8 and stored sign-extended
      expect(s.f1).toBe(-32768);
      expect(s.f2).toBe(-5);
      expect(s.f3).toBe(-9n);
      expect(s.f4).toBe(2.5);
      expect(Object.is(s.f5, -0)).toBe(true);
      expect(s.f6).toBe(v);
      expect(s.f7).toBeNull();
    }
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
    expect(Object.getPrototypeOf(a)).not.toBe(Object.getPrototypeOf(structNew(BASE, 1)));
    expect(structLayout(ALL)).toBe(layout);
  });

  test('struct.new_default', () => {
    const s = structNewDefault(ALL);
    expect([s.f0, s.f1, s.f2, s.f3, s.f4, s.f5, s.f7]).toEqual([0, 0, 0, 0n, 0, 0, null]);
    expect(Array.from(s.f6 as Int32Array)).toEqual([0, 0, 0, 0]);
    expect(structLayout(ALL).createDefault().$t).toBe(ALL);
  });

  test('packed get_s / get_u / set', () => {
    const s = structNew(ALL, 0x80, 0x8001, 0, 0n, 0, 0, new Int32Array(4), null);
    expect(structGetS(s, 0)).toBe(-128);
    expect(structGetU(s, 0)).toBe(0x80);
    expect(structGetS(s, 1)).toBe(-32767);
    expect(structGetU(s, 1)).toBe(0x8001);
    structSet(s, 0, 0x12345677);
    expect(structGetS(s, 0)).toBe(0x77);
    expect(structGetU(s, 0)).toBe(0x77);
    structSet(s, 0, -1);
    expect(structGetS(s, 0)).toBe(-1);
    expect(structGetU(s, 0)).toBe(255);
    structSet(s, 1, 0xfffe);
    expect(structGetS(s, 1)).toBe(-2);
    expect(structGetU(s, 1)).toBe(0xfffe);
    // get_u on an unpacked field is the plain value
    expect(structGetU(s, 2)).toBe(0);
  });

  test('f32 and f64 NaN payloads survive struct fields (factory, generic, set)', () => {
    const a = structLayout(ALL).create(0, 0, 0, 0n, SNAN32, SNAN64, new Int32Array(4), null);
    const b = structNew(ALL, 0, 0, 0, 0n, SNAN32, SNAN64, new Int32Array(4), null);
    for (const s of [a, b]) {
      expect(f32ToBits(structGet(s, 4) as number) >>> 0).toBe(SNAN32_BITS);
      expect(f64ToBits(structGet(s, 5) as number)).toBe(0x7ff0000000012345n);
    }
    structSet(a, 5, NNAN64);
    expect(f64ToBits(structGet(a, 5) as number)).toBe(0xfff8000000000abcn);
    // Hot loop: optimised stores must keep the bits too.
    const make = structLayout(DERIVED).create;
    let last: WasmStruct | null = null;
    for (let i = 0; i < 20000; i++) last = make(i, i + 0.5);
    expect(last!.f1).toBe(19999.5);
    expect(f32ToBits(make(0, SNAN32).f1 as number) >>> 0).toBe(SNAN32_BITS);
  });

  test('null struct operands trap', () => {
    expect(trapOf(() => structGet(null, 0))).toBe('null structure reference');
    expect(trapOf(() => structGetU(null, 0))).toBe('null structure reference');
    expect(trapOf(() => structSet(null, 0, 1))).toBe('null structure reference');
  });

  test('structRef passes structs and traps on null', () => {
    const s = structNew(BASE, 1);
    expect(structRef(s)).toBe(s);
    expect(trapOf(() => structRef(null))).toBe('null structure reference');
  });

  test('transitional indexed access s.f[i] aliases the named fields, packing and keeping NaN bits', () => {
    const s = structNew(ALL, 0, 0, 0, 0n, 0, 0, new Int32Array(4), null) as WasmStruct & { f: unknown[] };
    s.f[0] = 0x1ff;
    expect(s.f0).toBe(-1);
    expect(s.f[0]).toBe(-1);
    s.f[5] = SNAN64;
    expect(f64ToBits(s.f5 as number)).toBe(0x7ff0000000012345n);
    expect(f64ToBits(s.f[5] as number)).toBe(0x7ff0000000012345n);
    s.f3 = 5n;
    expect(s.f[3]).toBe(5n);
    // the aliases are on the prototype: own keys stay the named fields
    expect(Object.keys(s)).toEqual(['$t', 'f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']);
  });

  test('layouts reject non-struct / non-array ids', () => {
    expect(() => structLayout(A8)).toThrow(TypeError);
    expect(() => arrayLayout(BASE)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------- arrays

describe('arrays', () => {
  test('element storage matches the storage type', () => {
    expect(arrayNewDefault(A8, 2).e).toBeInstanceOf(Int8Array);
    expect(arrayNewDefault(A16, 2).e).toBeInstanceOf(Int16Array);
    expect(arrayNewDefault(A32, 2).e).toBeInstanceOf(Int32Array);
    expect(arrayNewDefault(A64, 2).e).toBeInstanceOf(BigInt64Array);
    expect(arrayNewDefault(AF32, 2).e).toBeInstanceOf(Float64Array);
    expect(arrayNewDefault(AF64, 2).e).toBeInstanceOf(Float64Array);
    expect(Array.isArray(arrayNewDefault(AV128, 2).e)).toBe(true);
    expect(Array.isArray(arrayNewDefault(AREF, 2).e)).toBe(true);
    const a = arrayNewDefault(AREF, 3);
    expect(a).toBeInstanceOf(WasmArray);
    expect(a.$t).toBe(AREF);
    expect(Array.from(a.e)).toEqual([null, null, null]);
    expect(Array.from(arrayNewDefault(A64, 2).e)).toEqual([0n, 0n]);
    expect(Array.from(arrayNewDefault(AV128, 1).e[0] as Int32Array)).toEqual([0, 0, 0, 0]);
  });

  test('array.new, array.new_fixed, get/set, len', () => {
    const a = arrayNew(A32, K, 7, 4);
    expect(arrayLen(a)).toBe(4);
    expect(Array.from(a.e)).toEqual([7, 7, 7, 7]);
    arraySet(a, 2, -3);
    expect(arrayGet(a, 2)).toBe(-3);
    const f = arrayFixed(A64, K, 1n, -2n);
    expect(Array.from(f.e)).toEqual([1n, -2n]);
    const r = arrayFixed(AREF, K, null, 5);
    expect(arrayGet(r, 1)).toBe(5);
    expect(arrayLen(arrayFixed(A8, K))).toBe(0);
  });

  test('packed elements: wrap on store, get_s / get_u', () => {
    const a = arrayNew(A8, K, 0x1ff, 2);
    expect(arrayGetS(a, 0)).toBe(-1);
    expect(arrayGetU(a, 0)).toBe(255);
    arraySet(a, 1, 0x180);
    expect(arrayGetS(a, 1)).toBe(-128);
    expect(arrayGetU(a, 1)).toBe(128);
    const b = arrayFixed(A16, K, 0x18000, 5);
    expect(arrayGetS(b, 0)).toBe(-32768);
    expect(arrayGetU(b, 0)).toBe(0x8000);
    expect(arrayGetU(b, 1)).toBe(5);
    expect(arrayGetU(arrayNew(A32, K, -1, 1), 0)).toBe(-1);
  });

  test('bounds: indices are u32, out of range traps', () => {
    const a = arrayNew(A32, K, 0, 3);
    expect(trapOf(() => arrayGet(a, 3))).toBe('out of bounds array access');
    expect(trapOf(() => arrayGet(a, -1))).toBe('out of bounds array access');
    expect(trapOf(() => arrayGetU(a, 3))).toBe('out of bounds array access');
    expect(trapOf(() => arraySet(a, 3, 1))).toBe('out of bounds array access');
    expect(trapOf(() => arraySet(a, -2147483648, 1))).toBe('out of bounds array access');
  });

  test('null array operands trap', () => {
    const msg = 'null array reference';
    const a = arrayNew(A32, K, 0, 1);
    expect(trapOf(() => arrayGet(null, 0))).toBe(msg);
    expect(trapOf(() => arrayGetU(null, 0))).toBe(msg);
    expect(trapOf(() => arraySet(null, 0, 0))).toBe(msg);
    expect(trapOf(() => arrayLen(null))).toBe(msg);
    expect(trapOf(() => arrayFill(null, 0, 0, 0))).toBe(msg);
    expect(trapOf(() => arrayCopy(null, 0, a, 0, 0))).toBe(msg);
    expect(trapOf(() => arrayCopy(a, 0, null, 0, 0))).toBe(msg);
    expect(trapOf(() => arrayInitData(null, K, new Uint8Array(4), 0, 0, 0))).toBe(msg);
    expect(trapOf(() => arrayInitElem(null, [], 0, 0, 0))).toBe(msg);
  });

  test('huge allocations trap instead of throwing RangeError', () => {
    expect(trapOf(() => arrayNewDefault(A32, -1))).toBe('array too large');
    expect(trapOf(() => arrayNew(AREF, K, null, 0x7fffffff))).toBe('array too large');
  });

  test('NaN payloads survive f32/f64 arrays: new, fixed, set, fill, copy', () => {
    const f64 = arrayNew(AF64, K, SNAN64, 3);
    for (let i = 0; i < 3; i++) expect(f64ToBits(arrayGet(f64, i) as number)).toBe(0x7ff0000000012345n);
    arraySet(f64, 1, NNAN64);
    expect(f64ToBits(arrayGet(f64, 1) as number)).toBe(0xfff8000000000abcn);
    const fixed = arrayFixed(AF64, K, 1.5, SNAN64);
    expect(f64ToBits(arrayGet(fixed, 1) as number)).toBe(0x7ff0000000012345n);
    arrayFill(fixed, 0, NNAN64, 2);
    expect(f64ToBits(arrayGet(fixed, 0) as number)).toBe(0xfff8000000000abcn);
    arrayCopy(fixed, 0, f64, 0, 2);
    expect(f64ToBits(arrayGet(fixed, 0) as number)).toBe(0x7ff0000000012345n);
    expect(f64ToBits(arrayGet(fixed, 1) as number)).toBe(0xfff8000000000abcn);

    const f32 = arrayFixed(AF32, K, SNAN32, 2.5);
    expect(f32ToBits(arrayGet(f32, 0) as number) >>> 0).toBe(SNAN32_BITS);
    arrayFill(f32, 1, SNAN32, 1);
    expect(f32ToBits(arrayGet(f32, 1) as number) >>> 0).toBe(SNAN32_BITS);
    const f32b = arrayNew(AF32, K, SNAN32, 2);
    expect(f32ToBits(arrayGet(f32b, 1) as number) >>> 0).toBe(SNAN32_BITS);
  });

  test('array.new_data decodes little-endian elements of every numeric type', () => {
    const bytes = Uint8Array.of(0x01, 0x80, 0xff, 0x7f, 0x00, 0x00, 0xf0, 0x7f);
    expect(Array.from(arrayNewData(A8, K, bytes, 1, 3).e)).toEqual([-128, -1, 127]);
    expect(Array.from(arrayNewData(A16, K, bytes, 0, 2).e)).toEqual([-32767, 0x7fff]);
    expect(Array.from(arrayNewData(A32, K, bytes, 0, 2).e)).toEqual([0x7fff8001, 0x7ff00000]);
    expect(Array.from(arrayNewData(A64, K, bytes, 0, 1).e)).toEqual([0x7ff000007fff8001n]);
    const f64 = arrayNewData(AF64, K, Uint8Array.of(0x45, 0x23, 0x01, 0, 0, 0, 0xf0, 0x7f), 0, 1);
    expect(f64ToBits(arrayGet(f64, 0) as number)).toBe(0x7ff0000000012345n); // signalling NaN kept
    const f32 = arrayNewData(AF32, K, Uint8Array.of(0x01, 0x00, 0xa0, 0x7f, 0, 0, 0xc0, 0x3f), 0, 2);
    expect(f32ToBits(arrayGet(f32, 0) as number) >>> 0).toBe(SNAN32_BITS);
    expect(arrayGet(f32, 1)).toBe(1.5);
    const v = arrayNewData(
      AV128,
      K,
      Uint8Array.from({ length: 16 }, (_, i) => i),
      0,
      1,
    );
    expect(Array.from(arrayGet(v, 0) as Int32Array)).toEqual([0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c]);
    // unaligned segment views are fine
    expect(Array.from(arrayNewData(A32, K, bytes.subarray(1), 0, 1).e)).toEqual([0x007fff80]);
  });

  test('array.new_data bounds: offset + n * size > length traps; dropped = empty', () => {
    const bytes = new Uint8Array(4);
    expect(arrayLen(arrayNewData(A32, K, bytes, 0, 1))).toBe(1);
    expect(arrayLen(arrayNewData(A32, K, bytes, 4, 0))).toBe(0);
    expect(trapOf(() => arrayNewData(A32, K, bytes, 1, 1))).toBe('out of bounds memory access');
    expect(trapOf(() => arrayNewData(A16, K, bytes, 0, 3))).toBe('out of bounds memory access');
    expect(trapOf(() => arrayNewData(A8, K, bytes, 5, 0))).toBe('out of bounds memory access');
    expect(trapOf(() => arrayNewData(A64, K, bytes, 0, -1))).toBe('out of bounds memory access');
    expect(trapOf(() => arrayNewData(A8, K, null, 0, 1))).toBe('out of bounds memory access');
    expect(arrayLen(arrayNewData(A8, K, null, 0, 0))).toBe(0);
  });

  test('array.new_elem copies segment references; bounds trap as table access', () => {
    const x = structNew(BASE, 1);
    const seg = [x, null, 7];
    const a = arrayNewElem(AREF, seg, 1, 2);
    expect(Array.from(a.e)).toEqual([null, 7]);
    expect(arrayGet(arrayNewElem(AREF, seg, 0, 1), 0)).toBe(x);
    expect(trapOf(() => arrayNewElem(AREF, seg, 2, 2))).toBe('out of bounds table access');
    expect(trapOf(() => arrayNewElem(AREF, seg, 4, 0))).toBe('out of bounds table access');
    expect(trapOf(() => arrayNewElem(AREF, null, 0, 1))).toBe('out of bounds table access');
    expect(arrayLen(arrayNewElem(AREF, null, 0, 0))).toBe(0);
    const f = callable(FBASE);
    expect(arrayGet(arrayNewElem(AFUNC, [f], 0, 1), 0)).toBe(f);
  });

  test('array.fill', () => {
    const a = arrayNew(A8, K, 0, 5);
    arrayFill(a, 1, 0x1ff, 3);
    expect(Array.from(a.e)).toEqual([0, -1, -1, -1, 0]);
    arrayFill(a, 5, 9, 0); // d == len, n == 0: no trap
    expect(trapOf(() => arrayFill(a, 3, 1, 3))).toBe('out of bounds array access');
    expect(trapOf(() => arrayFill(a, 6, 1, 0))).toBe('out of bounds array access');
    const r = arrayNewDefault(AREF, 2);
    arrayFill(r, 0, 'x', 2);
    expect(Array.from(r.e)).toEqual(['x', 'x']);
    const w = arrayNewDefault(A64, 2);
    arrayFill(w, 1, -1n, 1);
    expect(Array.from(w.e)).toEqual([0n, -1n]);
  });

  test('array.copy: overlap in both directions, across arrays, bounds', () => {
    const mk = (): WasmArray => arrayFixed(A32, K, 0, 1, 2, 3, 4, 5, 6, 7);
    let a = mk();
    arrayCopy(a, 2, a, 0, 5);
    expect(Array.from(a.e)).toEqual([0, 1, 0, 1, 2, 3, 4, 7]);
    a = mk();
    arrayCopy(a, 0, a, 2, 5);
    expect(Array.from(a.e)).toEqual([2, 3, 4, 5, 6, 5, 6, 7]);
    const r = arrayFixed(AREF, K, 'a', 'b', 'c', 'd', 'e');
    arrayCopy(r, 1, r, 0, 4);
    expect(Array.from(r.e)).toEqual(['a', 'a', 'b', 'c', 'd']);
    arrayCopy(r, 0, r, 1, 4);
    expect(Array.from(r.e)).toEqual(['a', 'b', 'c', 'd', 'd']);
    const b = arrayNew(A32, K, 9, 3);
    arrayCopy(b, 1, mk(), 6, 2);
    expect(Array.from(b.e)).toEqual([9, 6, 7]);
    const p = arrayFixed(A16, K, 1, -2, 3);
    const q = arrayNewDefault(A16, 3);
    arrayCopy(q, 0, p, 0, 3);
    expect(Array.from(q.e)).toEqual([1, -2, 3]);
    expect(trapOf(() => arrayCopy(b, 2, a, 0, 2))).toBe('out of bounds array access');
    expect(trapOf(() => arrayCopy(b, 0, a, 7, 2))).toBe('out of bounds array access');
    expect(trapOf(() => arrayCopy(b, 0, a, -1, 0))).toBe('out of bounds array access');
    arrayCopy(b, 3, a, 8, 0); // both at their ends with n == 0: no trap
    const v1 = arrayFixed(AV128, K, Int32Array.of(1, 2, 3, 4), Int32Array.of(5, 6, 7, 8));
    arrayCopy(v1, 1, v1, 0, 1);
    expect(Array.from(arrayGet(v1, 1) as Int32Array)).toEqual([1, 2, 3, 4]);
  });

  test('array.init_data: array range checked before segment range', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const a = arrayNewDefault(A16, 4);
    arrayInitData(a, K, bytes, 1, 2, 2);
    expect(Array.from(a.e)).toEqual([0, 0x0403, 0x0605, 0]);
    arrayInitData(a, K, bytes, 4, 6, 0);
    expect(trapOf(() => arrayInitData(a, K, bytes, 5, 0, 0))).toBe('out of bounds array access');
    expect(trapOf(() => arrayInitData(a, K, bytes, 3, 0, 2))).toBe('out of bounds array access');
    expect(trapOf(() => arrayInitData(a, K, bytes, 0, 7, 0))).toBe('out of bounds memory access');
    expect(trapOf(() => arrayInitData(a, K, bytes, 0, 2, 3))).toBe('out of bounds memory access');
    expect(trapOf(() => arrayInitData(a, K, bytes, 5, 7, 0))).toBe('out of bounds array access');
    expect(trapOf(() => arrayInitData(a, K, null, 0, 0, 1))).toBe('out of bounds memory access');
    const f = arrayNewDefault(AF64, 2);
    arrayInitData(f, K, Uint8Array.of(0x45, 0x23, 0x01, 0, 0, 0, 0xf0, 0x7f), 1, 0, 1);
    expect(f64ToBits(arrayGet(f, 1) as number)).toBe(0x7ff0000000012345n);
    expect(arrayGet(f, 0)).toBe(0);
  });

  test('array.init_elem: array range checked before segment range', () => {
    const a = arrayNewDefault(AREF, 3);
    arrayInitElem(a, ['x', 'y', 'z'], 1, 1, 2);
    expect(Array.from(a.e)).toEqual([null, 'y', 'z']);
    arrayInitElem(a, ['x'], 3, 1, 0);
    expect(trapOf(() => arrayInitElem(a, ['x', 'y'], 2, 0, 2))).toBe('out of bounds array access');
    expect(trapOf(() => arrayInitElem(a, ['x', 'y'], 0, 1, 2))).toBe('out of bounds table access');
    expect(trapOf(() => arrayInitElem(a, ['x'], 4, 2, 0))).toBe('out of bounds array access');
    expect(trapOf(() => arrayInitElem(a, null, 0, 0, 1))).toBe('out of bounds table access');
  });
});

// ---------------------------------------------------------------- i31

describe('i31', () => {
  test('ref.i31 keeps 31 bits; get_s / get_u', () => {
    expect(refI31(5)).toBe(5);
    expect(refI31(0x40000000)).toBe(-0x40000000);
    expect(refI31(0x7fffffff)).toBe(-1);
    expect(refI31(-1)).toBe(-1);
    expect(refI31(0x80000000 | 0)).toBe(0);
    expect(i31GetS(refI31(0x7fffffff))).toBe(-1);
    expect(i31GetU(refI31(0x7fffffff))).toBe(0x7fffffff);
    expect(i31GetU(refI31(0x3fffffff))).toBe(0x3fffffff);
    expect(i31GetS(refI31(0x3fffffff))).toBe(0x3fffffff);
    expect(i31GetU(refI31(0x40000000))).toBe(0x40000000);
  });
  test('isI31 recognises exactly the i31 range', () => {
    for (const v of [0, -0, 1, -1, 0x3fffffff, -0x40000000]) expect(isI31(v)).toBe(true);
    for (const v of [0x40000000, -0x40000001, 0.5, NaN, Infinity, '1', null, 1n]) expect(isI31(v)).toBe(false);
  });
  test('null traps', () => {
    expect(trapOf(() => i31(null))).toBe('null i31 reference');
    expect(i31(refI31(-3))).toBe(-3);
    expect(Object.is(i31GetS(-0), 0)).toBe(true);
    expect(Object.is(i31GetU(-0), 0)).toBe(true);
    expect(trapOf(() => i31GetS(null))).toBe('null i31 reference');
    expect(trapOf(() => i31GetU(null))).toBe('null i31 reference');
  });
});

// ---------------------------------------------------------------- extern <-> any

describe('any.convert_extern / extern.convert_any', () => {
  test('null stays null', () => {
    expect(anyConvertExtern(null)).toBeNull();
    expect(externConvertAny(null)).toBeNull();
  });

  test('i31-range integers become i31s and externalise to the same number', () => {
    for (const n of [0, 1, -1, 0x3fffffff, -0x40000000]) {
      const v = anyConvertExtern(n);
      expect(v).toBe(n);
      expect(refKind(v)).toBe('i31');
      expect(refTest(v, 'i31', false)).toBe(true);
      expect(externConvertAny(v)).toBe(n);
    }
    expect(anyConvertExtern(-0)).toBe(0); // the JS API maps -0 to i31 0
    expect(externConvertAny(refI31(-1))).toBe(-1);
  });

  test('other host values are their own internal form: identity both ways', () => {
    const obj = { a: 1 };
    const fn = (): number => 1;
    for (const x of [obj, fn, 0x40000000, -0x40000001, 1.5, NaN, 'str', undefined, true, 10n, Symbol('s')]) {
      const v = anyConvertExtern(x);
      expect(Object.is(v, x)).toBe(true);
      expect(refKind(v)).toBe('extern');
      expect(refTest(v, 'any', false)).toBe(true);
      expect(refTest(v, 'eq', false)).toBe(false);
      expect(refTest(v, 'i31', false)).toBe(false);
      expect(refTest(v, 'struct', false)).toBe(false);
      expect(refTest(v, 'array', false)).toBe(false);
      expect(refTestFn('eq', true)(v)).toBe(false);
      expect(refTestFn('i31', false)(v)).toBe(false);
      expect(Object.is(externConvertAny(v), x)).toBe(true);
    }
    expect(anyConvertExtern(externConvertAny(obj))).toBe(obj);
  });

  test('transitional names are the same conversions', () => {
    expect(internalize(-0)).toBe(0);
    expect(internalize(1.5)).toBe(1.5);
    const s = structNew(BASE, 1);
    expect(externalize(s)).toBe(s);
  });

  test('GC objects are their own external form', () => {
    const s = structNew(BASE, 1);
    const a = arrayNew(A8, K, 0, 1);
    expect(externConvertAny(s)).toBe(s);
    expect(anyConvertExtern(externConvertAny(s))).toBe(s);
    expect(anyConvertExtern(a)).toBe(a);
  });
});

// ---------------------------------------------------------------- casts

describe('ref.test / ref.cast across the heap type lattice', () => {
  const s0 = structNew(BASE, 1);
  const s1 = structNew(DERIVED, 1, 2);
  const sib = structNew(SIB, 1, 2n);
  const fin = structNew(FINAL, 1);
  const arr = arrayNew(A8, K, 0, 1);
  const i31 = refI31(3);
  const host = anyConvertExtern({});
  const hostNum = anyConvertExtern(2.5);
  const fbase = callable(FBASE);
  const fsub = callable(FSUB);
  const fother = callable(FOTHER);

  // [value, heap type, expected] for non-null targets; the hierarchies as the spec draws them.
  const anyCases: [string, unknown, HeapType, boolean][] = [
    ['struct is any', s0, 'any', true],
    ['struct is eq', s0, 'eq', true],
    ['struct is struct', s0, 'struct', true],
    ['struct is not array', s0, 'array', false],
    ['struct is not i31', s0, 'i31', false],
    ['struct is not none', s0, 'none', false],
    ['array is eq', arr, 'eq', true],
    ['array is array', arr, 'array', true],
    ['array is not struct', arr, 'struct', false],
    ['i31 is any', i31, 'any', true],
    ['i31 is eq', i31, 'eq', true],
    ['i31 is i31', i31, 'i31', true],
    ['i31 is not struct', i31, 'struct', false],
    ['i31 is not array', i31, 'array', false],
    ['host is any only', host, 'any', true],
    ['host is not eq', host, 'eq', false],
    ['host is not none', host, 'none', false],
    ['non-i31 host number is not i31', hostNum, 'i31', false],
    ['non-i31 host number is not eq', hostNum, 'eq', false],
    ['non-i31 host number is any', hostNum, 'any', true],
    ['derived is base', s1, BASE, true],
    ['sibling subtype is base', sib, BASE, true],
    ['base is not derived', s0, DERIVED, false],
    ['sibling is not derived', sib, DERIVED, false],
    ['final type is not the open lookalike', fin, BASE, false],
    ['base is not the final lookalike', s0, FINAL, false],
    ['struct is not an array type', s0, A8, false],
    ['array type is exact', arr, A8, true],
    ['i8 array is not i16 array', arr, A16, false],
    ['i31 is not a concrete type', i31, BASE, false],
    ['host is not a concrete type', host, BASE, false],
  ];
  test.each(anyCases)('%s', (_name, v, heap, expected) => {
    expect(refTest(v, heap, false)).toBe(expected);
    expect(refTest(v, heap, true)).toBe(expected);
    expect(refTestFn(heap, false)(v)).toBe(expected);
    expect(refTestFn(heap, true)(v)).toBe(expected);
    if (expected) expect(refCast(v, heap, false)).toBe(v);
    else expect(trapOf(() => refCast(v, heap, true))).toBe(CAST_FAILURE);
  });

  const funcCases: [string, unknown, HeapType, boolean][] = [
    ['func is func', fbase, 'func', true],
    ['func is not nofunc', fbase, 'nofunc', false],
    ['func type is itself', fbase, FBASE, true],
    ['declared subtype is its supertype', fsub, FBASE, true],
    ['supertype is not the subtype', fbase, FSUB, false],
    ['unrelated func type', fother, FBASE, false],
    ['func is not a struct type', fbase, BASE, false],
  ];
  test.each(funcCases)('%s', (_name, v, heap, expected) => {
    expect(refTest(v, heap, false)).toBe(expected);
    expect(refTestFn(heap, false)(v)).toBe(expected);
  });

  test('host funcs (Func.fromHost) and translated callables carry their ids', () => {
    const f = Func.fromHost(null, { kind: 'func', params: [], results: [ref(true, 'any')] }, () => null);
    // Host function types are final; the open $fbase with the same signature is another type.
    const [finalFunc] = canonicalize([sub(func([], [ref(true, 'any')]), [], true)]);
    expect(refTest(f.callable, finalFunc, false)).toBe(true);
    expect(refTest(f.callable, FBASE, false)).toBe(false);
    expect(refKind(f.callable)).toBe('func');
    expect(refKind(f)).toBe('func');
  });

  test('extern and exn hierarchies', () => {
    const exn = new WasmException(new Tag({ kind: 'func', params: [], results: [] }, FOTHER), []);
    expect(refTest({}, 'extern', false)).toBe(true);
    expect(refTest(undefined, 'extern', false)).toBe(true); // undefined is a value, not null
    expect(refTest({}, 'noextern', false)).toBe(false);
    expect(refTest(exn, 'exn', false)).toBe(true);
    expect(refTest(exn, 'noexn', false)).toBe(false);
    expect(refTestFn('extern', false)(undefined)).toBe(true);
    expect(refTestFn('noexn', true)(exn)).toBe(false);
  });

  test('null matches exactly the nullable targets', () => {
    const heaps: HeapType[] = [
      'any',
      'eq',
      'i31',
      'struct',
      'array',
      'none',
      'func',
      'nofunc',
      'extern',
      'noextern',
      'exn',
      'noexn',
      BASE,
      A8,
      FBASE,
    ];
    for (const h of heaps) {
      expect(refTest(null, h, true)).toBe(true);
      expect(refTest(null, h, false)).toBe(false);
      expect(refTestFn(h, true)(null)).toBe(true);
      expect(refTestFn(h, false)(null)).toBe(false);
      expect(refCast(null, h, true)).toBeNull();
      expect(trapOf(() => refCast(null, h, false))).toBe(CAST_FAILURE);
    }
  });

  test('ref.eq: identity for objects, value for i31, null equals null', () => {
    expect(refEq(s0, s0)).toBe(1);
    expect(refEq(s0, structNew(BASE, 1))).toBe(0);
    expect(refEq(refI31(5), refI31(5 + 0x80000000))).toBe(1);
    expect(refEq(refI31(5), refI31(6))).toBe(0);
    expect(refEq(null, null)).toBe(1);
    expect(refEq(null, s0)).toBe(0);
    expect(refEq(arr, arr)).toBe(1);
  });
});

// ---------------------------------------------------------------- classification

describe('refKind', () => {
  test('classifies every representation', () => {
    expect(refKind(null)).toBe('null');
    expect(refKind(structNew(BASE, 1))).toBe('struct');
    expect(refKind(arrayNew(A8, K, 0, 0))).toBe('array');
    expect(refKind(refI31(-7))).toBe('i31');
    expect(refKind(callable(FBASE))).toBe('func');
    expect(refKind(anyConvertExtern('s'))).toBe('extern');
    expect(refKind(-0x40000001)).toBe('extern');
    expect(refKind(new WasmException(new Tag({ kind: 'func', params: [], results: [] }, FOTHER), []))).toBe('exn');
    expect(refKind({})).toBe('extern');
    expect(refKind(undefined)).toBe('extern');
    expect(refKind(1.5)).toBe('extern');
    expect(refKind(() => 0)).toBe('extern');
  });
});

// ---------------------------------------------------------------- the kind argument

describe('the kind argument generated code passes is not what decides the storage', () => {
  test('arrayNew / arrayFixed / arrayNewData / arrayInitData with the kind generated code names', () => {
    expect(Array.from(arrayNew(A8, 'i8', 0x1ff, 2).e)).toEqual([-1, -1]);
    expect(Array.from(arrayFixed(A16, 'i16', 1, 0x18000).e)).toEqual([1, -32768]);
    const bytes = Uint8Array.of(1, 2, 3, 4);
    expect(Array.from(arrayNewData(A16, 'i16', bytes, 2, 1).e)).toEqual([0x0403]);
    expect(trapOf(() => arrayNewData(A16, 'i16', bytes, 2, 2))).toBe('out of bounds memory access');
    const a = arrayNewDefault(A8, 3);
    arrayInitData(a, 'i8', bytes, 1, 2, 2);
    expect(Array.from(a.e)).toEqual([0, 3, 4]);
    expect(trapOf(() => arrayInitData(a, 'i8', bytes, 2, 0, 2))).toBe('out of bounds array access');
    const f = arrayNew(AF64, 'f64', SNAN64, 1);
    expect(f64ToBits(arrayGet(f, 0) as number)).toBe(0x7ff0000000012345n);
  });

  test('type helpers', () => {
    expect(elemKind('i8')).toBe('i8');
    expect(elemKind(ref(true, 'any'))).toBe('ref');
    expect(defaultOf('i64')).toBe(0n);
    expect(defaultOf(ref(true, 'any'))).toBeNull();
    expect(defaultOf('f32')).toBe(0);
    expect(Array.from(defaultOf('v128') as Int32Array)).toEqual([0, 0, 0, 0]);
    expect(canonicalSubType(A8).comp.kind).toBe('array');
  });
});

describe('custom descriptors', () => {
  // One rec group: $s (descriptor $d), $d (describes $s), $s2 a subtype of $s with $d2.
  const dsub = (st: SubType, extra: { describes?: number; descriptor?: number }): SubType => ({ ...st, ...extra });
  const [S, D, S2, D2] = canonicalize(
    [
      /* 0 $s  */ dsub(sub(struct(mut('i32'))), { descriptor: 1 }),
      /* 1 $d  */ dsub(sub(struct()), { describes: 0 }),
      /* 2 $s2 */ dsub(sub(struct(mut('i32')), [0]), { descriptor: 3 }),
      /* 3 $d2 */ dsub(sub(struct(), [1]), { describes: 2 }),
    ],
    [[0, 4]],
  );

  test('the registry records both clauses', () => {
    expect(typeRegistry.info(S).descriptor).toBe(D);
    expect(typeRegistry.info(D).describes).toBe(S);
    expect(typeRegistry.info(S2).descriptor).toBe(D2);
    expect(typeRegistry.info(D).descriptor).toBe(-1);
  });

  test('described structs carry their descriptor; a null one traps', () => {
    const d = structNewDefault(D);
    const s = structLayout(S).create(7, d);
    expect(s.f0).toBe(7);
    expect(refGetDesc(s)).toBe(d);
    expect(refGetDesc(structNew(S, 1, d))).toBe(d);
    expect(refGetDesc(structLayout(S).createDefault(d))).toBe(d);
    expect(() => structLayout(S).create(1, null)).toThrow('null descriptor reference');
    expect(() => structLayout(S).createDefault(null)).toThrow('null descriptor reference');
    expect(() => refGetDesc(null)).toThrow('null reference');
    // Types without a descriptor keep their layout: no $d.
    expect('$d' in structLayout(D).createDefault()).toBe(false);
  });

  test('descriptor casts compare descriptors by identity', () => {
    const d1 = structNewDefault(D);
    const d2 = structNewDefault(D);
    const s = structLayout(S).create(0, d1);
    expect(refTestDescEq(s, d1, false)).toBe(true);
    expect(refTestDescEq(s, d2, false)).toBe(false);
    expect(refTestDescEq(null, d1, true)).toBe(true);
    expect(refTestDescEq(null, d1, false)).toBe(false);
    expect(refTestDescEq(5, d1, false)).toBe(false);
    expect(() => refTestDescEq(s, null, true)).toThrow('null descriptor reference');
    expect(refCastDescEq(s, d1, false)).toBe(s);
    expect(() => refCastDescEq(s, d2, false)).toThrow('descriptor cast failure');
    expect(() => refCastDescEq(null, d1, false)).toThrow('descriptor cast failure');
    expect(refCastDescEq(null, d1, true)).toBe(null);
  });

  test('exact casts accept the type itself, not its subtypes', () => {
    const s = structLayout(S).create(0, structNewDefault(D));
    const s2 = structLayout(S2).create(0, structNewDefault(D2));
    const exact = refTestExactFn(S, false);
    expect(exact(s)).toBe(true);
    expect(exact(s2)).toBe(false);
    expect(exact(null)).toBe(false);
    expect(refTestExactFn(S, true)(null)).toBe(true);
    expect(refTestFn(S, false)(s2)).toBe(true);
    expect(refCastBy(s, exact)).toBe(s);
    expect(() => refCastBy(s2, exact)).toThrow(CAST_FAILURE);
  });
});
