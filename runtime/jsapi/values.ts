// The JS API's value conversions (ToWebAssemblyValue / ToJSValue), the WebIDL argument
// conversions the facade needs, exported-function objects and host functions.
// Conversions go JS value <-> API value (runtime/index.ts "WasmValue"); the API value <->
// internal representation step stays in runtime/objects.ts (toInternal / toApi, through
// Func.call and Func.fromHost), so the engine's representation is decided there.
//
// Invariants:
//   - one Wasm function has exactly one exported-function object (keyed by its callable),
//     so the same Wasm function reaching JS twice is the same JS function;
//   - an exported-function object maps back to its Func, which is how funcref values and
//     imports of exported functions find the Wasm function again;
//   - a GC object (struct or array) reaches JS as one opaque wrapper (an "Exported GC
//     Object": no properties, null prototype, not extensible), the same wrapper every time,
//     and the wrapper converts back to the object;
//   - a JS exception thrown by a host function crosses Wasm frames as an exception of
//     WebAssembly.JSTag carrying the thrown value, so Wasm can catch it; leaving Wasm it is
//     the thrown value again (errors.ts). Traps and the host's stack overflow are not
//     wrapped: Wasm never catches them.

import { NAN_CARRIERS } from '../../vmctx/nan';
import { isNaNBits } from '../vm/values';
import type { FuncType, RefType, ValType } from '../../compiler/ir';
import { matchFuncType, typeRegistry } from '../../compiler/validate';
import { Func, TY, type Callable } from '../objects';
import { GcObject, WasmArray, WasmStruct, internalize, externalize, isI31 } from '../vm/gc';
import { WasmException } from '../errors';
import { newException } from '../vm/exceptions';
import { fromEngineError, isUncatchable, jsTagHolder } from './errors';

// ---------------------------------------------------------------- ECMAScript / WebIDL helpers

type Primitive = string | number | bigint | boolean | symbol | null | undefined;

function isObject(v: unknown): v is object {
  return v !== null && (typeof v === 'object' || typeof v === 'function');
}

function toPrimitive(v: unknown, hint: 'number' | 'string'): Primitive {
  if (!isObject(v)) return v as Primitive;
  const o = v as Record<string | symbol, unknown>;
  const exotic = o[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== 'function') throw new TypeError('Symbol.toPrimitive is not a function');
    const r = (exotic as (h: string) => unknown).call(v, hint);
    if (isObject(r)) throw new TypeError('Cannot convert object to primitive value');
    return r as Primitive;
  }
  for (const key of hint === 'string' ? ['toString', 'valueOf'] : ['valueOf', 'toString']) {
    const m = o[key];
    if (typeof m === 'function') {
      const r = (m as () => unknown).call(v);
      if (!isObject(r)) return r as Primitive;
    }
  }
  throw new TypeError('Cannot convert object to primitive value');
}

/** ECMAScript ToNumber (throws TypeError for BigInt and Symbol, as the spec says). */
export function toNumber(v: unknown): number {
  return +(v as number);
}

/** ECMAScript ToBigInt: numbers are a TypeError, strings are parsed, booleans are 0n/1n. */
export function toBigInt(v: unknown): bigint {
  const p = toPrimitive(v, 'number');
  switch (typeof p) {
    case 'bigint':
      return p;
    case 'boolean':
      return p ? 1n : 0n;
    case 'string':
      try {
        return BigInt(p);
      } catch {
        throw new SyntaxError(`Cannot convert ${p} to a BigInt`);
      }
    default:
      throw new TypeError(`Cannot convert ${typeof p === 'symbol' ? 'a Symbol' : String(p)} to a BigInt`);
  }
}

