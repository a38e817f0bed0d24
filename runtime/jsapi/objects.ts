// WebAssembly.Memory / Table / Global / Tag / Exception: facade objects, each a view of one
// engine object (runtime/objects.ts). One engine object has at most one facade object, so an
// extern exported twice, or exported and imported elsewhere, is the same JS object.

import { EXTERNREF, FUNCREF, ref, type AddrType, type FuncType, type GlobalType, type MemoryType, type RefType, type TableType, type ValType } from '../../compiler/ir';
import { Global as RtGlobal, Memory as RtMemory, Table as RtTable, Tag as RtTag, genericArray, toApi, toInternal } from '../objects';
import { WasmException } from '../errors';
import { defaultJSValue, enforceRange, toJSValue, toWebAssemblyValue } from './values';
import { exceptionHook } from './errors';

const MAX_PAGES_32 = 65536;
const MAX_TABLE_LENGTH = 10_000_000;

function requireObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) throw new TypeError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function addressType(d: Record<string, unknown>): AddrType {
  const a = d.address ?? d.index;
  if (a === undefined) return 'i32';
  const s = String(a);
  if (s !== 'i32' && s !== 'i64') throw new TypeError(`invalid address type ${JSON.stringify(s)}`);
  return s;
}

/** Reads `initial` (or `minimum`) and `maximum` of a Memory/Table descriptor. */
function limits(d: Record<string, unknown>, what: string, cap: number): { min: number; max?: number } {
  const initial = d.initial ?? d.minimum;
  if (initial === undefined) throw new TypeError(`${what} descriptor needs an 'initial' value`);
  const max = d.maximum === undefined ? undefined : enforceRange(d.maximum, `${what} maximum`, Number.MAX_SAFE_INTEGER);
  const min = enforceRange(initial, `${what} initial`, Number.MAX_SAFE_INTEGER);
  if (max !== undefined && min > max) throw new RangeError(`${what}: initial is larger than maximum`);
  if (min > cap) throw new RangeError(`${what}: initial is larger than the implementation limit`);
  if (max !== undefined && max > cap && what === 'WebAssembly.Memory') throw new RangeError(`${what}: maximum is larger than the implementation limit`);
  return max === undefined ? { min } : { min, max };
}

// ---------------------------------------------------------------- Memory

const rtMemory = new WeakMap<object, RtMemory>();
const facadeMemory = new WeakMap<RtMemory, Memory>();

export class Memory {
  constructor(descriptor: { initial: number | bigint; maximum?: number | bigint; shared?: boolean; address?: AddrType }) {
    const d = requireObject(descriptor, 'WebAssembly.Memory descriptor');
    const addr = addressType(d);
    const lim = limits(d, 'WebAssembly.Memory', addr === 'i64' ? 2 ** 48 : MAX_PAGES_32);
    const shared = Boolean(d.shared);
    if (shared && lim.max === undefined) throw new TypeError('a shared memory needs a maximum');
    const type: MemoryType = { limits: lim, shared, addr, pageSizeLog2: 16 };
    let mem: RtMemory;
    try {
      mem = RtMemory.create(null, type);
    } catch {
      throw new RangeError('WebAssembly.Memory: could not allocate memory');
    }
    rtMemory.set(this, mem);
    facadeMemory.set(mem, this);
  }

  /** The ArrayBuffer of the memory; replaced (and the old one detached) by every grow. */
  get buffer(): ArrayBuffer {
    return engineMemory(this).buffer;
  }

  /** Grows by `delta` pages; returns the old size in pages. RangeError if it cannot grow. */
  grow(delta: number): number {
    const mem = engineMemory(this);
    const d = enforceRange(delta, 'WebAssembly.Memory.grow delta');
    const old = mem.grow(d);
    if (old < 0) throw new RangeError('WebAssembly.Memory.grow: could not grow memory');
    if (d === 0) refreshBuffer(mem);
    return old;
  }

  get [Symbol.toStringTag](): string { return 'WebAssembly.Memory'; }
}

/**
 * Replaces the buffer of a memory by a new ArrayBuffer holding the same bytes and detaches
 * the old one, as the JS API requires even for grow(0). Engine invariant (runtime/objects.ts):
 * every view cached by generated code is refreshed before control returns to Wasm.
 */
function refreshBuffer(mem: RtMemory): void {
  if (mem.type.shared) return;
  const old = mem.buffer;
  let nb: ArrayBuffer;
  try {
    nb = structuredClone(old, { transfer: [old] });
  } catch {
    return;
  }
  mem.buffer = nb;
  mem.dv = new DataView(nb);
  mem.u8 = new Uint8Array(nb);
  for (const r of mem.refreshers) r();
}

export function engineMemory(m: unknown): RtMemory {
  const r = typeof m === 'object' && m !== null ? rtMemory.get(m) : undefined;
  if (!r) throw new TypeError('not a WebAssembly.Memory');
  return r;
}
export function isMemory(m: unknown): m is Memory {
  return typeof m === 'object' && m !== null && rtMemory.has(m);
}
export function wrapMemory(mem: RtMemory): Memory {
  let m = facadeMemory.get(mem);
  if (!m) {
    m = Object.create(Memory.prototype) as Memory;
    rtMemory.set(m, mem);
    facadeMemory.set(mem, m);
  }
  return m;
}

