// The JS API's value conversions (ToWebAssemblyValue / ToJSValue) and exported-function
// objects. Conversions go JS value <-> API value (runtime/index.ts "WasmValue"); the API
// value <-> internal representation step stays in runtime/objects.ts (toInternal / toApi,
// through Func.call and Func.fromHost), so the engine's representation is decided there.
//
// Invariants:
//   - one Wasm function has exactly one exported-function object (keyed by its callable),
//     so the same Wasm function reaching JS twice is the same JS function;
//   - an exported-function object maps back to its Func, which is how funcref values and
//     imports of exported functions find the Wasm function again.

import type { FuncType, RefType, ValType } from '../../compiler/ir';
import { matchFuncType, typeRegistry } from '../../compiler/validate';
import { Func, type Callable } from '../objects';
import { WasmArray, WasmStruct, internalize, externalize, isI31 } from '../gc';
import { fromEngineError } from './errors';

// ---------------------------------------------------------------- WebIDL / ECMAScript helpers

type Primitive = string | number | bigint | boolean | symbol | null | undefined;

function toPrimitive(v: unknown, hint: 'number' | 'string'): Primitive {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v as Primitive;
  const o = v as Record<string | symbol, unknown>;
  const exotic = o[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== 'function') throw new TypeError('Symbol.toPrimitive is not a function');
    const r = (exotic as (h: string) => unknown).call(v, hint);
    if (r !== null && (typeof r === 'object' || typeof r === 'function')) throw new TypeError('Cannot convert object to primitive value');
    return r as Primitive;
  }
  for (const key of hint === 'string' ? ['toString', 'valueOf'] : ['valueOf', 'toString']) {
    const m = o[key];
    if (typeof m === 'function') {
      const r = (m as () => unknown).call(v);
      if (r === null || (typeof r !== 'object' && typeof r !== 'function')) return r as Primitive;
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
    case 'bigint': return p;
    case 'boolean': return p ? 1n : 0n;
    case 'string': return BigInt(p);
    default: throw new TypeError(`Cannot convert ${typeof p === 'symbol' ? 'a Symbol' : String(p)} to a BigInt`);
  }
}

