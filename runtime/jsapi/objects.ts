// WebAssembly.Memory / Table / Global / Tag / Exception: facade objects, each a view of one
// engine object (runtime/objects.ts). One engine object has at most one facade object, so an
// extern exported twice, or exported and imported elsewhere, is the same JS object.
//
// Descriptor members are read in the order the JS-API tests (and V8) expect, each converted
// as soon as it is read: for Memory `address`, `initial`, `maximum`, `shared`; for Table
// `element`, `address`, `initial`, `maximum`. Sizes are AddressValues ([EnforceRange]
// unsigned long for "i32" addresses, BigInt for "i64"): a value outside that range is a
// TypeError, a type the core spec deems invalid or an allocation that fails a RangeError.
// Global's optional value given as undefined counts as missing (WebIDL) and gets the type's
// default; a Table's optional value is missing only when not passed at all, so
// `table.set(i, undefined)` converts undefined (a TypeError for funcref), as the JS-API tests
// and V8 have it.

import {
  EXTERNREF,
  FUNCREF,
  ref,
  type FuncType,
  type GlobalType,
  type MemoryType,
  type RefType,
  type TableType,
  type ValType,
} from '../../compiler/ir';
import {
  Global as RtGlobal,
  Memory as RtMemory,
  Table as RtTable,
  Tag as RtTag,
  genericArray,
  toApi,
  toInternal,
  type SharedMemoryHandle,
} from '../objects';
import { WasmException } from '../errors';
import {
  addressValue,
  defaultJSValue,
  dictionary,
  enforceRange,
  enumValue,
  hasNoJSValue,
  sequence,
  toAddressValue,
  toJSValue,
  toWebAssemblyValue,
  type AddressType,
} from './values';
import { exceptionHook, jsTagHolder } from './errors';
import { defineInterface } from './webidl';

const ADDRESS_TYPES: readonly AddressType[] = ['i32', 'i64'];
/** Core spec bounds on memory sizes, in 64 KiB pages. */
const MAX_PAGES: Record<AddressType, number> = { i32: 65536, i64: 2 ** 48 };
/** The JS API's bound on a table's size (its implementation limit). */
const MAX_TABLE_LENGTH = 10_000_000;

function addressType(d: Record<string, unknown>, what: string): AddressType {
  const a = d.address;
  return a === undefined ? 'i32' : enumValue(a, ADDRESS_TYPES, `${what}: address`);
}

/** Reads the required `initial` and the optional `maximum` of a descriptor, in that order. */
function limits(d: Record<string, unknown>, addr: AddressType, what: string): { min: number; max?: number } {
  const initial = d.initial;
  if (initial === undefined) throw new TypeError(`${what}: the descriptor needs an 'initial' value`);
  const min = addressValue(initial, addr, `${what}: initial`);
  const maximum = d.maximum;
  if (maximum === undefined) return { min };
  return { min, max: addressValue(maximum, addr, `${what}: maximum`) };
}

// ---------------------------------------------------------------- Memory

const rtMemory = new WeakMap<object, RtMemory>();
const facadeMemory = new WeakMap<RtMemory, Memory>();

export class Memory {
  constructor(descriptor: {
    initial: number | bigint;
    maximum?: number | bigint;
    shared?: boolean;
    address?: AddressType;
  }) {
    const what = 'WebAssembly.Memory';
    const d = dictionary(descriptor, `${what}: descriptor`);
    const addr = addressType(d, what);
    const lim = limits(d, addr, what);
    const shared = Boolean(d.shared);
    if (shared && lim.max === undefined) throw new TypeError(`${what}: a shared memory needs a maximum`);
    if (lim.max !== undefined && lim.min > lim.max) throw new RangeError(`${what}: initial is larger than maximum`);
    if (lim.min > MAX_PAGES[addr] || (lim.max !== undefined && lim.max > MAX_PAGES[addr])) {
      throw new RangeError(`${what}: a size is larger than ${MAX_PAGES[addr]} pages`);
    }
    const type: MemoryType = { limits: lim, shared, addr, pageSizeLog2: 16 };
    let mem: RtMemory;
    try {
      mem = RtMemory.create(null, type);
    } catch {
      throw new RangeError(`${what}: could not allocate memory`);
    }
    rtMemory.set(this, mem);
    facadeMemory.set(mem, this);
  }

