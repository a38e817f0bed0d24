// WasmGC values and operations: structs, arrays, i31, extern/any conversion, casts.
//
// Representation (internal values, as generated code carries them):
//   - struct: an instance of a per-canonical-type subclass of WasmStruct. `$t` is the
//     canonical type id; a struct of a type with a descriptor clause (custom descriptors)
//     also has `$d`, its descriptor: another WasmStruct, set at allocation and never null
//     nor changed; field i is the own property `f<i>` (named properties, never integer
//     keys: integer keys live in an elements store that V8 may keep as raw doubles, which
//     quiets signalling NaNs, while named fields keep every bit).
//     Field values: i32 int32; i8/i16 the sign-extended value (what Int8Array/Int16Array
//     hold); i64 bigint; f32 the carried number (runtime/vm/values.ts); f64 number; v128 an
//     immutable Int32Array(4); references as everywhere else.
//   - array: a WasmArray with `$t` and `e`, the element storage: Int8Array / Int16Array
//     (packed, sign-extended), Int32Array, BigInt64Array, Float64Array (f32 carried numbers
//     and f64), or a generic JS array (references, v128). Length is `e.length`.
//   - i31ref: a JS number, the sign-extended 31-bit value: an integer in [-2^30, 2^30).
//   - host values in the `any` hierarchy (any.convert_extern of anything that is not an
//     i31-range integer or a GC object) are the host values themselves, unwrapped. This is
//     unambiguous because every test below recognises i31s by value range and GC objects by
//     class, never by "typeof number" or "is an object" alone. So conversions preserve
//     identity in both directions and the API boundary needs no conversion for them.
//   - funcref: a callable carrying its canonical type id under TY (runtime/objects.ts);
//     exnref: the WasmException (runtime/errors.ts); null: null.
//
// Fast paths for generated code (the generic functions below are always correct):
//   - struct.new: `structLayout(id).create(a0, a1, ...)` is a per-type function (fetch it
//     once per module) that wraps i8/i16 fields and allocates in one step;
//     struct.new_default is `structLayout(id).createDefault()`.
//   - struct.get/set on a non-null struct: `s.f<i>`; packed get_u masks with 0xff / 0xffff;
//     packed set stores `v << 24 >> 24` / `v << 16 >> 16` (stored values stay sign-extended).
//   - array.get/set on a non-null array: `a.e[i]` after `(i >>> 0) < a.e.length`; packed
//     get_u masks as above; typed arrays wrap packed stores themselves.
//   - ref.test / ref.cast / br_on_cast*: `refTestFn(heap, nullable)` returns a predicate
//     specialised to one target type (fetch once per module).
//
// Invariants: every WasmStruct/WasmArray is created here, so `$t` always names a struct or
// array type of the process-wide typeRegistry of the matching kind; Wasm f32/f64 values are
// never stored in a plain JS array that could hold only numbers (V8 quiets signalling NaNs
// there), nor passed through spread arguments.

import type { HeapType, StorageType, SubType } from '../../compiler/ir';
import { typeRegistry, type TypeRegistry } from '../../types';
import { TRAP } from '../../vmctx/traps';
import { RuntimeError, WasmException } from '../errors';
import { Func, TY } from '../objects';
import { f32FromBits, f64FromWords } from './values';
import { NAN_CARRIERS } from '../../vmctx/nan';

function trap(msg: string): never {
  throw new RuntimeError(msg);
}

export const NULL_STRUCT = TRAP.nullStructReference;
export const NULL_ARRAY = TRAP.nullArrayReference;
export const NULL_I31 = TRAP.nullI31Reference;
export const OOB_ARRAY = TRAP.arrayOutOfBounds;
export const OOB_MEMORY = TRAP.memoryOutOfBounds;
export const OOB_TABLE = TRAP.tableOutOfBounds;
export const CAST_FAILURE = TRAP.castFailure;
export const NULL_DESCRIPTOR = TRAP.nullDescriptorReference;
export const DESCRIPTOR_CAST_FAILURE = TRAP.descriptorCastFailure;
/** Allocation limit for one array's storage, in bytes (references count 8). */
export const MAX_ARRAY_BYTES = 2 ** 31;
export const ARRAY_TOO_LARGE = TRAP.allocationTooLarge;

