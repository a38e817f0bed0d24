// The loader of ahead-of-time output (package entry `jetwasm/aot`). A generated module calls
// `instantiateAot(M, factory, imports)`; this file instantiates it in the spec's order
// (imports -> allocation -> globals -> tables -> element segments -> data segments -> start)
// and returns a JS-API-like exports object.
//
// Invariant: nothing reachable from this file loads compiler/ code (only type imports), so
// AOT output runs without the compiler. tests/aot checks this on every run.

import type { FuncType, GlobalType, ModuleIR, ValType } from '../../compiler/ir';
import { VMContext, VMOffsets } from '../../vmctx';
import { typeRegistry, canonicalValType, canonicalRefType, matchFuncType, matchGlobalType, matchMemoryType, matchTableType } from '../../vmctx/types';
import { LinkError, RuntimeError, WasmException } from '../errors';
import { helpers } from '../vm/helpers';
import { Func, Global, Memory, Table, Tag, TY, allocateDefinedGlobals, newGlobalStorage, toTrapValue, type Callable } from '../objects';
import { f32FromBits, f64FromBits } from '../vm/values';
import * as GC from '../vm/gc';
import { applyActiveSegments } from '../vm/segments';
import type { AotConstExpr, AotFactory, AotModule } from './format';

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
  get buffer(): ArrayBuffer { return this.engine.buffer; }
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
  get length(): number { return this.engine.size(); }
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
  get value(): unknown { return toJs(this.engine.type.type, this.engine.getInternal()); }
  set value(v: unknown) {
    if (!this.engine.type.mutable) throw new TypeError("Can't set the value of an immutable global.");
    this.engine.setInternal(toWasm(this.engine.type.type, v));
  }
  valueOf(): unknown { return this.value; }
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
  return v === undefined && !isRefType(t) && t !== 'v128' ? NaN : v ?? null;
}
/** Func.call's result value -> the JS value the host sees. */
function fromApi(t: ValType, v: unknown): unknown {
  if (isRefType(t) && v instanceof Func) return exportedFunction(v);
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
    case 'i32': return Number(v) | 0;
    case 'i64': return BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(v as string));
    case 'f32': return Math.fround(Number(v));
    case 'f64': return Number(v);
    case 'v128': throw new TypeError('v128 values cannot cross the JS boundary');
    default: {
      if (v === undefined || v === null) return null;
      if (isFuncRef(t)) {
        const f = typeof v === 'function' ? funcOfWrapper.get(v) : undefined;
        if (!f || t.heap === 'nofunc') throw new TypeError('type incompatibility when transforming from/to JS: not an exported WebAssembly function');
        if (typeof t.heap === 'number' && !matchFuncType(f.typeId, t.heap)) throw new TypeError('type incompatibility when transforming from/to JS: function type mismatch');
        return f.callable;
      }
      return v;
    }
  }
}