  /** Grows by `delta` pages; returns the old size in pages. RangeError if it cannot grow. */
  grow(delta: number | bigint): number | bigint {
    const mem = engineMemory(this);
    const addr = mem.type.addr;
    const d = addressValue(delta, addr, 'WebAssembly.Memory.grow: delta');
    const old = mem.grow(d, true);
    if (old < 0) throw new RangeError('WebAssembly.Memory.grow: could not grow memory');
    if (d === 0) refreshBuffer(mem);
    return toAddressValue(old, addr);
  }

  /** The ArrayBuffer of the memory; replaced (and the old one detached) by every grow. */
  get buffer(): ArrayBuffer {
    return engineMemory(this).buffer;
  }
}
defineInterface(Memory, 'Memory', 1, {
  operations: { grow: 1 },
  attributes: ['buffer'],
  toStringTag: 'WebAssembly.Memory',
});

/**
 * Replaces the buffer of a memory by a new ArrayBuffer holding the same bytes and detaches
 * the old one, as the JS API requires even for grow(0).
 */
function refreshBuffer(mem: RtMemory): void {
  mem.renewBuffer();
}

export function engineMemory(m: unknown): RtMemory {
  const r = typeof m === 'object' && m !== null ? (rtMemory.get(m) ?? memoryFromWire(m)) : undefined;
  if (!r) throw new TypeError('not a WebAssembly.Memory');
  return r;
}
export function isMemory(m: unknown): m is Memory {
  return typeof m === 'object' && m !== null && (rtMemory.has(m) || memoryFromWire(m) !== undefined);
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

/**
 * A handle to a shared WebAssembly.Memory's storage for another agent (runtime/objects.ts
 * `Memory.prototype.share`). A native engine's Memory can itself be posted to a worker; the
 * facade's objects keep their state out of reach of structured cloning, so a worker is
 * posted this handle and makes a Memory of the same storage with `memoryFromShared`.
 */
export function shareMemory(m: Memory): SharedMemoryHandle {
  return engineMemory(m).share();
}

/** The facade Memory of a handle from `shareMemory` (in any agent). */
export function memoryFromShared(handle: SharedMemoryHandle): Memory {
  return wrapMemory(RtMemory.fromShared(null, handle));
}

// ---------------------------------------------------------------- wire forms
//
// A native engine's Module and shared Memory survive structured cloning (postMessage to a
// worker): the clone is a Module of the same code, a Memory of the same storage. The
// facade's objects keep their state in WeakMaps, out of the clone's reach, so a host binding
// (node/agents.ts) replaces them in outgoing messages by their wire forms: plain objects
// under one reserved key that cloning copies whole. The receiving agent's facade turns a wire
// form into the object it stands for when one of its operations first meets it, in place,
// so every reference the receiver holds (Emscripten keeps the memory in a variable and reads
// its `buffer` before and after instantiating) sees a real Memory from then on.

/** The key of a Memory's wire form; the value is its SharedMemoryHandle. */
export const MEMORY_WIRE_KEY = 'jetwasm.Memory';

/**
 * A shared Memory's wire form: the handle, and `buffer` as a data property, what the receiver
 * reads before the form is first used. Native cloning of an unshared Memory is a
 * DataCloneError, and so is this.
 */
export function memoryToWire(m: Memory): object {
  const mem = engineMemory(m);
  if (!mem.type.shared) throw dataCloneError('an unshared WebAssembly.Memory cannot be cloned');
  const handle = mem.share();
  return { [MEMORY_WIRE_KEY]: handle, buffer: handle.buffer };
}

/** The memory a wire form stands for, made a facade Memory in place; undefined for anything else. */
function memoryFromWire(o: object): RtMemory | undefined {
  if (!Object.prototype.hasOwnProperty.call(o, MEMORY_WIRE_KEY)) return undefined;
  const handle = wireHandle((o as Record<string, unknown>)[MEMORY_WIRE_KEY]);
  if (handle === null) return undefined;
  let mem: RtMemory;
  try {
    mem = RtMemory.fromShared(null, handle);
  } catch {
    return undefined;
  }
  upgradeInPlace(o, Memory.prototype);
  rtMemory.set(o, mem);
  facadeMemory.set(mem, o as Memory);
  return mem;
}

/**
 * The share handle a received wire form holds, with a memory type rebuilt from checked
 * fields (a message may come from anywhere a port was handed to); null if it is not one.
 */
function wireHandle(h: unknown): SharedMemoryHandle | null {
  if (typeof h !== 'object' || h === null) return null;
  const { buffer, lock, type } = h as Partial<Record<keyof SharedMemoryHandle, unknown>>;
  if (typeof type !== 'object' || type === null) return null;
  const t = type as Partial<Record<keyof MemoryType, unknown>>;
  const limits = t.limits as { min?: unknown; max?: unknown } | null | undefined;
  const addr = t.addr;
  const pageSizeLog2 = t.pageSizeLog2;
  const max = limits?.max;
  if (t.shared !== true || (addr !== 'i32' && addr !== 'i64') || (pageSizeLog2 !== 16 && pageSizeLog2 !== 0))
    return null;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) return null;
  if (max * 2 ** pageSizeLog2 > 2 ** (addr === 'i32' ? 32 : 64)) return null;
  const clean: MemoryType = { limits: { min: 0, max }, shared: true, addr, pageSizeLog2 };
  return { buffer, lock, type: clean } as SharedMemoryHandle;
}