// ---------------------------------------------------------------- objects

/** Base of every GC object: `$t` is its canonical type id in typeRegistry. */
export class GcObject {
  constructor(readonly $t: number) {}
}

/** A struct; field i is the property `f<i>` (defined by the per-type subclass). */
export class WasmStruct extends GcObject {
  [field: string]: unknown;
}

export type ArrayStorage = Int8Array | Int16Array | Int32Array | BigInt64Array | Float64Array | unknown[];

export class WasmArray extends GcObject {
  constructor(
    $t: number,
    readonly e: ArrayStorage,
  ) {
    super($t);
  }
}

/** How a field or element is stored; decides packing, defaults and array storage. */
export enum StorageKind {
  I8,
  I16,
  I32,
  I64,
  F32,
  F64,
  V128,
  Ref,
}

export function storageKind(t: StorageType): StorageKind {
  switch (t) {
    case 'i8':
      return StorageKind.I8;
    case 'i16':
      return StorageKind.I16;
    case 'i32':
      return StorageKind.I32;
    case 'i64':
      return StorageKind.I64;
    case 'f32':
      return StorageKind.F32;
    case 'f64':
      return StorageKind.F64;
    case 'v128':
      return StorageKind.V128;
    default:
      return StorageKind.Ref;
  }
}

/** Bytes per element in a data segment (array.new_data / array.init_data). */
const BYTE_SIZE: readonly number[] = [1, 2, 4, 8, 4, 8, 16, 0];

/** The stored form of a value of kind `k`: packed kinds keep the low 8/16 bits, sign-extended. */
export function pack(k: StorageKind, v: unknown): unknown {
  if (k === StorageKind.I8) return ((v as number) << 24) >> 24;
  if (k === StorageKind.I16) return ((v as number) << 16) >> 16;
  return v;
}

/** The zero-extended (get_u) reading of a stored value of kind `k`. */
function unpackU(k: StorageKind, v: unknown): unknown {
  if (k === StorageKind.I8) return (v as number) & 0xff;
  if (k === StorageKind.I16) return (v as number) & 0xffff;
  return v;
}

const FIELD_NAMES: string[] = [];
/** The property name of struct field i. */
export function fieldName(i: number): string {
  for (let k = FIELD_NAMES.length; k <= i; k++) FIELD_NAMES.push(`f${k}`);
  return FIELD_NAMES[i];
}

// ---------------------------------------------------------------- layouts

export interface StructLayout {
  readonly typeId: number;
  readonly kinds: readonly StorageKind[];
  /**
   * Allocates a struct from one argument per field (packed fields are wrapped here); for a
   * type with a descriptor, the descriptor follows the fields (a null one traps).
   */
  readonly create: (...fields: unknown[]) => WasmStruct;
  /** Allocates a struct with every field at its default value (and the descriptor argument, if any). */
  readonly createDefault: (...desc: unknown[]) => WasmStruct;
  /** Whether the type has a descriptor clause: its structs carry `$d`. */
  readonly described: boolean;
}

export interface ArrayLayout {
  readonly typeId: number;
  readonly kind: StorageKind;
  /** Element storage of length n, every element at its default value; traps when too large. */
  readonly alloc: (n: number) => ArrayStorage;
}

const structLayouts: (StructLayout | undefined)[] = [];
const arrayLayouts: (ArrayLayout | undefined)[] = [];

/**
 * The layout of struct type `typeId`, built once per canonical id. `create` is a generated
 * function with one named parameter per field, so arguments reach the fields without an
 * intermediate array; each type gets its own subclass so V8 gives it its own object shape.
 */