// ---------------------------------------------------------------- Table

const rtTable = new WeakMap<object, RtTable>();
const facadeTable = new WeakMap<RtTable, Table>();

export type RefTypeName = 'anyfunc' | 'funcref' | 'externref' | 'anyref' | 'eqref' | 'i31ref' | 'structref' | 'arrayref' | 'nullref' | 'nullfuncref' | 'nullexternref';

const REF_TYPE_NAMES: Record<string, RefType> = {
  anyfunc: FUNCREF, funcref: FUNCREF, externref: EXTERNREF,
  anyref: ref(true, 'any'), eqref: ref(true, 'eq'), i31ref: ref(true, 'i31'), structref: ref(true, 'struct'),
  arrayref: ref(true, 'array'), nullref: ref(true, 'none'), nullfuncref: ref(true, 'nofunc'), nullexternref: ref(true, 'noextern'),
};

function refTypeOf(name: unknown): RefType {
  const t = REF_TYPE_NAMES[String(name)];
  if (!t || !Object.prototype.hasOwnProperty.call(REF_TYPE_NAMES, String(name))) throw new TypeError(`invalid reference type ${JSON.stringify(String(name))}`);
  return t;
}

function valTypeOf(name: unknown): ValType {
  const s = String(name);
  if (s === 'i32' || s === 'i64' || s === 'f32' || s === 'f64' || s === 'v128') return s;
  return refTypeOf(s);
}

export class Table {
  constructor(descriptor: { element: RefTypeName; initial: number | bigint; maximum?: number | bigint; address?: AddrType }, value?: unknown) {
    const d = requireObject(descriptor, 'WebAssembly.Table descriptor');
    const elem = refTypeOf(d.element);
    const addr = addressType(d);
    const lim = limits(d, 'WebAssembly.Table', MAX_TABLE_LENGTH);
    const type: TableType = { limits: lim, elem, addr };
    const init = toWebAssemblyValue(elem, arguments.length < 2 ? defaultJSValue(elem) : value);
    // The constructor, not Table.create: `undefined` is an externref value, not "no value".
    const t = new RtTable(type, toInternal(elem, init));
    rtTable.set(this, t);
    facadeTable.set(t, this);
  }

  get length(): number {
    return engineTable(this).size();
  }

  get(index: number): unknown {
    const t = engineTable(this);
    const i = enforceRange(index, 'WebAssembly.Table.get index');
    if (i >= t.size()) throw new RangeError('WebAssembly.Table.get: index out of bounds');
    return toJSValue(t.elemType, t.get(i));
  }

  set(index: number, value?: unknown): void {
    const t = engineTable(this);
    const i = enforceRange(index, 'WebAssembly.Table.set index');
    const v = toWebAssemblyValue(t.elemType, arguments.length < 2 ? defaultJSValue(t.elemType) : value);
    if (i >= t.size()) throw new RangeError('WebAssembly.Table.set: index out of bounds');
    t.set(i, v);
  }

  grow(delta: number, value?: unknown): number {
    const t = engineTable(this);
    const d = enforceRange(delta, 'WebAssembly.Table.grow delta');
    const v = toWebAssemblyValue(t.elemType, arguments.length < 2 ? defaultJSValue(t.elemType) : value);
    const old = t.growInternal(d, toInternal(t.elemType, v));
    if (old < 0) throw new RangeError('WebAssembly.Table.grow: could not grow table');
    return old;
  }

  get [Symbol.toStringTag](): string { return 'WebAssembly.Table'; }
}

export function engineTable(t: unknown): RtTable {
  const r = typeof t === 'object' && t !== null ? rtTable.get(t) : undefined;
  if (!r) throw new TypeError('not a WebAssembly.Table');
  return r;
}
export function isTable(t: unknown): t is Table {
  return typeof t === 'object' && t !== null && rtTable.has(t);
}
export function wrapTable(t: RtTable): Table {
  let f = facadeTable.get(t);
  if (!f) {
    f = Object.create(Table.prototype) as Table;
    rtTable.set(f, t);
    facadeTable.set(t, f);
  }
  return f;
}

// ---------------------------------------------------------------- Global

const rtGlobal = new WeakMap<object, RtGlobal>();
const facadeGlobal = new WeakMap<RtGlobal, Global>();

export class Global {
  constructor(descriptor: { value: string; mutable?: boolean }, value?: unknown) {
    const d = requireObject(descriptor, 'WebAssembly.Global descriptor');
    const mutable = Boolean(d.mutable);
    const t = valTypeOf(d.value);
    if (t === 'v128') throw new TypeError('WebAssembly.Global: v128 globals cannot be created from JS');
    const v = toWebAssemblyValue(t, value === undefined ? defaultJSValue(t) : value);
    const g = RtGlobal.create(null, { type: t, mutable } as GlobalType, v);
    rtGlobal.set(this, g);
    facadeGlobal.set(g, this);
  }