/** Turns a received wire form into an object of `proto`'s interface: own properties gone. */
export function upgradeInPlace(o: object, proto: object): void {
  for (const k of Reflect.ownKeys(o)) Reflect.deleteProperty(o, k);
  Object.setPrototypeOf(o, proto);
}

/** The DOMException structured cloning throws, where the host has DOMException. */
export function dataCloneError(message: string): Error {
  const D = (globalThis as { DOMException?: new (m: string, name: string) => Error }).DOMException;
  return typeof D === 'function' ? new D(message, 'DataCloneError') : new TypeError(message);
}

// ---------------------------------------------------------------- Table

const rtTable = new WeakMap<object, RtTable>();
const facadeTable = new WeakMap<RtTable, Table>();

export type RefTypeName =
  | 'anyfunc'
  | 'funcref'
  | 'externref'
  | 'anyref'
  | 'eqref'
  | 'i31ref'
  | 'structref'
  | 'arrayref'
  | 'nullref'
  | 'nullfuncref'
  | 'nullexternref';

const REF_TYPES: Record<string, RefType> = {
  anyfunc: FUNCREF,
  funcref: FUNCREF,
  externref: EXTERNREF,
  anyref: ref(true, 'any'),
  eqref: ref(true, 'eq'),
  i31ref: ref(true, 'i31'),
  structref: ref(true, 'struct'),
  arrayref: ref(true, 'array'),
  nullref: ref(true, 'none'),
  nullfuncref: ref(true, 'nofunc'),
  nullexternref: ref(true, 'noextern'),
};
const REF_TYPE_NAMES = Object.keys(REF_TYPES);
const VALUE_TYPE_NAMES = ['i32', 'i64', 'f32', 'f64', 'v128', ...REF_TYPE_NAMES];

function refTypeOf(name: unknown, what: string): RefType {
  return REF_TYPES[enumValue(name, REF_TYPE_NAMES, what)];
}

export function valTypeOf(name: unknown, what: string): ValType {
  const s = enumValue(name, VALUE_TYPE_NAMES, what);
  return s === 'i32' || s === 'i64' || s === 'f32' || s === 'f64' || s === 'v128' ? s : REF_TYPES[s];
}