export function structLayout(typeId: number): StructLayout {
  const cached = structLayouts[typeId];
  if (cached) return cached;
  const comp = typeRegistry.get(typeId).comp;
  if (comp.kind !== 'struct') throw new TypeError(`canonical type ${typeId} is not a struct type`);
  const kinds = comp.fields.map((f) => storageKind(f.type));
  const described = typeRegistry.info(typeId).descriptor >= 0;
  const fieldParams = kinds.map((_, i) => `a${i}`);
  // A described type's structs take their descriptor last; `$d` is assigned first so that
  // every struct of the type has the same property order.
  const params = described ? [...fieldParams, 'd'] : fieldParams;
  const assigns = kinds.map((k, i) => {
    const a = fieldParams[i];
    const v = k === StorageKind.I8 ? `((${a} << 24) >> 24)` : k === StorageKind.I16 ? `((${a} << 16) >> 16)` : a;
    return `this.${fieldName(i)} = ${v};`;
  });
  const defaults = kinds.map((k) =>
    k === StorageKind.I64 ? '0n' : k === StorageKind.V128 ? 'new Int32Array(4)' : k === StorageKind.Ref ? 'null' : '0',
  );
  // Only positional identifiers and our own literals appear in this source.
  const source = described
    ? [
        '"use strict";',
        `class S extends Base { constructor(${params.join(', ')}) { super(${typeId | 0}); this.$d = d; ${assigns.join(' ')} } }`,
        `return [S, function (${params.join(', ')}) { if (d === null) nullDesc(); return new S(${params.join(', ')}); },`,
        `        function (d) { if (d === null) nullDesc(); return new S(${[...defaults, 'd'].join(', ')}); }];`,
      ].join('\n')
    : [
        '"use strict";',
        `class S extends Base { constructor(${params.join(', ')}) { super(${typeId | 0}); ${assigns.join(' ')} } }`,
        `return [S, function (${params.join(', ')}) { return new S(${params.join(', ')}); },`,
        `        function () { return new S(${defaults.join(', ')}); }];`,
      ].join('\n');
  const [ctor, create, createDefault] = new Function('Base', 'nullDesc', source)(WasmStruct, nullDescriptor) as [
    { prototype: object },
    StructLayout['create'],
    StructLayout['createDefault'],
  ];
  defineIndexedFieldAccess(ctor.prototype, kinds);
  const layout: StructLayout = { typeId, kinds, create, createDefault, described };
  structLayouts[typeId] = layout;
  return layout;
}

/**
 * Transitional: lets code written against the earlier representation (fields in an array
 * `s.f`) keep working: `s.f` is the struct itself and `s.f[i]` an accessor for `s.f<i>` that
 * wraps packed stores. Accessors pass values as arguments and named fields, so NaN bits
 * survive. New code uses `s.f<i>` directly.
 */
function defineIndexedFieldAccess(proto: object, kinds: readonly StorageKind[]): void {
  Object.defineProperty(proto, 'f', {
    get(this: WasmStruct) {
      return this;
    },
  });
  kinds.forEach((k, i) => {
    const name = fieldName(i);
    Object.defineProperty(proto, String(i), {
      get(this: WasmStruct) {
        return this[name];
      },
      set(this: WasmStruct, v: unknown) {
        this[name] = pack(k, v);
      },
    });
  });
}

function allocStorage(kind: StorageKind, n: number): ArrayStorage {
  if (n * (kind === StorageKind.Ref || kind === StorageKind.V128 ? 8 : BYTE_SIZE[kind]) > MAX_ARRAY_BYTES)
    trap(ARRAY_TOO_LARGE);
  switch (kind) {
    case StorageKind.I8:
      return new Int8Array(n);
    case StorageKind.I16:
      return new Int16Array(n);
    case StorageKind.I32:
      return new Int32Array(n);
    case StorageKind.I64:
      return new BigInt64Array(n);
    // Where NaNs need carriers (vmctx/nan.ts) a Float64Array cannot hold them: a generic array.
    case StorageKind.F32:
    case StorageKind.F64:
      return NAN_CARRIERS ? new Array<number>(n).fill(0) : new Float64Array(n);
    // v128 values are immutable, so every element may share one zero vector.
    case StorageKind.V128:
      return new Array<unknown>(n).fill(new Int32Array(4));
    default:
      return new Array<unknown>(n).fill(null);
  }
}