/** WebIDL [EnforceRange] unsigned long (or unsigned long long when `max` is larger). */
export function enforceRange(v: unknown, what: string, max = 0xffff_ffff): number {
  const n = typeof v === 'bigint' ? Number(v) : toNumber(v);
  if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number`);
  const i = Math.trunc(n);
  if (i < 0 || i > max) throw new TypeError(`${what} is outside the valid range`);
  return i;
}

// ---------------------------------------------------------------- reference type classes

export enum RefHierarchy { Func, Extern, Any, Exn }

export function hierarchyOf(t: RefType): RefHierarchy {
  const h = t.heap;
  if (typeof h === 'number') return typeRegistry.get(h).comp.kind === 'func' ? RefHierarchy.Func : RefHierarchy.Any;
  switch (h) {
    case 'func': case 'nofunc': return RefHierarchy.Func;
    case 'extern': case 'noextern': return RefHierarchy.Extern;
    case 'exn': case 'noexn': return RefHierarchy.Exn;
    default: return RefHierarchy.Any;
  }
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

function anyRefOk(v: unknown, heap: RefType['heap']): boolean {
  switch (heap) {
    case 'any': return true;
    case 'none': return false;
    case 'eq': return isI31(v) || v instanceof WasmStruct || v instanceof WasmArray;
    case 'i31': return isI31(v);
    case 'struct': return v instanceof WasmStruct;
    case 'array': return v instanceof WasmArray;
    default: return v instanceof WasmStruct || v instanceof WasmArray;
  }
}

/** ToWebAssemblyValue: a JS value to the API value of type `t` (TypeError when impossible). */
export function toWebAssemblyValue(t: ValType, v: unknown): unknown {
  switch (t) {
    case 'i32': return toNumber(v) | 0;
    case 'i64': return BigInt.asIntN(64, toBigInt(v));
    case 'f32': return Math.fround(toNumber(v));
    case 'f64': return toNumber(v);
    case 'v128': throw new TypeError('type incompatibility when transforming from/to JS');
  }
  if (v === null) {
    if (!t.nullable) throw new TypeError('type incompatibility when transforming from/to JS: null for a non-nullable reference');
    return null;
  }
  switch (hierarchyOf(t)) {
    case RefHierarchy.Func: {
      const f = funcOfExportedFunction(v);
      if (!f || t.heap === 'nofunc') throw new TypeError('type incompatibility when transforming from/to JS: not an exported WebAssembly function');
      if (typeof t.heap === 'number' && !matchFuncType(f.typeId, t.heap)) {
        throw new TypeError('type incompatibility when transforming from/to JS: function type mismatch');
      }
      return f;
    }
    case RefHierarchy.Extern:
      if (t.heap === 'noextern') throw new TypeError('type incompatibility when transforming from/to JS');
      return v;
    case RefHierarchy.Exn:
      throw new TypeError('type incompatibility when transforming from/to JS: exnref');
    case RefHierarchy.Any: {
      const r = internalize(v);
      if (!anyRefOk(r, t.heap)) throw new TypeError('type incompatibility when transforming from/to JS');
      return r;
    }
  }
}

/** ToJSValue: an API value of type `t` to JS. */
export function toJSValue(t: ValType, v: unknown): unknown {
  switch (t) {
    case 'i32': case 'i64': case 'f32': case 'f64': return v;
    case 'v128': throw new TypeError('type incompatibility when transforming from/to JS');
  }
  if (v === null) return null;
  switch (hierarchyOf(t)) {
    case RefHierarchy.Func: return exportedFunction(v as Func);
    case RefHierarchy.Extern: return v;
    case RefHierarchy.Exn: throw new TypeError('type incompatibility when transforming from/to JS: exnref');
    case RefHierarchy.Any: return externalize(v);
  }
}

/** The default value of a type when the JS API omits one (externref: undefined). */
export function defaultJSValue(t: ValType): unknown {
  switch (t) {
    case 'i32': case 'f32': case 'f64': return 0;
    case 'i64': return 0n;
    case 'v128': throw new TypeError('v128 has no JS value');
  }
  return hierarchyOf(t) === RefHierarchy.Extern ? undefined : null;
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
  const js = direct !== null ? directExport(direct, params) : (...args: unknown[]): unknown => {
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

/**
 * The exported-function body for signatures Func.directCaller takes: the arguments are
 * converted in order (ToWebAssemblyValue), then passed straight to the function, without
 * the argument and result arrays of the general path.
 */
function directExport(direct: (...args: number[]) => unknown, params: readonly ValType[]): (...args: unknown[]) => unknown {
  const n = params.length;
  const conv = (i: number, v: unknown): number => toWebAssemblyValue(params[i], v) as number;
  return (...args: unknown[]): unknown => {
    const x0 = n > 0 ? conv(0, args[0]) : 0;
    const x1 = n > 1 ? conv(1, args[1]) : 0;
    const x2 = n > 2 ? conv(2, args[2]) : 0;
    const x3 = n > 3 ? conv(3, args[3]) : 0;
    const x4 = n > 4 ? conv(4, args[4]) : 0;
    const x5 = n > 5 ? conv(5, args[5]) : 0;
    try {
      return direct(x0, x1, x2, x3, x4, x5);
    } catch (e) {
      throw fromEngineError(e);
    }
  };
}

// ---------------------------------------------------------------- host functions

/**
 * Wraps a JS function as a host function of `type` (JS API "create a host function"). Like
 * any Wasm function, it reaches JS again (through a table or a funcref) as an exported
 * function object, not as the original JS function.
 */
export function hostFunction(fn: Function, type: FuncType): Func {
  const { params, results } = type;
  const n = params.length;
  const nr = results.length;
  const f = Func.fromHost(null, type, (...apiArgs: unknown[]): unknown => {
    const jsArgs = new Array<unknown>(n);
    for (let i = 0; i < n; i++) jsArgs[i] = toJSValue(params[i], apiArgs[i]);
    const r: unknown = Reflect.apply(fn, undefined, jsArgs);
    if (nr === 0) return undefined;
    // Always an array: Func.fromHost unwraps a one-element array, never a bare value that
    // happens to be an array (an externref result may be a JS array).
    if (nr === 1) return [toWebAssemblyValue(results[0], r)];
    if (r === null || r === undefined || typeof (r as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError('a host function with several results must return an iterable');
    }
    const values = Array.from(r as Iterable<unknown>);
    if (values.length !== nr) throw new TypeError(`expected ${nr} results, got ${values.length}`);
    const out = new Array<unknown>(nr);
    for (let i = 0; i < nr; i++) out[i] = toWebAssemblyValue(results[i], values[i]);
    return out;
  });
  return f;
}