export class Table {
  constructor(
    descriptor: { element: RefTypeName; initial: number | bigint; maximum?: number | bigint; address?: AddressType },
    value?: unknown,
  ) {
    const what = 'WebAssembly.Table';
    const d = dictionary(descriptor, `${what}: descriptor`);
    const elem = refTypeOf(d.element, `${what}: element`);
    const addr = addressType(d, what);
    const lim = limits(d, addr, what);
    if (lim.max !== undefined && lim.min > lim.max) throw new RangeError(`${what}: initial is larger than maximum`);
    const init = arguments.length < 2 ? defaultJSValue(elem) : toWebAssemblyValue(elem, value);
    if (lim.min > MAX_TABLE_LENGTH)
      throw new RangeError(`${what}: initial is larger than the implementation limit of ${MAX_TABLE_LENGTH}`);
    const type: TableType = { limits: lim, elem, addr };
    // The constructor, not Table.create: `undefined` is an externref value, not "no value".
    const t = new RtTable(type, toInternal(elem, init));
    rtTable.set(this, t);
    facadeTable.set(t, this);
  }

  grow(delta: number | bigint, value?: unknown): number | bigint {
    const t = engineTable(this);
    const addr = t.type.addr;
    const d = addressValue(delta, addr, 'WebAssembly.Table.grow: delta');
    const v = arguments.length < 2 ? defaultJSValue(t.elemType) : toWebAssemblyValue(t.elemType, value);
    const old = t.growInternal(d, toInternal(t.elemType, v));
    if (old < 0) throw new RangeError('WebAssembly.Table.grow: could not grow table');
    return toAddressValue(old, addr);
  }

  get(index: number | bigint): unknown {
    const t = engineTable(this);
    if (hasNoJSValue(t.elemType)) throw new TypeError('WebAssembly.Table.get: the element type has no JS value');
    const i = addressValue(index, t.type.addr, 'WebAssembly.Table.get: index');
    if (i >= t.size()) throw new RangeError('WebAssembly.Table.get: index out of bounds');
    return toJSValue(t.elemType, t.get(i));
  }

  set(index: number | bigint, value?: unknown): void {
    const t = engineTable(this);
    if (hasNoJSValue(t.elemType)) throw new TypeError('WebAssembly.Table.set: the element type has no JS value');
    const i = addressValue(index, t.type.addr, 'WebAssembly.Table.set: index');
    const v = arguments.length < 2 ? defaultJSValue(t.elemType) : toWebAssemblyValue(t.elemType, value);
    if (i >= t.size()) throw new RangeError('WebAssembly.Table.set: index out of bounds');
    t.set(i, v);
  }

  get length(): number | bigint {
    const t = engineTable(this);
    return toAddressValue(t.size(), t.type.addr);
  }
}
defineInterface(Table, 'Table', 1, {
  operations: { grow: 1, get: 1, set: 1 },
  attributes: ['length'],
  toStringTag: 'WebAssembly.Table',
});

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
  constructor(descriptor: { value: string; mutable?: boolean }, v?: unknown) {
    const what = 'WebAssembly.Global';
    const d = dictionary(descriptor, `${what}: descriptor`);
    const mutable = Boolean(d.mutable);
    const name = d.value;
    if (name === undefined) throw new TypeError(`${what}: the descriptor needs a 'value' type`);
    const t = valTypeOf(name, `${what}: value`);
    if (hasNoJSValue(t))
      throw new TypeError(`${what}: ${typeof t === 'string' ? t : 'exnref'} globals cannot be created from JS`);
    const value = v === undefined ? defaultJSValue(t) : toWebAssemblyValue(t, v);
    const g = RtGlobal.create(null, { type: t, mutable } as GlobalType, value);
    rtGlobal.set(this, g);
    facadeGlobal.set(g, this);
  }

  valueOf(): unknown {
    return globalValue(this);
  }

  get value(): unknown {
    return globalValue(this);
  }

  set value(v: unknown) {
    const g = engineGlobal(this);
    if (hasNoJSValue(g.type.type)) throw new TypeError('WebAssembly.Global: the value type has no JS value');
    if (!g.type.mutable) throw new TypeError('WebAssembly.Global: cannot set the value of an immutable global');
    g.set(toWebAssemblyValue(g.type.type, v));
  }
}
defineInterface(Global, 'Global', 1, {
  operations: { valueOf: 0 },
  attributes: ['value'],
  toStringTag: 'WebAssembly.Global',
});

