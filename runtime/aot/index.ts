// The loader of ahead-of-time output (package entry `jetwasm/aot`). A generated module calls
// `instantiateAot(M, factory, imports)`; this file reads the JS-API import object, has
// runtime/vm/instance.ts instantiate the module as it does every instance, and returns a
// JS-API-like exports object.
//
// Invariant: nothing reachable from this file loads compiler/ code (only type imports), so
// AOT output runs without the compiler. tests/aot checks this on every run.

import type { FuncType, Import, ModuleIR, ValType } from '../../compiler/ir';
import { VMOffsets, type VMContext } from '../../vmctx';
import { NAN_CARRIERS } from '../../vmctx/nan';
import { typeRegistry, canonicalValType, matchFuncType } from '../../types';
import { LinkError, RuntimeError, WasmException } from '../errors';
import { helpers } from '../vm/helpers';
import { InstanceHandle } from '../vm/instance';
import { Func, Global, Memory, Table, TY, newGlobalStorage, type Callable, type Extern, type Tag } from '../objects';
import { isNaNBits } from '../vm/values';
import type { AotFactory, AotModule } from './format';

export type { AotModule, AotFactory, AotConstExpr } from './format';
export { LinkError, RuntimeError, WasmException };

// ---------------------------------------------------------------- data literals

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Decodes standard base64 (with or without padding); works without Buffer or atob. */
export function base64(s: string): Uint8Array {
  let n = s.length;
  while (n > 0 && s[n - 1] === '=') n--;
  const out = new Uint8Array((n * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const d = B64_INDEX[s.charCodeAt(i) & 127];
    if (d < 0) throw new Error('invalid base64 data');
    acc = (acc << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[k++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

// ---------------------------------------------------------------- JS-API-like wrappers

/** An exported or importable linear memory. */
export class AotMemory {
  /** @internal */
  constructor(readonly engine: Memory) {}
  get buffer(): ArrayBuffer {
    return this.engine.buffer;
  }
  /** Grows by `delta` pages; returns the previous size in pages. */
  grow(delta: number): number {
    const r = this.engine.grow(Number(delta));
    if (r < 0) throw new RangeError('WebAssembly.Memory.grow(): maximum memory size exceeded');
    return r;
  }
}

/** An exported or importable table; function references are exported functions. */
export class AotTable {
  /** @internal */
  constructor(readonly engine: Table) {}
  get length(): number {
    return this.engine.size();
  }
  get(i: number): unknown {
    return toJs(this.engine.elemType, this.engine.elements[checkIndex(i, this.engine.size())]);
  }
  set(i: number, v: unknown = null): void {
    this.engine.elements[checkIndex(i, this.engine.size())] = toWasm(this.engine.elemType, v);
  }
  grow(delta: number, init: unknown = null): number {
    const r = this.engine.growInternal(Number(delta), toWasm(this.engine.elemType, init));
    if (r < 0) throw new RangeError('WebAssembly.Table.grow(): failed to grow table');
    return r;
  }
}

/** An exported or importable global; i64 values are BigInts. */
export class AotGlobal {
  /** @internal */
  constructor(readonly engine: Global) {}
  get value(): unknown {
    return toJs(this.engine.type.type, this.engine.getInternal());
  }
  set value(v: unknown) {
    if (!this.engine.type.mutable) throw new TypeError("Can't set the value of an immutable global.");
    this.engine.setInternal(toWasm(this.engine.type.type, v));
  }
  valueOf(): unknown {
    return this.value;
  }
}

/** An exported or importable exception tag. */
export class AotTag {
  /** @internal */
  constructor(readonly engine: Tag) {}
}

function checkIndex(i: number, n: number): number {
  const x = Number(i);
  if (!Number.isInteger(x) || x < 0 || x >= n) throw new RangeError('table index out of bounds');
  return x;
}

const wrappers = new WeakMap<object, object>();
const funcOfWrapper = new WeakMap<Function, Func>();

function wrap<E extends object, W extends object>(e: E, make: (e: E) => W): W {
  let w = wrappers.get(e) as W | undefined;
  if (!w) {
    w = make(e);
    wrappers.set(e, w);
  }
  return w;
}

/** The JS function exported for `f`: JS values in (i64 as BigInt), JS value(s) out. */
export function exportedFunction(f: Func): Function {
  // Invariant: one Func per callable, so a table element read back is the function stored.
  FuncOf.adopt(f);
  return wrap(f, (fn) => {
    const { params, results } = fn.type;
    const js = function (...args: unknown[]): unknown {
      const a = new Array<unknown>(params.length).fill(null);
      for (let i = 0; i < params.length; i++) a[i] = toApiArg(params[i], args[i]);
      const r = fn.call(...a);
      if (results.length === 0) return undefined;
      if (results.length === 1) return fromApi(results[0], r[0]);
      return r.map((v, i) => fromApi(results[i], v));
    };
    Object.defineProperty(js, 'name', { value: fn.callable.name });
    Object.defineProperty(js, 'length', { value: params.length });
    funcOfWrapper.set(js, fn);
    return js;
  });
}

function isRefType(t: ValType): t is Exclude<ValType, string> {
  return typeof t === 'object';
}
/** API-level argument for Func.call (which converts numbers and BigInts itself). */
function toApiArg(t: ValType, v: unknown): unknown {
  if (t === 'i64') return typeof v === 'bigint' ? v : BigInt(v as string);
  if (isRefType(t) && typeof v === 'function') return funcOfWrapper.get(v) ?? v;
  return v === undefined && !isRefType(t) && t !== 'v128' ? NaN : (v ?? null);
}
/** Func.call's result value -> the JS value the host sees. */
function fromApi(t: ValType, v: unknown): unknown {
  if (isRefType(t) && v instanceof Func) return exportedFunction(v);
  // A NaNBits carrier (runtime/vm/values.ts) becomes the Number NaN: JS cannot hold its bits.
  if (NAN_CARRIERS && isNaNBits(v)) return NaN;
  return v;
}
/** Internal value -> JS value. */
function toJs(t: ValType, v: unknown): unknown {
  if (isRefType(t) && typeof v === 'function') {
    const id = (v as Callable)[TY];
    if (id === undefined) return v;
    return exportedFunction(new FuncOf(v as Callable, id).func);
  }
  if (t === 'i64') return BigInt.asIntN(64, v as bigint);
  if (NAN_CARRIERS && isNaNBits(v)) return NaN;
  return v;
}
/** Whether reference type `t` (heap types canonical) is in the function hierarchy. */
function isFuncRef(t: Exclude<ValType, string>): boolean {
  const h = t.heap;
  if (typeof h === 'number') return typeRegistry.get(h).comp.kind === 'func';
  return h === 'func' || h === 'nofunc';
}
/**
 * JS value -> internal value. A function reference must be null or an exported Wasm function
 * (TypeError otherwise, as in the JS API): Emscripten glue relies on that TypeError to fall
 * back to wrapping a JS function first (see `hostFunction`), and a plain JS function stored
 * in a table would carry no type for call_indirect to check.
 */
function toWasm(t: ValType, v: unknown): unknown {
  switch (t) {
    case 'i32':
      return Number(v) | 0;
    case 'i64':
      return BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(v as string));
    case 'f32':
      return Math.fround(Number(v));
    case 'f64':
      return Number(v);
    case 'v128':
      throw new TypeError('v128 values cannot cross the JS boundary');
    default: {
      if (v === undefined || v === null) return null;
      if (isFuncRef(t)) {
        const f = typeof v === 'function' ? funcOfWrapper.get(v) : undefined;
        if (!f || t.heap === 'nofunc')
          throw new TypeError(
            'type incompatibility when transforming from/to JS: not an exported WebAssembly function',
          );
        if (typeof t.heap === 'number' && !matchFuncType(f.typeId, t.heap, t.exact))
          throw new TypeError('type incompatibility when transforming from/to JS: function type mismatch');
        return f.callable;
      }
      return v;
    }
  }
}

/** Value type names accepted by `hostFunction` (the JS API's type-reflection spelling). */
const HOST_VALTYPES: Record<string, ValType> = {
  i32: 'i32',
  i64: 'i64',
  f32: 'f32',
  f64: 'f64',
  funcref: { kind: 'ref', nullable: true, heap: 'func' },
  anyfunc: { kind: 'ref', nullable: true, heap: 'func' },
  externref: { kind: 'ref', nullable: true, heap: 'extern' },
};

/**
 * A JS function turned into a Wasm function of the given type, like the type-reflection
 * proposal's `new WebAssembly.Function(type, fn)`: the result can be stored in an AOT module's
 * funcref table (`AotTable.set`/`grow`), passed as a funcref, or imported, and call_indirect
 * checks it against `type`. Arguments reach `fn` as JS values (i64 as BigInt); its result is
 * converted back by the result type.
 */
export function hostFunction(
  type: { parameters: readonly string[]; results: readonly string[] },
  fn: (...args: never[]) => unknown,
): Function {
  if (typeof fn !== 'function') throw new TypeError('hostFunction: the second argument must be a function');
  const valType = (name: string): ValType => {
    const t = HOST_VALTYPES[name];
    if (t === undefined) throw new TypeError(`hostFunction: unsupported value type ${JSON.stringify(name)}`);
    return t;
  };
  const ft: FuncType = {
    kind: 'func',
    params: [...type.parameters].map(valType),
    results: [...type.results].map(valType),
  };
  return exportedFunction(Func.fromHost(null, ft, fn as (...a: unknown[]) => unknown));
}

/** The Func of a callable (one per callable, shared with wrappers). */
class FuncOf {
  private static readonly cache = new WeakMap<Callable, Func>();
  readonly func: Func;
  /** Makes `f` the Func of its callable unless the callable already has one. */
  static adopt(f: Func): void {
    if (!FuncOf.cache.has(f.callable)) FuncOf.cache.set(f.callable, f);
  }
  constructor(c: Callable, id: number) {
    let f = FuncOf.cache.get(c);
    if (!f) {
      f = new Func(c, typeRegistry.get(id).comp as FuncType, id);
      FuncOf.cache.set(c, f);
    }
    this.func = f;
  }
}

// ---------------------------------------------------------------- instantiation

/** Instantiates AOT output. `imports` is a JS-API import object. Throws LinkError / RuntimeError. */
export function instantiateAot(
  m: AotModule,
  factory: AotFactory,
  imports: unknown = undefined,
): Record<string, unknown> {
  if ((m.nanCarriers === true) !== NAN_CARRIERS) {
    throw new TypeError(
      NAN_CARRIERS
        ? 'this module was compiled for hosts that keep NaN bits; this host canonicalises NaNs: compile it with JETWASM_NAN_CARRIERS=1'
        : 'this module was compiled for hosts that canonicalise NaNs (JETWASM_NAN_CARRIERS=1); this host keeps NaN bits: compile it without',
    );
  }
  const canon = typeRegistry.canonicalize(m as unknown as ModuleIR);
  if (m.imports.length > 0 && (typeof imports !== 'object' || imports === null))
    throw new TypeError('imports argument must be present and must be an object');
  const h = new InstanceHandle(
    m,
    canon,
    new VMOffsets(m as unknown as ModuleIR),
    (imp) => resolveImport(imp, imports as Record<string, unknown>, canon),
    null,
  );
  // The factory's parameters (vmctx/codegen.ts): the VMContext, the helpers, no lazy
  // source (AOT code is translated eagerly) and, as CT, this process's canonical type ids.
  const code = (factory as (vm: VMContext, h: unknown, lz: undefined, ct: readonly number[]) => ReturnType<AotFactory>)(
    h.vm,
    helpers,
    undefined,
    canon,
  );
  h.link(code, new Map(m.funcNames ?? []));
  h.initialize();

  const exports: Record<string, unknown> = Object.create(null);
  for (const [name, ext] of h.exports((c, id) => new FuncOf(c, id).func)) {
    if (ext instanceof Func) exports[name] = exportedFunction(ext);
    else if (ext instanceof Global) exports[name] = wrap(ext, (g) => new AotGlobal(g));
    else if (ext instanceof Table) exports[name] = wrap(ext, (t) => new AotTable(t));
    else if (ext instanceof Memory) exports[name] = wrap(ext, (mem) => new AotMemory(mem));
    else exports[name] = wrap(ext, (t) => new AotTag(t));
  }
  Object.freeze(exports);
  h.start();
  return exports;
}

/**
 * The engine object for import `imp` from a JS-API import object: exported functions,
 * wrappers and numbers as the JS API reads imports; a plain JS function becomes a host
 * function of the import's type. InstanceHandle checks the types.
 */
function resolveImport(imp: Import, imports: Record<string, unknown>, canon: readonly number[]): Extern {
  const ns = imports[imp.module];
  if (typeof ns !== 'object' || ns === null)
    throw new TypeError(`import module ${JSON.stringify(imp.module)} is not an object`);
  const v = (ns as Record<string, unknown>)[imp.name];
  const fail = (): never => {
    throw new LinkError(`incompatible import type for ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`);
  };
  const d = imp.desc;
  switch (d.kind) {
    case 'func': {
      if (typeof v !== 'function') return fail();
      const f = funcOfWrapper.get(v);
      if (f) return f;
      const id = canon[d.typeIdx];
      const ft = typeRegistry.get(id).comp as FuncType;
      const host = Func.fromHost(null, ft, v as (...a: unknown[]) => unknown);
      if (host.typeId === id) return host;
      // Func.fromHost derives the id as if the type stood alone; the import's type may be a
      // member of a rec group or a subtype, whose id differs.
      (host.callable as Callable)[TY] = id;
      return new Func(host.callable, ft, id);
    }
    case 'global': {
      if (v instanceof AotGlobal) return v.engine;
      if (d.type.mutable || (typeof v !== 'number' && typeof v !== 'bigint')) return fail();
      const t = canonicalValType(d.type.type, canon);
      if ((t === 'i64') !== (typeof v === 'bigint')) return fail();
      const g = new Global({ type: t, mutable: false }, newGlobalStorage(t));
      g.setInternal(toWasm(t, v));
      return g;
    }
    case 'table':
      return v instanceof AotTable ? v.engine : fail();
    case 'memory':
      return v instanceof AotMemory ? v.engine : fail();
    case 'tag':
      return v instanceof AotTag ? v.engine : fail();
  }
}