/** The layout of array type `typeId`, built once per canonical id. */
export function arrayLayout(typeId: number): ArrayLayout {
  const cached = arrayLayouts[typeId];
  if (cached) return cached;
  const comp = typeRegistry.get(typeId).comp;
  if (comp.kind !== 'array') throw new TypeError(`canonical type ${typeId} is not an array type`);
  const kind = storageKind(comp.field.type);
  const layout: ArrayLayout = { typeId, kind, alloc: (n) => allocStorage(kind, n) };
  arrayLayouts[typeId] = layout;
  return layout;
}

// ---------------------------------------------------------------- structs

function nullDescriptor(): never {
  trap(NULL_DESCRIPTOR);
}

/**
 * struct.new: one value per field, in field order, then the descriptor for a type with one
 * (struct.new_desc) (generic path; see structLayout).
 */
export function structNew(typeId: number, ...fields: unknown[]): WasmStruct {
  const layout = structLayout(typeId);
  const s = layout.described ? layout.createDefault(fields[layout.kinds.length]) : layout.createDefault();
  const kinds = layout.kinds;
  for (let i = 0; i < kinds.length; i++) s[fieldName(i)] = pack(kinds[i], fields[i]);
  return s;
}

/** struct.new_default. */
export function structNewDefault(typeId: number): WasmStruct {
  return structLayout(typeId).createDefault();
}

/** The struct itself, or the trap "null structure reference". */
export function structRef(s: unknown): WasmStruct {
  if (s === null) trap(NULL_STRUCT);
  return s as WasmStruct;
}

/** struct.get, struct.get_s (packed fields are stored sign-extended). */
export function structGet(s: WasmStruct | null, field: number): unknown {
  return structRef(s)[fieldName(field)];
}
export const structGetS = structGet;

/** struct.get_u: packed fields zero-extended. */
export function structGetU(s: WasmStruct | null, field: number): unknown {
  const o = structRef(s);
  return unpackU(structLayout(o.$t).kinds[field], o[fieldName(field)]);
}

/** struct.set (packed fields keep the low 8/16 bits). */
export function structSet(s: WasmStruct | null, field: number, v: unknown): void {
  const o = structRef(s);
  o[fieldName(field)] = pack(structLayout(o.$t).kinds[field], v);
}

// ---------------------------------------------------------------- arrays
//
// Lengths, indices and offsets are u32: int32 arguments are reinterpreted with `>>> 0`.

function arrayRef(a: unknown): WasmArray {
  if (a === null) trap(NULL_ARRAY);
  return a as WasmArray;
}

function newArray(typeId: number, v: unknown, n: number): WasmArray {
  const layout = arrayLayout(typeId);
  const e = layout.alloc(n >>> 0);
  fillStorage(layout.kind, e, pack(layout.kind, v), 0, e.length);
  return new WasmArray(typeId, e);
}

// The array allocators take the element kind the translator names after the type id
// (`_kind`); the type id alone decides the storage, so the kind is not read.

/** array.new: `(typeId, kind, v, n)`, n copies of v. */
export function arrayNew(typeId: number, _kind: unknown, v: unknown, n: number): WasmArray {
  return newArray(typeId, v, n);
}

/** array.new_default. */
export function arrayNewDefault(typeId: number, n: number): WasmArray {
  return new WasmArray(typeId, arrayLayout(typeId).alloc(n >>> 0));
}

/** array.new_fixed: `(typeId, kind, ...values)`, the elements in order. */
export function arrayFixed(typeId: number, _kind: unknown, ...values: unknown[]): WasmArray {
  return fromValues(typeId, values);
}

function fromValues(typeId: number, values: readonly unknown[]): WasmArray {
  const e = arrayLayout(typeId).alloc(values.length) as unknown[];
  // Element-wise stores: typed arrays wrap packed values, and nothing reads the values as a
  // block of raw doubles.
  for (let i = 0; i < values.length; i++) e[i] = values[i];
  return new WasmArray(typeId, e);
}