/** GetGlobalValue: brand check first, then the value. */
function globalValue(global: unknown): unknown {
  const g = engineGlobal(global);
  if (hasNoJSValue(g.type.type)) throw new TypeError('WebAssembly.Global: the value type has no JS value');
  return toJSValue(g.type.type, g.get());
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
    const what = 'WebAssembly.Tag';
    const d = dictionary(type, `${what}: type`);
    if (d.parameters === undefined) throw new TypeError(`${what}: the type needs 'parameters'`);
    const params = sequence(d.parameters, `${what}: parameters`).map((p) => valTypeOf(p, `${what}: parameter`));
    const t = RtTag.create(null, { kind: 'func', params, results: [] });
    rtTag.set(this, t);
    facadeTag.set(t, this);
  }
}
defineInterface(Tag, 'Tag', 1, { toStringTag: 'WebAssembly.Tag' });

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

/** WebAssembly.JSTag: the tag of JS exceptions crossing Wasm frames (values.ts). */
export function jsTag(): Tag {
  return wrapTag(jsTagHolder.engineTag());
}

// ---------------------------------------------------------------- Exception

/**
 * WebAssembly.Exception. It *is* an engine WasmException (so Wasm code catches it by tag when
 * JS throws it through Wasm frames); a Wasm exception that escapes to JS gets this prototype
 * (errors.ts's hook), so its identity survives the round trip JS -> Wasm -> JS.
 */
export class Exception extends WasmException {
  constructor(tag: Tag, payload: Iterable<unknown>, options?: { traceStack?: boolean }) {
    const t = engineTag(tag);
    if (jsTagHolder.isJSTag(t))
      throw new TypeError('WebAssembly.Exception: an exception of WebAssembly.JSTag cannot be created');
    const values = sequence(payload, 'WebAssembly.Exception: payload');
    const opts = dictionary(options, 'WebAssembly.Exception: options');
    super(t, exceptionPayload(t.type, values));
    if (!opts.traceStack)
      Object.defineProperty(this, 'stack', { value: undefined, writable: true, configurable: true });
  }

  getArg(tag: Tag, index: number): unknown {
    const t = engineTag(tag);
    const i = enforceRange(index, 'WebAssembly.Exception.getArg: index');
    if (this.tag !== t) throw new TypeError('WebAssembly.Exception.getArg: tag mismatch');
    const params = this.tag.type.params;
    if (i >= params.length) throw new RangeError('WebAssembly.Exception.getArg: index out of bounds');
    if (hasNoJSValue(params[i])) throw new TypeError('WebAssembly.Exception.getArg: the value has no JS value');
    return toJSValue(params[i], toApi(params[i], this.payload[i]));
  }

  is(tag: Tag): boolean {
    return this.tag === engineTag(tag);
  }
}
defineInterface(Exception, 'Exception', 2, { operations: { getArg: 2, is: 1 }, toStringTag: 'WebAssembly.Exception' });
Object.defineProperty(Exception.prototype, 'name', { value: 'Exception', writable: true, configurable: true });

function exceptionPayload(type: FuncType, values: unknown[]): unknown[] {
  const params = type.params;
  if (values.length !== params.length)
    throw new TypeError(`WebAssembly.Exception: expected ${params.length} payload values, got ${values.length}`);
  const out = genericArray(params.length);
  for (let i = 0; i < params.length; i++) {
    if (hasNoJSValue(params[i]))
      throw new TypeError('WebAssembly.Exception: a v128 or exnref payload value cannot come from JS');
    out[i] = toInternal(params[i], toWebAssemblyValue(params[i], values[i]));
  }
  return out;
}

exceptionHook.toFacade = (e: WasmException): unknown => {
  if (jsTagHolder.isJSTag(e.tag)) return toJSValue(EXTERNREF, toApi(EXTERNREF, e.payload[0]));
  if (!(e instanceof Exception)) Object.setPrototypeOf(e, Exception.prototype);
  return e;
};