/** Value type names accepted by `hostFunction` (the JS API's type-reflection spelling). */
const HOST_VALTYPES: Record<string, ValType> = {
  i32: 'i32', i64: 'i64', f32: 'f32', f64: 'f64',
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
export function hostFunction(type: { parameters: readonly string[]; results: readonly string[] }, fn: (...args: never[]) => unknown): Function {
  if (typeof fn !== 'function') throw new TypeError('hostFunction: the second argument must be a function');
  const valType = (name: string): ValType => {
    const t = HOST_VALTYPES[name];
    if (t === undefined) throw new TypeError(`hostFunction: unsupported value type ${JSON.stringify(name)}`);
    return t;
  };
  const ft: FuncType = { kind: 'func', params: [...type.parameters].map(valType), results: [...type.results].map(valType) };
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

interface Spaces {
  funcs: Callable[];
  globals: Global[];
  tables: Table[];
  memories: Memory[];
  tags: Tag[];
}

/** Instantiates AOT output. `imports` is a JS-API import object. Throws LinkError / RuntimeError. */
export function instantiateAot(m: AotModule, factory: AotFactory, imports: unknown = undefined): Record<string, unknown> {
  const ir = m as unknown as ModuleIR;
  const canon = typeRegistry.canonicalize(ir);
  const o = new VMOffsets(ir);
  const vm = new VMContext(o);
  const sp: Spaces = { funcs: [], globals: [], tables: [], memories: [], tags: [] };
  const importedFuncs: Func[] = [];
  const funcTypeOf = (typeIdx: number): FuncType => typeRegistry.get(canon[typeIdx]).comp as FuncType;

  if (m.imports.length > 0 && (typeof imports !== 'object' || imports === null)) throw new TypeError('imports argument must be present and must be an object');
  // ---- 1. resolve and check imports
  for (const imp of m.imports) {
    const ns = (imports as Record<string, unknown>)[imp.module];
    if (typeof ns !== 'object' || ns === null) throw new TypeError(`import module ${JSON.stringify(imp.module)} is not an object`);
    const v = (ns as Record<string, unknown>)[imp.name];
    const fail = (): never => { throw new LinkError(`incompatible import type for ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`); };
    const d = imp.desc;
    switch (d.kind) {
      case 'func': {
        if (typeof v !== 'function') return fail();
        let f = funcOfWrapper.get(v);
        if (f) { if (!matchFuncType(f.typeId, canon[d.typeIdx])) fail(); }
        else f = Func.fromHost(null, funcTypeOf(d.typeIdx), v as (...a: unknown[]) => unknown);
        vm.refs[o.importedFunc(sp.funcs.length)] = f.callable;
        importedFuncs.push(f);
        sp.funcs.push(f.callable);
        break;
      }
      case 'global': {
        const want: GlobalType = { type: canonicalValType(d.type.type, canon), mutable: d.type.mutable };
        let g: Global;
        if (v instanceof AotGlobal) g = v.engine;
        else if (!d.type.mutable && (typeof v === 'number' || typeof v === 'bigint')) {
          if ((want.type === 'i64') !== (typeof v === 'bigint')) fail();
          g = new Global(want, newGlobalStorage(want.type));
          g.setInternal(toWasm(want.type, v));
        } else return fail();
        if (!matchGlobalType(g.type, want)) fail();
        vm.refs[o.importedGlobal(sp.globals.length)] = g.importCell();
        sp.globals.push(g);
        break;
      }
      case 'table': {
        if (!(v instanceof AotTable)) return fail();
        if (!matchTableType(v.engine.type, { ...d.type, elem: canonicalRefType(d.type.elem, canon) })) fail();
        vm.refs[o.table(sp.tables.length)] = v.engine;
        sp.tables.push(v.engine);
        break;
      }
      case 'memory': {
        if (!(v instanceof AotMemory) || !matchMemoryType(v.engine.type, d.type)) return fail();
        vm.refs[o.memory(sp.memories.length)] = v.engine;
        sp.memories.push(v.engine);
        break;
      }
      case 'tag': {
        if (!(v instanceof AotTag) || v.engine.typeId !== canon[d.type.typeIdx]) return fail();
        vm.refs[o.tag(sp.tags.length)] = v.engine;
        sp.tags.push(v.engine);
        break;
      }
    }
  }

  // ---- 2. allocate definitions
  const definedGlobals = allocateDefinedGlobals(vm, o, m.numImportedGlobals, m.globals, canon);
  try {
    for (const t of m.tables) {
      const table = new Table({ ...t.type, elem: canonicalRefType(t.type.elem, canon) }, null);
      vm.refs[o.table(sp.tables.length)] = table;
      sp.tables.push(table);
    }
    for (const mt of m.memories) {
      const mem = new Memory(mt);
      vm.refs[o.memory(sp.memories.length)] = mem;
      sp.memories.push(mem);
    }
  } catch (e) {
    throw toTrapValue(e);
  }
  for (const t of m.tags) {
    const tag = new Tag(funcTypeOf(t.typeIdx), canon[t.typeIdx]);
    vm.refs[o.tag(sp.tags.length)] = tag;
    sp.tags.push(tag);
  }
  for (let s = 0; s < m.elems.length; s++) vm.refs[o.elem(s)] = helpers.EMPTY_ELEM;
  for (let s = 0; s < m.datas.length; s++) vm.refs[o.data(s)] = m.datas[s].bytes;

  // ---- generated code
  const code = (factory as (vm: VMContext, h: unknown, lz: undefined, ct: readonly number[]) => ReturnType<AotFactory>)(vm, helpers, undefined, canon);
  const names = new Map(m.funcNames ?? []);
  code.funcs.forEach((f, i) => {
    (f as Callable)[TY] = canon[m.funcs[i]];
    const name = names.get(m.numImportedFuncs + i);
    if (name !== undefined) Object.defineProperty(f, 'name', { value: name });
    sp.funcs.push(f as Callable);
  });
  for (const mem of sp.memories) mem.refreshers.add(code.refresh);

  try {
    // ---- 3. globals, 4. table initialisers, 5. element segments, 6. data segments
    m.globals.forEach((g, i) => {
      definedGlobals[i].setInternal(evalConst(g.init, sp, canon));
      sp.globals.push(definedGlobals[i]);
    });
    m.tables.forEach((t, i) => {
      if (t.init) sp.tables[m.numImportedTables + i].elements.fill(evalConst(t.init, sp, canon));
    });
    const elemValues = m.elems.map((e) => e.init.map((x) => evalConst(x, sp, canon)));
    m.elems.forEach((e, s) => {
      if (e.mode === 'passive') vm.refs[o.elem(s)] = elemValues[s];
    });
    applyActiveSegments(m.elems, elemValues, m.datas, sp.tables, sp.memories, vm.refs, (s) => o.data(s),
      (expr) => evalConst(expr, sp, canon));
  } catch (e) {
    throw toTrapValue(e);
  }

  // ---- exports
  const exports: Record<string, unknown> = Object.create(null);
  for (const ex of m.exports) {
    let v: unknown;
    switch (ex.kind) {
      case 'func': {
        const f = ex.index < importedFuncs.length ? importedFuncs[ex.index] : new FuncOf(sp.funcs[ex.index], canon[m.funcs[ex.index - importedFuncs.length]]).func;
        v = exportedFunction(f);
        break;
      }
      case 'global': v = wrap(sp.globals[ex.index], (g) => new AotGlobal(g)); break;
      case 'table': v = wrap(sp.tables[ex.index], (t) => new AotTable(t)); break;
      case 'memory': v = wrap(sp.memories[ex.index], (mem) => new AotMemory(mem)); break;
      case 'tag': v = wrap(sp.tags[ex.index], (t) => new AotTag(t)); break;
    }
    exports[ex.name] = v;
  }
  Object.freeze(exports);

  // ---- 7. start function
  if (m.start !== undefined) {
    try {
      sp.funcs[m.start]();
    } catch (e) {
      throw toTrapValue(e);
    }
  }
  return exports;
}

/** Evaluates a (validated) constant expression to an internal value. */
function evalConst(expr: AotConstExpr, sp: Spaces, canon: readonly number[]): unknown {
  const st: unknown[] = [];
  const i32 = (): number => st.pop() as number;
  const i64 = (): bigint => st.pop() as bigint;
  for (const [name, a, b] of expr) {
    switch (name) {
      case 'i32.const': st.push(a as number); break;
      case 'i64.const': st.push(BigInt.asIntN(64, a as bigint)); break;
      case 'f32.const': st.push(f32FromBits(a as number)); break;
      case 'f64.const': st.push(f64FromBits(a as bigint)); break;
      case 'v128.const': { const u = a as Uint8Array; st.push(new Int32Array(u.buffer.slice(u.byteOffset, u.byteOffset + 16))); break; }
      case 'ref.null': st.push(null); break;
      case 'ref.func': st.push(sp.funcs[a as number]); break;
      case 'global.get': st.push(sp.globals[a as number].getInternal()); break;
      case 'i32.add': { const y = i32(); st.push((i32() + y) | 0); break; }
      case 'i32.sub': { const y = i32(); st.push((i32() - y) | 0); break; }
      case 'i32.mul': { const y = i32(); st.push(Math.imul(i32(), y)); break; }
      case 'i64.add': { const y = i64(); st.push(BigInt.asIntN(64, i64() + y)); break; }
      case 'i64.sub': { const y = i64(); st.push(BigInt.asIntN(64, i64() - y)); break; }
      case 'i64.mul': { const y = i64(); st.push(BigInt.asIntN(64, i64() * y)); break; }
      case 'any.convert_extern': st.push(GC.internalize(st.pop())); break;
      case 'extern.convert_any': st.push(GC.externalize(st.pop())); break;
      case 'ref.i31': st.push((i32() << 1) >> 1); break;
      case 'struct.new': case 'struct.new_default': {
        const id = canon[a as number];
        const comp = typeRegistry.get(id).comp;
        if (comp.kind !== 'struct') throw new Error('struct.new of a non-struct type');
        const n = comp.fields.length;
        const vals = name === 'struct.new' ? st.splice(st.length - n, n) : comp.fields.map((f) => GC.defaultOf(f.type));
        st.push(GC.structNew(id, ...vals));
        break;
      }
      case 'array.new': case 'array.new_default': case 'array.new_fixed': {
        const id = canon[a as number];
        const comp = typeRegistry.get(id).comp;
        if (comp.kind !== 'array') throw new Error('array.new of a non-array type');
        const kind = GC.elemKind(comp.field.type);
        if (name === 'array.new_fixed') st.push(GC.arrayFixed(id, kind, ...st.splice(st.length - (b as number), b as number)));
        else {
          const n = i32() >>> 0;
          const init = name === 'array.new' ? st.pop() : GC.defaultOf(comp.field.type);
          st.push(GC.arrayNew(id, kind, init, n));
        }
        break;
      }
      default:
        throw new Error(`unsupported constant instruction ${name}`);
    }
  }
  return st.pop();
}