/** Decodes `n` little-endian elements of kind `k` from bytes[s..] into e[d..]. Bounds already checked. */
function readData(k: StorageKind, e: ArrayStorage, d: number, bytes: Uint8Array, s: number, n: number): void {
  if (n === 0) return;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (k) {
    case StorageKind.I8:
      for (let i = 0; i < n; i++) e[d + i] = dv.getInt8(s + i);
      break;
    case StorageKind.I16:
      for (let i = 0; i < n; i++) e[d + i] = dv.getInt16(s + 2 * i, true);
      break;
    case StorageKind.I32:
      for (let i = 0; i < n; i++) e[d + i] = dv.getInt32(s + 4 * i, true);
      break;
    case StorageKind.I64:
      for (let i = 0; i < n; i++) e[d + i] = dv.getBigInt64(s + 8 * i, true);
      break;
    case StorageKind.F32:
      for (let i = 0; i < n; i++) e[d + i] = f32FromBits(dv.getUint32(s + 4 * i, true));
      break;
    case StorageKind.F64: {
      if (!(e instanceof Float64Array)) {
        for (let i = 0; i < n; i++)
          e[d + i] = f64FromWords(dv.getInt32(s + 8 * i, true), dv.getInt32(s + 8 * i + 4, true));
        break;
      }
      // A byte copy into the Float64Array: the bits never pass through a JS number.
      const f = e as Float64Array;
      new Uint8Array(f.buffer, f.byteOffset + d * 8, n * 8).set(bytes.subarray(s, s + n * 8));
      break;
    }
    case StorageKind.V128:
      for (let i = 0; i < n; i++) {
        const v = new Int32Array(4);
        for (let l = 0; l < 4; l++) v[l] = dv.getInt32(s + 16 * i + 4 * l, true);
        e[d + i] = v;
      }
      break;
    default:
      throw new TypeError('reference arrays have no data segments');
  }
}

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_ELEMS: readonly unknown[] = [];

function newArrayData(typeId: number, bytes: Uint8Array | null, offset: number, length: number): WasmArray {
  const layout = arrayLayout(typeId);
  const s = offset >>> 0;
  const n = length >>> 0;
  const data = bytes ?? EMPTY_BYTES;
  if (s + n * BYTE_SIZE[layout.kind] > data.length) trap(OOB_MEMORY);
  const e = layout.alloc(n);
  readData(layout.kind, e, 0, data, s, n);
  return new WasmArray(typeId, e);
}

/**
 * array.new_data: `(typeId, kind, bytes, offset, length)`; `bytes` is the segment's current
 * contents (null = dropped = empty).
 */
export function arrayNewData(
  typeId: number,
  _kind: unknown,
  bytes: Uint8Array | null,
  offset: number,
  length: number,
): WasmArray {
  return newArrayData(typeId, bytes, offset, length);
}

/** array.new_elem: `elems` is the segment's current contents (null = dropped = empty). */
export function arrayNewElem(
  typeId: number,
  elems: readonly unknown[] | null,
  offset: number,
  length: number,
): WasmArray {
  const layout = arrayLayout(typeId);
  const s = offset >>> 0;
  const n = length >>> 0;
  const seg = elems ?? EMPTY_ELEMS;
  if (s + n > seg.length) trap(OOB_TABLE);
  const e = layout.alloc(n) as unknown[];
  for (let i = 0; i < n; i++) e[i] = seg[s + i];
  return new WasmArray(typeId, e);
}

/** array.get, array.get_s. */
export function arrayGet(a: WasmArray | null, i: number): unknown {
  const e = arrayRef(a).e;
  i >>>= 0;
  if (i >= e.length) trap(OOB_ARRAY);
  return e[i];
}
export const arrayGetS = arrayGet;

/** array.get_u: packed elements zero-extended. */
export function arrayGetU(a: WasmArray | null, i: number): unknown {
  const e = arrayRef(a).e;
  i >>>= 0;
  if (i >= e.length) trap(OOB_ARRAY);
  if (e instanceof Int8Array) return e[i] & 0xff;
  if (e instanceof Int16Array) return e[i] & 0xffff;
  return e[i];
}

