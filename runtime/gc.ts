// GC objects and reference casts, as generated code and constant expressions use them.
//
// Representations: a struct is a WasmStruct (canonical type id + fields in an array with
// generic elements, so f64 NaN payloads survive); an array is a WasmArray whose elements are
// a typed array for numeric and packed element types (bit-exact, wraps packed stores) or a
// generic array for v128 and references; an i31 is a JS number in [-2^30, 2^30); an
// externalized internal reference (extern.convert_any of a struct, array or i31) is an
// ExternBox, unwrapped again by any.convert_extern. Host values pass both ways unchanged.

import { typeRegistry } from '../compiler/validate';
import type { StorageType, SubType } from '../compiler/ir';
import { RuntimeError, WasmException } from './errors';
import { TY, genericArray } from './objects';
import { f32FromBits } from './values';

export class WasmStruct {
  constructor(readonly t: number, readonly f: unknown[]) {}
}
export class WasmArray {
  constructor(readonly t: number, readonly e: ArrayLike<unknown> & { [i: number]: unknown; length: number; fill?: unknown }) {}
}
export class ExternBox {
  constructor(readonly v: unknown) {}
}

function trap(msg: string): never {
  throw new RuntimeError(msg);
}

/** Element storage kinds of arrays. */
export type ElemKind = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'ref';

export function elemKind(t: StorageType): ElemKind {
  return typeof t === 'object' ? 'ref' : t;
}
const ELEM_SIZE: Record<ElemKind, number> = { i8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8, v128: 16, ref: 0 };
const MAX_ARRAY_LENGTH = 1 << 27;

function newStorage(kind: ElemKind, n: number): WasmArray['e'] {
  if (n > MAX_ARRAY_LENGTH) trap('out of memory');
  switch (kind) {
    case 'i8': return new Int8Array(n);
    case 'i16': return new Int16Array(n);
    case 'i32': return new Int32Array(n);
    case 'i64': return new BigInt64Array(n);
    case 'f32': case 'f64': return new Float64Array(n);
    default: return genericArray(n);
  }
}

export function structNew(t: number, ...fields: unknown[]): WasmStruct {
  const f = genericArray(fields.length);
  for (let i = 0; i < fields.length; i++) f[i] = fields[i];
  return new WasmStruct(t, f);
}

export function arrayNew(t: number, kind: ElemKind, init: unknown, n: number): WasmArray {
  const e = newStorage(kind, n);
  for (let i = 0; i < n; i++) e[i] = init;
  return new WasmArray(t, e);
}

export function arrayFixed(t: number, kind: ElemKind, ...vals: unknown[]): WasmArray {
  const e = newStorage(kind, vals.length);
  for (let i = 0; i < vals.length; i++) e[i] = vals[i];
  return new WasmArray(t, e);
}

function readData(kind: ElemKind, data: Uint8Array, off: number): unknown {
  const dv = new DataView(data.buffer, data.byteOffset + off, ELEM_SIZE[kind]);
  switch (kind) {
    case 'i8': return dv.getInt8(0);
    case 'i16': return dv.getInt16(0, true);
    case 'i32': return dv.getInt32(0, true);
    case 'i64': return dv.getBigInt64(0, true);
    case 'f32': return f32FromBits(dv.getInt32(0, true));
    case 'f64': return dv.getFloat64(0, true);
    case 'v128': return new Int32Array([dv.getInt32(0, true), dv.getInt32(4, true), dv.getInt32(8, true), dv.getInt32(12, true)]);
    default: throw new Error('reference arrays have no data');
  }
}

export function arrayNewData(t: number, kind: ElemKind, data: Uint8Array, s: number, n: number): WasmArray {
  const z = ELEM_SIZE[kind];
  if (s + n * z > data.length) trap('out of bounds memory access');
  const e = newStorage(kind, n);
  for (let i = 0; i < n; i++) e[i] = readData(kind, data, s + i * z);
  return new WasmArray(t, e);
}

export function arrayNewElem(t: number, seg: unknown[], s: number, n: number): WasmArray {
  if (s + n > seg.length) trap('out of bounds table access');
  const e = genericArray(n);
  for (let i = 0; i < n; i++) e[i] = seg[s + i];
  return new WasmArray(t, e);
}