  get value(): unknown {
    const g = engineGlobal(this);
    if (g.type.type === 'v128') throw new TypeError('WebAssembly.Global: v128 has no JS value');
    return toJSValue(g.type.type, g.get());
  }

  set value(v: unknown) {
    const g = engineGlobal(this);
    if (!g.type.mutable) throw new TypeError('WebAssembly.Global: cannot set the value of an immutable global');
    if (g.type.type === 'v128') throw new TypeError('WebAssembly.Global: v128 has no JS value');
    g.set(toWebAssemblyValue(g.type.type, v));
  }

  valueOf(): unknown {
    return this.value;
  }

  get [Symbol.toStringTag](): string { return 'WebAssembly.Global'; }
}

export function engineGlobal(g: unknown): RtGlobal {
  const r = typeof g === 'object' && g !== null ? rtGlobal.get(g) : undefined;
  if (!r) throw new TypeError('not a WebAssembly.Global');
  return r;
}
export function isGlobal(g: unknown): g is Global {
  return typeof g === 'object' && g !== null && rtGlobal.has(g);
}
export function wrapGlobal(g: RtGlobal): Global {
  let f = facadeGlobal.get(g);
  if (!f) {
    f = Object.create(Global.prototype) as Global;
    rtGlobal.set(f, g);
    facadeGlobal.set(g, f);
  }
  return f;
}

// ---------------------------------------------------------------- Tag

const rtTag = new WeakMap<object, RtTag>();
const facadeTag = new WeakMap<RtTag, Tag>();

export class Tag {
  constructor(type: { parameters: Iterable<string> }) {
    const d = requireObject(type, 'WebAssembly.Tag type');
    const ps = d.parameters;
    if (ps === null || ps === undefined || typeof (ps as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError('WebAssembly.Tag: parameters must be an iterable');
    }
    const params = Array.from(ps as Iterable<unknown>, valTypeOf);
    const t = RtTag.create(null, { kind: 'func', params, results: [] });
    rtTag.set(this, t);
    facadeTag.set(t, this);
  }
  get [Symbol.toStringTag](): string { return 'WebAssembly.Tag'; }
}

export function engineTag(t: unknown): RtTag {
  const r = typeof t === 'object' && t !== null ? rtTag.get(t) : undefined;
  if (!r) throw new TypeError('not a WebAssembly.Tag');
  return r;
}
export function isTag(t: unknown): t is Tag {
  return typeof t === 'object' && t !== null && rtTag.has(t);
}
export function wrapTag(t: RtTag): Tag {
  let f = facadeTag.get(t);
  if (!f) {
    f = Object.create(Tag.prototype) as Tag;
    rtTag.set(f, t);
    facadeTag.set(t, f);
  }
  return f;
}

// ---------------------------------------------------------------- Exception

/**
 * WebAssembly.Exception. It *is* an engine WasmException (so Wasm code catches it by tag when
 * JS throws it through Wasm frames); a Wasm exception that escapes to JS gets this prototype
 * (errors.ts's hook), so its identity survives the round trip JS -> Wasm -> JS.
 */
export class Exception extends WasmException {
  constructor(tag: Tag, payload: Iterable<unknown>, options?: { traceStack?: boolean }) {
    super(engineTag(tag), exceptionPayload(engineTag(tag).type, payload));
    const trace = options !== undefined && options !== null && Boolean((options as { traceStack?: unknown }).traceStack);
    if (!trace) Object.defineProperty(this, 'stack', { value: undefined, writable: true, configurable: true });
  }

  is(tag: Tag): boolean {
    return this.tag === engineTag(tag);
  }

  getArg(tag: Tag, index: number): unknown {
    if (!this.is(tag)) throw new TypeError('WebAssembly.Exception.getArg: tag mismatch');
    const i = enforceRange(index, 'WebAssembly.Exception.getArg index');
    const params = this.tag.type.params;
    if (i >= params.length) throw new RangeError('WebAssembly.Exception.getArg: index out of bounds');
    return toJSValue(params[i], toApi(params[i], this.payload[i]));
  }

  get [Symbol.toStringTag](): string { return 'WebAssembly.Exception'; }
}
Object.defineProperty(Exception.prototype, 'name', { value: 'Exception', writable: true, configurable: true });

function exceptionPayload(type: FuncType, payload: Iterable<unknown>): unknown[] {
  if (payload === null || payload === undefined || typeof (payload as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError('WebAssembly.Exception: payload must be an iterable');
  }
  const values = Array.from(payload);
  const params = type.params;
  if (values.length !== params.length) throw new TypeError(`WebAssembly.Exception: expected ${params.length} payload values, got ${values.length}`);
  const out = genericArray(params.length);
  for (let i = 0; i < params.length; i++) out[i] = toInternal(params[i], toWebAssemblyValue(params[i], values[i]));
  return out;
}

exceptionHook.toFacade = (e: WasmException): unknown => {
  if (!(e instanceof Exception)) Object.setPrototypeOf(e, Exception.prototype);
  return e;
};