/** array.set (typed-array stores wrap packed values). */
export function arraySet(a: WasmArray | null, i: number, v: unknown): void {
  const e = arrayRef(a).e;
  i >>>= 0;
  if (i >= e.length) trap(OOB_ARRAY);
  (e as unknown[])[i] = v;
}

/** array.len. */
export function arrayLen(a: WasmArray | null): number {
  return arrayRef(a).e.length;
}

function fillStorage(k: StorageKind, e: ArrayStorage, v: unknown, d: number, n: number): void {
  if (k === StorageKind.F32 || k === StorageKind.F64) {
    // Element-wise: the stored bits must not depend on how the engine moves the value.
    const f = e as Float64Array;
    for (let i = 0; i < n; i++) f[d + i] = v as number;
    return;
  }
  (e as unknown[]).fill(v, d, d + n);
}

/** array.fill. */
export function arrayFill(a: WasmArray | null, d: number, v: unknown, n: number): void {
  const arr = arrayRef(a);
  d >>>= 0;
  n >>>= 0;
  if (d + n > arr.e.length) trap(OOB_ARRAY);
  const kind = arrayLayout(arr.$t).kind;
  fillStorage(kind, arr.e, pack(kind, v), d, n);
}

/** array.copy: overlap-safe (memmove semantics when dst and src are the same array). */
export function arrayCopy(dst: WasmArray | null, d: number, src: WasmArray | null, s: number, n: number): void {
  const de = arrayRef(dst).e;
  const se = arrayRef(src).e;
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  if (d + n > de.length || s + n > se.length) trap(OOB_ARRAY);
  if (n === 0) return;
  if (Array.isArray(de)) {
    const from = se as unknown[];
    if (de === from && d > s) for (let i = n - 1; i >= 0; i--) de[d + i] = from[s + i];
    else for (let i = 0; i < n; i++) de[d + i] = from[s + i];
    return;
  }
  // Validation makes the element types equal, so this is a byte copy; `set` handles overlap.
  (de as Int32Array).set((se as Int32Array).subarray(s, s + n), d);
}

function initData(a: WasmArray | null, d: number, bytes: Uint8Array | null, s: number, n: number): void {
  const arr = arrayRef(a);
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  const data = bytes ?? EMPTY_BYTES;
  const kind = arrayLayout(arr.$t).kind;
  if (d + n > arr.e.length) trap(OOB_ARRAY);
  if (s + n * BYTE_SIZE[kind] > data.length) trap(OOB_MEMORY);
  readData(kind, arr.e, d, data, s, n);
}

/**
 * array.init_data: `(array, kind, bytes, d, s, n)` (the order of memInit/tableInit); checks
 * the array range, then the segment range, as the spec orders them.
 */
export function arrayInitData(
  a: WasmArray | null,
  _kind: unknown,
  bytes: Uint8Array | null,
  d: number,
  s: number,
  n: number,
): void {
  initData(a, d, bytes, s, n);
}

/** array.init_elem: `(array, elems, d, s, n)`; checks the array range, then the segment range. */
export function arrayInitElem(
  a: WasmArray | null,
  elems: readonly unknown[] | null,
  d: number,
  s: number,
  n: number,
): void {
  const arr = arrayRef(a);
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  const seg = elems ?? EMPTY_ELEMS;
  if (d + n > arr.e.length) trap(OOB_ARRAY);
  if (s + n > seg.length) trap(OOB_TABLE);
  const e = arr.e as unknown[];
  for (let i = 0; i < n; i++) e[d + i] = seg[s + i];
}

// ---------------------------------------------------------------- i31

const I31_MIN = -0x40000000;
const I31_MAX = 0x3fffffff;

/** ref.i31: keeps the low 31 bits, sign-extended from bit 30. */
export function refI31(x: number): number {
  return (x << 1) >> 1;
}

/**
 * The i31 itself (i31.get_s), or the trap "null i31 reference". `| 0` maps a host -0 that
 * reached an i31 position unconverted to the i32 0.
 */