function arr(a: unknown): WasmArray {
  if (a === null) trap('null array reference');
  return a as WasmArray;
}

export function arrayGet(a: unknown, i: number): unknown {
  const e = arr(a).e;
  if (i >= e.length) trap('out of bounds array access');
  return e[i];
}
export function arraySet(a: unknown, i: number, v: unknown): void {
  const e = arr(a).e;
  if (i >= e.length) trap('out of bounds array access');
  e[i] = v;
}
export function arrayLen(a: unknown): number {
  return arr(a).e.length;
}
export function arrayFill(a: unknown, i: number, v: unknown, n: number): void {
  const e = arr(a).e;
  if (i + n > e.length) trap('out of bounds array access');
  for (let k = 0; k < n; k++) e[i + k] = v;
}
export function arrayCopy(d: unknown, di: number, s: unknown, si: number, n: number): void {
  const de = arr(d).e;
  const se = arr(s).e;
  if (di + n > de.length || si + n > se.length) trap('out of bounds array access');
  if (de === se && di > si) for (let k = n - 1; k >= 0; k--) de[di + k] = se[si + k];
  else for (let k = 0; k < n; k++) de[di + k] = se[si + k];
}
export function arrayInitData(a: unknown, kind: ElemKind, data: Uint8Array, d: number, s: number, n: number): void {
  const e = arr(a).e;
  if (d + n > e.length) trap('out of bounds array access');
  const z = ELEM_SIZE[kind];
  if (s + n * z > data.length) trap('out of bounds memory access');
  for (let i = 0; i < n; i++) e[d + i] = readData(kind, data, s + i * z);
}
export function arrayInitElem(a: unknown, seg: unknown[], d: number, s: number, n: number): void {
  const e = arr(a).e;
  if (d + n > e.length) trap('out of bounds array access');
  if (s + n > seg.length) trap('out of bounds table access');
  for (let i = 0; i < n; i++) e[d + i] = seg[s + i];
}

export function structRef(s: unknown): WasmStruct {
  if (s === null) trap('null structure reference');
  return s as WasmStruct;
}

export function i31(v: unknown): number {
  if (v === null) trap('null i31 reference');
  return v as number;
}

export function externalize(v: unknown): unknown {
  if (v === null) return null;
  if (v instanceof WasmStruct || v instanceof WasmArray || typeof v === 'number') return new ExternBox(v);
  return v;
}
export function internalize(v: unknown): unknown {
  return v instanceof ExternBox ? v.v : v;
}

/**
 * ref.test: does `v` belong to heap type `heap` (an abstract heap type name, or a canonical
 * type id), allowing null when `nullable`?
 */
export function refTest(v: unknown, heap: string | number, nullable: boolean): boolean {
  if (v === null) return nullable;
  if (typeof heap === 'number') {
    let id: number | undefined;
    if (v instanceof WasmStruct || v instanceof WasmArray) id = v.t;
    else if (typeof v === 'function') id = (v as { [TY]?: number })[TY];
    return id !== undefined && (id === heap || typeRegistry.isSubtype(id, heap));
  }
  switch (heap) {
    case 'any': return true;
    case 'eq': return typeof v === 'number' || v instanceof WasmStruct || v instanceof WasmArray;
    case 'i31': return typeof v === 'number';
    case 'struct': return v instanceof WasmStruct;
    case 'array': return v instanceof WasmArray;
    case 'func': return typeof v === 'function';
    case 'extern': return true;
    case 'exn': return v instanceof WasmException;
    default: return false; // none, nofunc, noextern, noexn: only null
  }
}

export function refCast(v: unknown, heap: string | number, nullable: boolean): unknown {
  if (!refTest(v, heap, nullable)) trap('cast failure');
  return v;
}

/** Default value of a storage type, internal representation. */
export function defaultOf(t: StorageType): unknown {
  switch (t) {
    case 'i32': case 'i8': case 'i16': case 'f32': case 'f64': return 0;
    case 'i64': return 0n;
    case 'v128': return new Int32Array(4);
    default: return null;
  }
}

export function canonicalSubType(id: number): SubType {
  return typeRegistry.get(id);
}