/** WebIDL [EnforceRange] unsigned long: a TypeError for non-finite or out-of-range values. */
export function enforceRange(v: unknown, what: string): number {
  const n = toNumber(v);
  if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number`);
  const i = Math.trunc(n);
  if (i < 0 || i > 0xffff_ffff) throw new TypeError(`${what} is outside the range of an unsigned long`);
  return i + 0;
}

export type AddressType = 'i32' | 'i64';

/**
 * AddressValueToU64: [EnforceRange] unsigned long for "i32"; for "i64" a BigInt (ToBigInt)
 * in [0, 2^64). The result is a Number; above 2^53 it is rounded, which can only change which
 * RangeError a caller reports (no table or memory gets that large).
 */
export function addressValue(v: unknown, addr: AddressType, what: string): number {
  if (addr === 'i32') return enforceRange(v, what);
  const n = toBigInt(v);
  if (n < 0n || n >= 2n ** 64n) throw new TypeError(`${what} is outside the range of an i64 address`);
  return Number(n);
}

/** U64ToAddressValue: a Number for "i32", a BigInt for "i64". */
export function toAddressValue(n: number, addr: AddressType): number | bigint {
  return addr === 'i32' ? n : BigInt(n);
}

/** A WebIDL enumeration value: ToString, then one of `values` or a TypeError. */
export function enumValue<T extends string>(v: unknown, values: readonly T[], what: string): T {
  if (typeof v === 'symbol') throw new TypeError(`${what}: cannot convert a Symbol to a string`);
  const s = String(v);
  if (!(values as readonly string[]).includes(s))
    throw new TypeError(`${what}: ${JSON.stringify(s)} is not one of ${values.join(', ')}`);
  return s as T;
}

/**
 * A WebIDL dictionary argument: undefined and null read as an empty dictionary, other
 * non-objects are a TypeError.
 */
export function dictionary(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new TypeError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

/**
 * The values an iterator gives, as ECMAScript's IteratorToList of GetIteratorFromMethod:
 * `next` is read once, each step reads `done` and then `value`.
 */
function iteratorToList(obj: unknown, method: Function): unknown[] {
  const it = method.call(obj) as unknown;
  if (!isObject(it)) throw new TypeError('the iterator is not an object');
  const next = (it as { next: unknown }).next;
  if (typeof next !== 'function') throw new TypeError('the iterator has no next method');
  const out: unknown[] = [];
  for (;;) {
    const r = next.call(it) as unknown;
    if (!isObject(r)) throw new TypeError('an iterator result is not an object');
    if ((r as { done: unknown }).done) return out;
    out.push((r as { value: unknown }).value);
  }
}

/** WebIDL sequence<T> conversion (before converting the elements): an iterable object. */
export function sequence(v: unknown, what: string): unknown[] {
  if (!isObject(v)) throw new TypeError(`${what} must be an iterable object`);
  const method = (v as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof method !== 'function') throw new TypeError(`${what} must be an iterable object`);
  return iteratorToList(v, method);
}

const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const sabByteLength =
  typeof SharedArrayBuffer === 'function'
    ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength')!.get!
    : undefined;

/** The byte length of an ArrayBuffer or SharedArrayBuffer (of any realm), or -1 for anything else. */
function bufferByteLength(v: unknown): number {
  if (!isObject(v)) return -1;
  try {
    return abByteLength.call(v) as number;
  } catch {
    // not an ArrayBuffer
  }
  if (sabByteLength !== undefined) {
    try {
      return sabByteLength.call(v) as number;
    } catch {
      // not a SharedArrayBuffer
    }
  }
  return -1;
}

/**
 * The bytes of an [AllowResizable] AllowSharedBufferSource (an ArrayBuffer, a
 * SharedArrayBuffer, resizable or growable ones included, or a view of one), as a view;
 * a TypeError for anything else, ArrayBuffer.prototype included (it is no buffer). A
 * detached buffer holds no bytes. Callers copy the view before returning to script.
 */
export function bufferSourceView(v: unknown, what: string): Uint8Array {
  if (ArrayBuffer.isView(v)) {
    return v.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  const n = bufferByteLength(v);
  if (n < 0) throw new TypeError(`${what}: argument must be an ArrayBuffer, a SharedArrayBuffer or a view of one`);
  return n === 0 ? new Uint8Array(0) : new Uint8Array(v as ArrayBuffer, 0, n);
}

// ---------------------------------------------------------------- reference type classes

export enum RefHierarchy {
  Func,
  Extern,
  Any,
  Exn,
}

export function hierarchyOf(t: RefType): RefHierarchy {
  const h = t.heap;
  if (typeof h === 'number') return typeRegistry.get(h).comp.kind === 'func' ? RefHierarchy.Func : RefHierarchy.Any;
  switch (h) {
    case 'func':
    case 'nofunc':
      return RefHierarchy.Func;
    case 'extern':
    case 'noextern':
      return RefHierarchy.Extern;
    case 'exn':
    case 'noexn':
      return RefHierarchy.Exn;
    default:
      return RefHierarchy.Any;
  }
}

/** True for v128 and the exnref hierarchy: types with no JS value. */
export function hasNoJSValue(t: ValType): boolean {
  return t === 'v128' || (typeof t === 'object' && hierarchyOf(t) === RefHierarchy.Exn);
}

// ---------------------------------------------------------------- exported GC objects

const gcWrapperOf = new WeakMap<GcObject, object>();
const gcObjectOf = new WeakMap<object, GcObject>();

const refuse = (what: string) => (): never => {
  throw new TypeError(`WebAssembly GC objects are opaque: cannot ${what}`);
};
/** The behaviour of an Exported GC Object: no properties, no prototype, no changes. */
const gcHandler: ProxyHandler<object> = {
  get: () => undefined,
  set: refuse('set a property'),
  has: () => false,
  deleteProperty: refuse('delete a property'),
  defineProperty: refuse('define a property'),
  getOwnPropertyDescriptor: () => undefined,
  ownKeys: () => [],
  getPrototypeOf: () => null,
  setPrototypeOf: () => false,
  isExtensible: () => false,
  preventExtensions: () => false,
};
/** The target of every wrapper: what the handler reports must agree with it. */
const gcTarget = Object.preventExtensions(Object.create(null) as object);

/** A GC object's JS value (its one wrapper); every other value as it is. */
function wrapGc(v: unknown): unknown {
  if (!(v instanceof GcObject)) return v;
  let w = gcWrapperOf.get(v);
  if (w === undefined) {
    w = new Proxy(gcTarget, gcHandler);
    gcWrapperOf.set(v, w);
    gcObjectOf.set(w, v);
  }
  return w;
}

/** The GC object behind a wrapper; every other value as it is. */
function unwrapGc(v: unknown): unknown {
  return isObject(v) ? (gcObjectOf.get(v) ?? v) : v;
}

// ---------------------------------------------------------------- ToWebAssemblyValue / ToJSValue

const funcOfExported = new WeakMap<Function, Func>();
const exportedOfCallable = new WeakMap<Function, Function>();
/** Function indices known for callables (from the exports that revealed them). */
const indexOfCallable = new WeakMap<Function, number>();

/** The Func behind an exported-function object, or undefined for other values. */
export function funcOfExportedFunction(v: unknown): Func | undefined {
  return typeof v === 'function' ? funcOfExported.get(v) : undefined;
}

function anyRefOk(v: unknown, heap: RefType['heap'], exact?: boolean): boolean {
  // An exact type (custom descriptors) admits only objects of that very type.
  if (exact === true) return v instanceof GcObject && v.$t === heap;
  switch (heap) {
    case 'any':
      return true;
    case 'none':
      return false;
    case 'eq':
      return isI31(v) || v instanceof WasmStruct || v instanceof WasmArray;
    case 'i31':
      return isI31(v);
    case 'struct':
      return v instanceof WasmStruct;
    case 'array':
      return v instanceof WasmArray;
    default:
      return typeof heap === 'number' && v instanceof GcObject && typeRegistry.isSubtype(v.$t, heap);
  }
}

/** ToWebAssemblyValue: a JS value to the API value of type `t` (TypeError when impossible). */
export function toWebAssemblyValue(t: ValType, v: unknown): unknown {
  switch (t) {
    case 'i32':
      return toNumber(v) | 0;
    case 'i64':
      return BigInt.asIntN(64, toBigInt(v));
    case 'f32':
      return Math.fround(toNumber(v));
    case 'f64':
      return toNumber(v);
    case 'v128':
      throw new TypeError('type incompatibility when transforming from/to JS');
  }
  if (v === null) {
    if (!t.nullable)
      throw new TypeError('type incompatibility when transforming from/to JS: null for a non-nullable reference');
    return null;
  }
  switch (hierarchyOf(t)) {
    case RefHierarchy.Func: {
      const f = funcOfExportedFunction(v);
      if (!f || t.heap === 'nofunc')
        throw new TypeError('type incompatibility when transforming from/to JS: not an exported WebAssembly function');
      if (typeof t.heap === 'number' && !matchFuncType(f.typeId, t.heap, t.exact)) {
        throw new TypeError('type incompatibility when transforming from/to JS: function type mismatch');
      }
      return f;
    }
    case RefHierarchy.Extern:
      if (t.heap === 'noextern') throw new TypeError('type incompatibility when transforming from/to JS');
      return unwrapGc(v);
    case RefHierarchy.Exn:
      throw new TypeError('type incompatibility when transforming from/to JS: exnref');
    case RefHierarchy.Any: {
      const r = internalize(unwrapGc(v));
      if (!anyRefOk(r, t.heap, t.exact)) throw new TypeError('type incompatibility when transforming from/to JS');
      return r;
    }
  }
}

/** ToJSValue: an API value of type `t` to JS. */
export function toJSValue(t: ValType, v: unknown): unknown {
  switch (t) {
    case 'i32':
    case 'i64':
      return v;
    // A NaNBits carrier (runtime/vm/values.ts) becomes the Number NaN: JS cannot hold its bits.
    case 'f32':
    case 'f64':
      return typeof v === 'number' ? v : +(v as number);
    case 'v128':
      throw new TypeError('type incompatibility when transforming from/to JS');
  }
  if (v === null) return null;
  switch (hierarchyOf(t)) {
    case RefHierarchy.Func:
      return exportedFunction(v as Func);
    case RefHierarchy.Extern:
      return wrapGc(v);
    case RefHierarchy.Exn:
      throw new TypeError('type incompatibility when transforming from/to JS: exnref');
    case RefHierarchy.Any:
      return wrapGc(externalize(v));
  }
}

/**
 * DefaultValue: the value of a type when the JS API omits one (externref: undefined), or
 * undefined's conversion failing with a TypeError for a non-nullable reference type.
 */
export function defaultJSValue(t: ValType): unknown {
  switch (t) {
    case 'i32':
    case 'f32':
    case 'f64':
      return 0;
    case 'i64':
      return 0n;
    case 'v128':
      throw new TypeError('v128 has no JS value');
  }
  if (hierarchyOf(t) === RefHierarchy.Extern) return undefined;
  if (!t.nullable) throw new TypeError('a non-nullable reference type has no default value');
  return null;
}

// ---------------------------------------------------------------- exported functions

/** Records the function index a callable has in its module (for the `name` property). */
export function noteFunctionIndex(f: Func, index: number): void {
  if (!indexOfCallable.has(f.callable)) indexOfCallable.set(f.callable, index);
}

/**
 * The exported-function object of a Wasm function: a non-constructor JS function whose
 * `name` is the function index and `length` the parameter count.
 */
export function exportedFunction(f: Func): Function {
  const c = f.callable as Callable;
  const existing = exportedOfCallable.get(c);
  if (existing) return existing;
  const { params, results } = f.type;
  const n = params.length;
  const nr = results.length;
  const direct = f.directCaller();
  const unusable = params.some(hasNoJSValue) || results.some(hasNoJSValue);
  const js =
    direct !== null
      ? directExport(direct, params)
      : (...args: unknown[]): unknown => {
          if (unusable)
            throw new TypeError(
              'type incompatibility when transforming from/to JS: a v128 or exnref parameter or result',
            );
          const a = new Array<unknown>(n);
          for (let i = 0; i < n; i++) a[i] = toWebAssemblyValue(params[i], args[i]);
          let r: unknown[];
          try {
            r = f.call(...a);
          } catch (e) {
            throw fromEngineError(e);
          }
          if (nr === 0) return undefined;
          if (nr === 1) return toJSValue(results[0], r[0]);
          const out = new Array<unknown>(nr);
          for (let i = 0; i < nr; i++) out[i] = toJSValue(results[i], r[i]);
          return out;
        };
  const index = indexOfCallable.get(c);
  Object.defineProperty(js, 'name', { value: index === undefined ? '' : String(index), configurable: true });
  Object.defineProperty(js, 'length', { value: n, configurable: true });
  exportedOfCallable.set(c, js);
  funcOfExported.set(js, f);
  return js;
}

/** ToWebAssemblyValue for one number type, without the type switch for a JS number. */
function numberConverter(t: ValType): (v: unknown) => number {
  switch (t) {
    case 'i32':
      return (v) => (typeof v === 'number' ? v | 0 : toNumber(v) | 0);
    case 'f32':
      return (v) => Math.fround(typeof v === 'number' ? v : toNumber(v));
    case 'f64':
      return (v) => (typeof v === 'number' ? v : toNumber(v));
    default:
      throw new Error(`not a number type: ${String(t)}`);
  }
}

/**
 * The exported-function body for signatures Func.directCaller takes: the arguments are
 * converted in order (ToWebAssemblyValue), then passed straight to the function, without
 * the argument and result arrays of the general path. One body per parameter count, so
 * that a call allocates nothing: without a JIT every rest array and every call to a
 * general converter is paid on each call from JS.
 */
function directExport(
  direct: (...args: number[]) => unknown,
  params: readonly ValType[],
): (...args: unknown[]) => unknown {
  const [c0, c1, c2, c3, c4, c5] = params.map(numberConverter);
  // A NaNBits carrier (runtime/vm/values.ts) becomes the Number NaN, as in toJSValue.
  const result = (r: unknown): unknown => (NAN_CARRIERS && isNaNBits(r) ? NaN : r);
  switch (params.length) {
    case 0:
      return () => {
        try {
          return result(direct());
        } catch (e) {
          throw fromEngineError(e);
        }
      };
    case 1:
      return (a) => {
        const x0 = c0(a);
        try {
          return result(direct(x0));
        } catch (e) {
          throw fromEngineError(e);
        }
      };
    case 2:
      return (a, b) => {
        const x0 = c0(a);
        const x1 = c1(b);
        try {
          return result(direct(x0, x1));
        } catch (e) {
          throw fromEngineError(e);
        }
      };
    case 3:
      return (a, b, c) => {
        const x0 = c0(a);
        const x1 = c1(b);
        const x2 = c2(c);
        try {
          return result(direct(x0, x1, x2));
        } catch (e) {
          throw fromEngineError(e);
        }
      };
    default:
      return (a, b, c, d, e, f) => {
        const x0 = c0(a);
        const x1 = c1(b);
        const x2 = c2(c);
        const x3 = c3(d);
        const x4 = c4 !== undefined ? c4(e) : 0;
        const x5 = c5 !== undefined ? c5(f) : 0;
        try {
          return result(direct(x0, x1, x2, x3, x4, x5));
        } catch (err) {
          throw fromEngineError(err);
        }
      };
  }
}

// ---------------------------------------------------------------- host functions

/** ToJSValue of a parameter of one number type: a NaNBits carrier becomes the Number NaN. */
function jsNumber(t: ValType): ((v: unknown) => unknown) | null {
  return t === 'i32' ? null : (v) => (typeof v === 'number' ? v : +(v as number));
}

/**
 * The callable of a host function whose parameters (up to four) and result (at most one) are
 * all i32, f32 or f64, or null for other signatures: the JS function is called with the
 * converted arguments and its result converted, as by the general path (ToJSValue of each
 * argument, ToWebAssemblyValue of the result, a JS exception turned as `intoWasm` says), but
 * without its argument and result arrays, which calls from Wasm to JS pay for on every call
 * where there is no JIT to remove them.
 */
function directHostCallable(fn: Function, params: readonly ValType[], results: readonly ValType[]): Callable | null {
  const isNumber = (t: ValType): boolean => t === 'i32' || t === 'f32' || t === 'f64';
  if (params.length > 4 || results.length > 1 || !params.every(isNumber) || !results.every(isNumber)) return null;
  const call = fn as (...args: unknown[]) => unknown;
  const out = results.length === 1 ? numberConverter(results[0]) : (): undefined => undefined;
  const [p0, p1, p2, p3] = params.map(jsNumber);
  switch (params.length) {
    case 0:
      return () => {
        try {
          return out(call());
        } catch (e) {
          throw intoWasm(e);
        }
      };
    case 1:
      return (a) => {
        try {
          return out(call(p0 === null ? a : p0(a)));
        } catch (e) {
          throw intoWasm(e);
        }
      };
    case 2:
      return (a, b) => {
        try {
          return out(call(p0 === null ? a : p0(a), p1 === null ? b : p1(b)));
        } catch (e) {
          throw intoWasm(e);
        }
      };
    case 3:
      return (a, b, c) => {
        try {
          return out(call(p0 === null ? a : p0(a), p1 === null ? b : p1(b), p2 === null ? c : p2(c)));
        } catch (e) {
          throw intoWasm(e);
        }
      };
    default:
      return (a, b, c, d) => {
        try {
          return out(
            call(p0 === null ? a : p0(a), p1 === null ? b : p1(b), p2 === null ? c : p2(c), p3 === null ? d : p3(d)),
          );
        } catch (e) {
          throw intoWasm(e);
        }
      };
  }
}

/**
 * What a host function's JS exception becomes inside Wasm: Wasm exceptions (and so
 * WebAssembly.Exception objects) as they are; traps and stack overflow unchanged (Wasm never
 * catches them); any other value an exception of WebAssembly.JSTag carrying it.
 */
function intoWasm(e: unknown): unknown {
  if (e instanceof WasmException || isUncatchable(e)) return e;
  return newException(jsTagHolder.engineTag(), [e]);
}

/**
 * Wraps a JS function as a host function of `type` (JS API "create a host function"), whose
 * canonical type id is `typeId`. Like any Wasm function, it reaches JS again (through a table
 * or a funcref) as an exported function object, not as the original JS function.
 */
export function hostFunction(fn: Function, type: FuncType, typeId: number): Func {
  const { params, results } = type;
  const direct = directHostCallable(fn, params, results);
  if (direct !== null) {
    direct[TY] = typeId;
    return new Func(direct, type, typeId);
  }
  const n = params.length;
  const nr = results.length;
  const unusable = params.some(hasNoJSValue) || results.some(hasNoJSValue);
  const f = Func.fromHost(null, type, (...apiArgs: unknown[]): unknown => {
    try {
      if (unusable)
        throw new TypeError('type incompatibility when transforming from/to JS: a v128 or exnref parameter or result');
      const jsArgs = new Array<unknown>(n);
      for (let i = 0; i < n; i++) jsArgs[i] = toJSValue(params[i], apiArgs[i]);
      const r: unknown = Reflect.apply(fn, undefined, jsArgs);
      if (nr === 0) return undefined;
      // Always an array: Func.fromHost unwraps a one-element array, never a bare value that
      // happens to be an array (an externref result may be a JS array).
      if (nr === 1) return [toWebAssemblyValue(results[0], r)];
      if (r === null || r === undefined)
        throw new TypeError('a host function with several results must return an iterable');
      const method = (r as { [Symbol.iterator]?: unknown })[Symbol.iterator];
      if (method === undefined || method === null)
        throw new TypeError('a host function with several results must return an iterable');
      if (typeof method !== 'function')
        throw new TypeError('Symbol.iterator of a host function result is not a function');
      const values = iteratorToList(r, method);
      if (values.length !== nr) throw new TypeError(`expected ${nr} results, got ${values.length}`);
      const out = new Array<unknown>(nr);
      for (let i = 0; i < nr; i++) out[i] = toWebAssemblyValue(results[i], values[i]);
      return out;
    } catch (e) {
      throw intoWasm(e);
    }
  });
  if (f.typeId === typeId) return f;
  // Func.fromHost derives the id from the type as if it stood alone, which is right only for
  // types without concrete heap types (here those are canonical ids, not type indices).
  (f.callable as Callable)[TY] = typeId;
  return new Func(f.callable, type, typeId);
}