export function i31(v: unknown): number {
  if (v === null) trap(NULL_I31);
  return (v as number) | 0;
}

/** i31.get_s. */
export function i31GetS(v: number | null): number {
  return i31(v);
}

/** i31.get_u. */
export function i31GetU(v: number | null): number {
  return i31(v) & 0x7fffffff;
}

/** True for a number that is an i31 value (an integer in [-2^30, 2^30); -0 counts as 0). */
export function isI31(v: unknown): v is number {
  return typeof v === 'number' && (v | 0) === v && v >= I31_MIN && v <= I31_MAX;
}

// ---------------------------------------------------------------- extern <-> any

/**
 * any.convert_extern. An integer number in i31 range is that i31 (as the JS API's
 * ToWebAssemblyValue for anyref says; -0 becomes 0); everything else, GC objects previously
 * externalised and host values alike, is its own internal form.
 */
export function anyConvertExtern(v: unknown): unknown {
  return isI31(v) ? v | 0 : v;
}

/** extern.convert_any: every internal reference is its own external form. */
export function externConvertAny(v: unknown): unknown {
  return v;
}

/** Transitional names of the conversions. */
export const internalize = anyConvertExtern;
export const externalize = externConvertAny;

// ---------------------------------------------------------------- casts

function canonicalFuncId(v: unknown): number | undefined {
  return typeof v === 'function' ? (v as { [TY]?: number })[TY] : undefined;
}

/**
 * ref.test for a target type `(ref null? heap)` whose concrete heap types are canonical ids.
 * `v` is a validated operand, so it already belongs to the target's hierarchy; the top types
 * (any, func, extern, exn) therefore accept every non-null value, and the bottom types only
 * null.
 */
export function refTest(v: unknown, heap: HeapType, nullable: boolean, registry: TypeRegistry = typeRegistry): boolean {
  if (v === null) return nullable;
  if (typeof heap === 'number') {
    if (v instanceof GcObject) return registry.isSubtype(v.$t, heap);
    const f = canonicalFuncId(v);
    return f !== undefined && registry.isSubtype(f, heap);
  }
  switch (heap) {
    case 'any':
    case 'func':
    case 'extern':
    case 'exn':
      return true;
    case 'eq':
      return v instanceof GcObject || isI31(v);
    case 'i31':
      return isI31(v);
    case 'struct':
      return v instanceof WasmStruct;
    case 'array':
      return v instanceof WasmArray;
    default:
      return false; // none, nofunc, noextern, noexn
  }
}

/** ref.cast: the value itself, or the trap "cast failure". */
export function refCast<T>(v: T, heap: HeapType, nullable: boolean, registry: TypeRegistry = typeRegistry): T {
  if (!refTest(v, heap, nullable, registry)) trap(CAST_FAILURE);
  return v;
}

export type RefPredicate = (v: unknown) => boolean;

/**
 * A ref.test predicate specialised to one target type, for generated code: br_on_cast
 * branches when it holds, br_on_cast_fail when it does not, ref.cast traps when it does not.
 */
export function refTestFn(heap: HeapType, nullable: boolean, registry: TypeRegistry = typeRegistry): RefPredicate {
  if (typeof heap === 'number') {
    const id = heap;
    if (registry.get(id).comp.kind === 'func') {
      const test = (v: unknown): boolean => {
        const f = canonicalFuncId(v);
        return f !== undefined && registry.isSubtype(f, id);
      };
      return nullable ? (v) => v === null || test(v) : test;
    }
    return nullable
      ? (v) => v === null || (v instanceof GcObject && registry.isSubtype(v.$t, id))
      : (v) => v instanceof GcObject && registry.isSubtype(v.$t, id);
  }
  switch (heap) {
    case 'any':
    case 'func':
    case 'extern':
    case 'exn':
      return nullable ? () => true : (v) => v !== null;
    case 'eq':
      return nullable
        ? (v) => v === null || v instanceof GcObject || isI31(v)
        : (v) => v instanceof GcObject || isI31(v);
    case 'i31':
      return nullable ? (v) => v === null || isI31(v) : isI31;
    case 'struct':
      return nullable ? (v) => v === null || v instanceof WasmStruct : (v) => v instanceof WasmStruct;
    case 'array':
      return nullable ? (v) => v === null || v instanceof WasmArray : (v) => v instanceof WasmArray;
    default:
      return nullable ? (v) => v === null : () => false;
  }
}

/**
 * A ref.test predicate for an exact target type `(ref null? (exact typeId))`: only values
 * of that very type, not of its subtypes (custom descriptors).
 */
export function refTestExactFn(typeId: number, nullable: boolean): RefPredicate {
  const test =
    typeRegistry.get(typeId).comp.kind === 'func'
      ? (v: unknown): boolean => canonicalFuncId(v) === typeId
      : (v: unknown): boolean => v instanceof GcObject && v.$t === typeId;
  return nullable ? (v) => v === null || test(v) : test;
}

/** ref.cast through a predicate: the value itself, or the trap "cast failure". */
export function refCastBy<T>(v: T, test: RefPredicate): T {
  if (!test(v)) trap(CAST_FAILURE);
  return v;
}

/** ref.get_desc: the descriptor of a struct of a described type. */
export function refGetDesc(v: unknown): unknown {
  if (v === null) trap(TRAP.nullReference);
  return (v as WasmStruct).$d;
}

/**
 * br_on_cast_desc_eq(_fail)'s test: whether `v` is a struct whose descriptor is `desc` (a
 * null `v` passes iff the target is nullable). The descriptor is checked first: null traps.
 * Descriptors are identities, so equal descriptors mean the same (exact) type.
 */
export function refTestDescEq(v: unknown, desc: unknown, nullable: boolean): boolean {
  if (desc === null) trap(NULL_DESCRIPTOR);
  if (v === null) return nullable;
  return v instanceof WasmStruct && v.$d === desc;
}

/** ref.cast_desc_eq: the value itself, or the trap "descriptor cast failure". */
export function refCastDescEq<T>(v: T, desc: unknown, nullable: boolean): T {
  if (!refTestDescEq(v, desc, nullable)) trap(DESCRIPTOR_CAST_FAILURE);
  return v;
}

/** ref.eq as an i32: identity for GC objects and null, value equality for i31s. */
export function refEq(a: unknown, b: unknown): number {
  return a === b ? 1 : 0;
}

// ---------------------------------------------------------------- classification

export type RefKind = 'null' | 'func' | 'extern' | 'i31' | 'struct' | 'array' | 'exn' | 'host';

/**
 * Classifies a reference value, internal or API: null; GC objects; an i31-range integer is
 * 'i31'; a WasmException is 'exn'; a Func or a callable carrying a canonical type id is
 * 'func'; anything else is a host value, 'extern'. ('host' is never returned here:
 * runtime/index.ts reports its registered host references as 'host' before asking this.)
 */
export function refKind(v: unknown): RefKind {
  if (v === null) return 'null';
  if (v instanceof WasmStruct) return 'struct';
  if (v instanceof WasmArray) return 'array';
  if (isI31(v)) return 'i31';
  if (v instanceof WasmException) return 'exn';
  if (v instanceof Func || canonicalFuncId(v) !== undefined) return 'func';
  return 'extern';
}

// ---------------------------------------------------------------- type helpers

/** Transitional: the storage kind name of a storage type ('ref' for references). */
export type ElemKind = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'ref';
export function elemKind(t: StorageType): ElemKind {
  return typeof t === 'object' ? 'ref' : t;
}

/** Default value of a storage type, internal representation (v128: a fresh zero vector). */
export function defaultOf(t: StorageType): unknown {
  switch (t) {
    case 'i32':
    case 'i8':
    case 'i16':
    case 'f32':
    case 'f64':
      return 0;
    case 'i64':
      return 0n;
    case 'v128':
      return new Int32Array(4);
    default:
      return null;
  }
}

/** The canonical SubType of a canonical id (concrete heap types inside are canonical ids). */
export function canonicalSubType(id: number): SubType {
  return typeRegistry.get(id);
}
