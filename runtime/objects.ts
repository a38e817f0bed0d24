// Extern objects (Func, Memory, Table, Global, Tag) and the conversion of values between
// the public API ("WasmValue") and the representation generated code uses internally.
//
// Internal representation (docs/ARCHITECTURE.md): i32 int32 number, i64 signed bigint, f32
// carried number (runtime/vm/values.ts), f64 number, v128 immutable Int32Array(4), funcref = a callable
// JS function tagged with its canonical type id under TY, or null; other references as is.
// API representation differs only for v128 (Uint8Array(16)) and funcref (Func).

import type { FuncType, GlobalType, MemoryType, TableType, ValType, RefType, ModuleIR } from '../compiler/ir';
import { canonicalValType, typeRegistry } from '../types';
import { SlabKind, type RefCell, type VMContext, type VMMemory, type VMOffsets, type VMTable } from '../vmctx';
import { DisposedError, RuntimeError, toTrap } from './errors';
import { TRAP } from '../vmctx/traps';
import { v128FromBytes, v128ToBytes } from './vm/simd';
import { NAN_CARRIERS } from '../vmctx/nan';
import { isNaNBits } from './vm/values';
import { checkMemoryCreation, checkTableCreation, type ResourceLimiter } from './limits';
import { Store, limiterOf } from './store';

/** Property under which a callable carries its canonical function type id. */
export const TY: unique symbol = Symbol('wasm.functype');

export type Callable = ((...args: unknown[]) => unknown) & { [TY]?: number };

/** Multi-value return area shared by all generated code: result i (i >= 1) lives in
 *  rI32[2i] / rI64[i] / rF64[i] / rRef[i] by type (typed arrays keep NaN bits exact). */
const RET_SLOTS = 4096;
const retBuf = new ArrayBuffer(8 * RET_SLOTS);
export const rI32 = new Int32Array(retBuf);
export const rI64 = new BigInt64Array(retBuf);
/** Where NaNs need carriers (vmctx/nan.ts) a generic array, since a Float64Array cannot hold one. */
export const rF64: Float64Array | number[] = NAN_CARRIERS
  ? new Array<number>(RET_SLOTS).fill(0)
  : new Float64Array(retBuf);
export const rRef: unknown[] = new Array<unknown>(RET_SLOTS).fill(null);

function readReturnSlot(t: ValType, i: number): unknown {
  switch (t) {
    case 'i32':
      return rI32[2 * i];
    case 'i64':
      return rI64[i];
    case 'f32':
    case 'f64':
      return rF64[i];
    default:
      return rRef[i];
  }
}
function writeReturnSlot(t: ValType, i: number, v: unknown): void {
  switch (t) {
    case 'i32':
      rI32[2 * i] = v as number;
      break;
    case 'i64':
      rI64[i] = v as bigint;
      break;
    case 'f32':
    case 'f64':
      rF64[i] = v as number;
      break;
    default:
      rRef[i] = v;
  }
}

// ---------------------------------------------------------------- canonical ids of host types

/** Canonical id of a stand-alone function type (no concrete heap types inside). */
function canonicalFuncTypeId(type: FuncType): number {
  const m = {
    types: [{ final: true, supers: [], comp: type }],
    recGroups: [{ start: 0, count: 1 }],
  } as unknown as ModuleIR;
  return typeRegistry.canonicalize(m)[0];
}

// ---------------------------------------------------------------- store ownership

/**
 * The store each extern belongs to: the store it was created for (`create(store, ...)`,
 * `Func.fromHost(store, ...)`) or the store of the instance that defined it. A Func is keyed
 * by its callable, so every Func wrapper of one function (an export, a table element read
 * back) has the same owner. Externs created with a null store belong to none and may be
 * imported anywhere. Instantiation refuses imports owned by a store of another extern
 * domain (runtime/instance.ts): a function compiled for one store charges that store's fuel
 * and obeys its deadlines, and a memory or table keeps its creator's limiter.
 */
const externStores = new WeakMap<object, Store>();

/**
 * The owner of a defined function's callable, kept on the callable itself (like its type,
 * TY): a module may define hundreds of thousands of functions, and a WeakMap entry each is
 * instantiation time and collector work. Only callables the generated code made carry it.
 */
const CODE_STORE = Symbol('jetwasm.store');

/** Records `store` (when it is one) as the owner of an extern or of a function's callable. */
export function setExternStore(ext: object, store: unknown): void {
  if (store instanceof Store) externStores.set(ext, store);
}

/** Records `store` (when it is one) as the owner of `code`, a callable the generated code made. */
export function setCodeStore(code: object, store: unknown): void {
  if (store instanceof Store) (code as { [CODE_STORE]?: Store })[CODE_STORE] = store;
}

/** The store an extern belongs to, or undefined for store-independent externs. */
export function externStore(ext: unknown): Store | undefined {
  if (ext instanceof Func)
    return (ext.callable as { [CODE_STORE]?: Store })[CODE_STORE] ?? externStores.get(ext.callable);
  return ext !== null && typeof ext === 'object' ? externStores.get(ext) : undefined;
}

// ---------------------------------------------------------------- value conversion

const funcOfCallable = new WeakMap<Function, Func>();

export function toInternal(t: ValType, v: unknown): unknown {
  switch (t) {
    case 'i32':
      return Number(v) | 0;
    case 'i64':
      return BigInt.asIntN(64, BigInt(v as bigint));
    // A NaNBits carrier (runtime/vm/values.ts) is already the internal value.
    case 'f32': {
      if (isNaNBits(v)) return v;
      const x = Number(v);
      return x === x ? Math.fround(x) : x;
    }
    case 'f64':
      return isNaNBits(v) ? v : Number(v);
    case 'v128':
      if (v instanceof Int32Array && v.length === 4) return Int32Array.from(v);
      return v128FromBytes(v as ArrayLike<number>);
    default:
      if (v instanceof Func) return v.callable;
      return v;
  }
}

/**
 * An internal value as an API value. A function in a reference slot is a Wasm function (its
 * callable, tagged with TY) when the slot's type is in the func hierarchy (named or a
 * concrete type, whose function values are always Wasm functions) or when it carries TY (an
 * embedder's Func stored as externref, which toInternal unwraps). Any other function is a
 * host value held as externref or anyref and passes as itself.
 */
export function toApi(t: ValType, v: unknown): unknown {
  if (t === 'v128') return v128ToBytes(v as Int32Array);
  if (typeof t === 'object' && typeof v === 'function') {
    const h = t.heap;
    if ((v as Callable)[TY] !== undefined || h === 'func' || h === 'nofunc' || typeof h === 'number')
      return funcFromCallable(v as Callable);
  }
  return v;
}

/** The Func wrapping a callable (created on first use for defined functions). */
function funcFromCallable(c: Callable): Func {
  let f = funcOfCallable.get(c);
  if (!f) {
    const id = c[TY];
    if (id === undefined) throw new TypeError('not a WebAssembly function');
    const st = typeRegistry.get(id);
    if (st.comp.kind !== 'func') throw new TypeError('not a function type');
    f = new Func(c, st.comp, id);
  }
  return f;
}

// ---------------------------------------------------------------- Func

/**
 * An array safe for Wasm numbers: V8 stores all-number arrays as raw doubles and quiets
 * signalling NaNs on the way in; an array that starts with a non-number element keeps
 * generic elements, whose boxed numbers keep every bit.
 */
export function genericArray(n: number): unknown[] {
  return new Array<unknown>(n).fill(null);
}

export type HostFunction = (...args: unknown[]) => unknown;

// Calling convention of generated code (compiler/translate/i64.ts): an i64 argument is two
// int32 words (lo, hi); an i64 first result returns its low word and leaves the high word in
// rI32[1]; an i64 result i >= 1 is rI64[i] (the words rI32[2i], rI32[2i+1]).
/**
 * The messages of the RangeErrors this host's DataView throws for an access out of its bounds
 * (each engine words them its own way, some by how far out the offset is), learnt once by
 * provoking each kind: past the end, beyond 2^32 and 2^53, and negative. Learnt at load,
 * not at the first RangeError: that may be a stack overflow, near the stack's limit, where
 * provoking the others could throw a stack overflow too and teach its message.
 */
const DATAVIEW_BOUNDS_MESSAGES: ReadonlySet<string> = ((): Set<string> => {
  const out = new Set<string>(['Offset is outside the bounds of the DataView']);
  const dv = new DataView(new ArrayBuffer(0));
  for (const offset of [0, 2 ** 32, 2 ** 60, -1]) {
    try {
      dv.getInt8(offset);
    } catch (e) {
      if (e instanceof RangeError) out.add(e.message);
    }
  }
  return out;
})();

/**
 * Converts what generated code threw into what the host observes: stack overflow becomes the
 * trap "call stack exhausted", and a DataView bounds failure (generated code leaves 32-bit
 * memory bounds checks to the DataView, see compiler/translate/func.ts effectiveAddress)
 * becomes the trap "out of bounds memory access". Other values pass through.
 */
export function toTrapValue(e: unknown): unknown {
  if (e instanceof RangeError && DATAVIEW_BOUNDS_MESSAGES.has(e.message))
    return new RuntimeError(TRAP.memoryOutOfBounds);
  return toTrap(e);
}

function wordsToBig(lo: number, hi: number): bigint {
  return (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
}
function returnFirst(t: ValType, v: unknown): unknown {
  if (t !== 'i64') return v;
  rI32[1] = Number(BigInt.asIntN(32, (v as bigint) >> 32n));
  return Number(BigInt.asIntN(32, v as bigint));
}

/**
 * Callables whose owning instance (or store) has been disposed, mapped to the message a call
 * raises. Entries are added only by dispose(); a callable never leaves the map.
 */
export const disposedCallables = new WeakMap<Function, string>();

export class Func {
  /** @internal use Func.fromHost or an instance's exports. */
  constructor(
    readonly callable: Callable,
    readonly type: FuncType,
    readonly typeId: number,
  ) {
    funcOfCallable.set(callable, this);
  }

  /** A host function; `store` (or null: usable in every store) owns it. */
  static fromHost(store: unknown, type: FuncType, fn: HostFunction): Func {
    const { params, results } = type;
    const callable: Callable = (...args: unknown[]): unknown => {
      const apiArgs = genericArray(params.length);
      // Generated code passes an i64 argument as two int32 words (lo, hi).
      for (let i = 0, k = 0; i < params.length; i++) {
        if (params[i] === 'i64') {
          apiArgs[i] = wordsToBig(args[k] as number, args[k + 1] as number);
          k += 2;
        } else apiArgs[i] = toApi(params[i], args[k++]);
      }
      const r = fn(...apiArgs);
      if (results.length === 0) return undefined;
      if (results.length === 1) return returnFirst(results[0], toInternal(results[0], Array.isArray(r) ? r[0] : r));
      const arr = r as unknown[];
      if (!Array.isArray(arr) || arr.length !== results.length)
        throw new TypeError('host function returned the wrong number of results');
      for (let i = 1; i < results.length; i++) writeReturnSlot(results[i], i, toInternal(results[i], arr[i]));
      return returnFirst(results[0], toInternal(results[0], arr[0]));
    };
    const id = canonicalFuncTypeId(type);
    callable[TY] = id;
    setExternStore(callable, store);
    return new Func(callable, type, id);
  }

  /** Set on first call: the signature has at most 4 parameters and 1 result, all i32/f32/f64
   *  (no conversion beyond ToNumber), so `call` needs no argument array. */
  private plain?: boolean;

  call(...args: unknown[]): unknown[] {
    const disposed = disposedCallables.get(this.callable);
    if (disposed !== undefined) throw new DisposedError(disposed);
    const { params, results } = this.type;
    if (this.plain === undefined) {
      this.plain =
        params.length <= 4 && results.length <= 1 && params.every(isNumberType) && results.every(isNumberType);
    }
    if (this.plain) return this.callPlain(params, results, args);
    if (args.length !== params.length) throw new TypeError(`expected ${params.length} arguments, got ${args.length}`);
    const internal = genericArray(params.length + params.filter((t) => t === 'i64').length);
    for (let i = 0, k = 0; i < params.length; i++) {
      const v = toInternal(params[i], args[i]);
      if (params[i] === 'i64') {
        internal[k++] = Number(BigInt.asIntN(32, v as bigint));
        internal[k++] = Number(BigInt.asIntN(32, (v as bigint) >> 32n));
      } else internal[k++] = v;
    }
    let r: unknown;
    try {
      r = this.callable(...internal);
      if (results[0] === 'i64') r = wordsToBig(r as number, rI32[1]);
    } catch (e) {
      throw toTrapValue(e);
    }
    if (results.length === 0) return [];
    const out = genericArray(results.length);
    out[0] = toApi(results[0], r);
    for (let i = 1; i < results.length; i++) out[i] = toApi(results[i], readReturnSlot(results[i], i));
    return out;
  }

  /**
   * For signatures of at most 6 parameters, each i32, f32 or f64, and no result or one
   * i32/i64/f32/f64 result: a function calling this function with arguments that are
   * already values of those types (as `call` would convert them), returning the result
   * itself (a bigint for i64; undefined without a result). Traps and disposal raise as from
   * `call`. Null for other signatures. It spares hot JS-to-Wasm calls `call`'s arrays.
   */
  directCaller(): ((...args: number[]) => unknown) | null {
    const { params, results } = this.type;
    if (
      params.length > 6 ||
      !params.every(isNumberType) ||
      results.length > 1 ||
      (results.length === 1 && !isNumberType(results[0]) && results[0] !== 'i64')
    )
      return null;
    const c = this.callable;
    const kind = results.length === 0 ? 0 : results[0] === 'i64' ? 2 : 1;
    return (x0?: number, x1?: number, x2?: number, x3?: number, x4?: number, x5?: number): unknown => {
      const disposed = disposedCallables.get(c);
      if (disposed !== undefined) throw new DisposedError(disposed);
      let r: unknown;
      try {
        r = c(x0, x1, x2, x3, x4, x5);
      } catch (e) {
        throw toTrapValue(e);
      }
      return kind === 0 ? undefined : kind === 1 ? r : wordsToBig(r as number, rI32[1]);
    };
  }

  /** `call` for plain signatures: arguments passed directly, no intermediate arrays. */
  private callPlain(params: readonly ValType[], results: readonly ValType[], args: unknown[]): unknown[] {
    const n = params.length;
    if (args.length !== n) throw new TypeError(`expected ${n} arguments, got ${args.length}`);
    const c = this.callable;
    let r: unknown;
    try {
      switch (n) {
        case 0:
          r = c();
          break;
        case 1:
          r = c(plainArg(params[0], args[0]));
          break;
        case 2:
          r = c(plainArg(params[0], args[0]), plainArg(params[1], args[1]));
          break;
        case 3:
          r = c(plainArg(params[0], args[0]), plainArg(params[1], args[1]), plainArg(params[2], args[2]));
          break;
        default:
          r = c(
            plainArg(params[0], args[0]),
            plainArg(params[1], args[1]),
            plainArg(params[2], args[2]),
            plainArg(params[3], args[3]),
          );
      }
    } catch (e) {
      throw toTrapValue(e);
    }
    if (results.length === 0) return [];
    // A generic array (not a literal, which V8 could store as raw doubles, quieting a
    // signalling NaN result).
    const out = genericArray(1);
    out[0] = r;
    return out;
  }
}

/** i32, f32 and f64: the types whose values cross the API as plain JS numbers. */
function isNumberType(t: ValType): boolean {
  return t === 'i32' || t === 'f32' || t === 'f64';
}

/** Converts an API number argument of a plain type (i32/f32/f64). */
function plainArg(t: ValType, v: unknown): number {
  if (t === 'i32') return Number(v) | 0;
  if (isNaNBits(v)) return v as unknown as number;
  const x = Number(v);
  return t === 'f32' && x === x ? Math.fround(x) : x;
}

// ---------------------------------------------------------------- Memory

/** ES2024's `ArrayBuffer.prototype.transfer`, where the host has it. */
type TransferableBuffer = ArrayBuffer & { transfer?: (newByteLength: number) => ArrayBuffer };

type GrowableSharedBuffer = SharedArrayBuffer & { grow(newByteLength: number): void };

/** A growable SharedArrayBuffer of `bytes` that can grow to `max`, or null where the host has none. */
function growableSharedBuffer(bytes: number, max: number): GrowableSharedBuffer | null {
  if (typeof SharedArrayBuffer !== 'function') return null;
  const Ctor = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => GrowableSharedBuffer;
  const b = new Ctor(bytes, { maxByteLength: max });
  return typeof b.grow === 'function' ? b : null;
}

/** The host's own `WebAssembly.Memory`, as far as a growth store needs it. */
interface HostMemory {
  grow(delta: number): number;
  readonly buffer: ArrayBuffer;
}
type HostMemoryConstructor = new (descriptor: { initial: number; maximum?: number }) => HostMemory;

/**
 * The host's native `WebAssembly.Memory` constructor, captured when this module loads (before
 * the facade may be installed as the global), or null: a host without WebAssembly, or a
 * global that is not the host's own (a polyfill's, this runtime's facade) and would copy on
 * growth like a plain buffer.
 */
const hostMemoryConstructor: HostMemoryConstructor | null = (() => {
  const M = (globalThis as { WebAssembly?: { Memory?: unknown } }).WebAssembly?.Memory;
  if (typeof M !== 'function') return null;
  try {
    return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(M))
      ? (M as HostMemoryConstructor)
      : null;
  } catch {
    return null;
  }
})();

/** The host's Wasm page, the unit of a host memory's size. */
const HOST_PAGE = 65536;

/**
 * A memory created with this many bytes or more lives in a host memory from the start (see
 * Memory). A host reserves address space for each of its memories, which the thousands of
 * small memories a test suite creates would exhaust; a large one is a program's heap.
 */
const HOST_STORE_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Growth to this many bytes or more moves an unshared memory into a host memory. A memory
 * that grows is a program's heap, which usually grows again, each time at the cost of a
 * copy and of first touching every page of the new store; below this size it is a test's
 * scratch memory, whose copies are small.
 */
const HOST_STORE_GROWTH_MIN_BYTES = 1024 * 1024;

/**
 * A host memory of `bytes` for an unshared memory of type `type` (see Memory), or null: no
 * host memory, a page size other than the host's, a size below `minBytes`, or the host
 * refused (its limits on address space for its reservations).
 */
function newHostMemory(type: MemoryType, bytes: number, minBytes: number): HostMemory | null {
  if (hostMemoryConstructor === null || type.shared || 2 ** type.pageSizeLog2 !== HOST_PAGE) return null;
  if (bytes < minBytes) return null;
  const max = type.limits.max;
  try {
    return new hostMemoryConstructor({
      initial: bytes / HOST_PAGE,
      maximum: max !== undefined && max <= MAX_MEMORY_BYTES / HOST_PAGE ? max : undefined,
    });
  } catch {
    return null;
  }
}

/**
 * What another agent needs to use a shared memory (`Memory.prototype.share`): its growable
 * SharedArrayBuffer, the word that orders growth between agents, and the declared type.
 * Structured-cloneable: post it to a Worker.
 */
export interface SharedMemoryHandle {
  readonly buffer: SharedArrayBuffer;
  readonly lock: Int32Array;
  readonly type: MemoryType;
}

/** Largest memory we allocate, in bytes (ArrayBuffer limit on Node 20 is above this). */
const MAX_MEMORY_BYTES = 2 ** 32;

/**
 * A linear memory. Generated code reads it through `dv`, `u8` and `byteLength`, views of
 * exactly the memory's length over a backing store; growth replaces the views and then
 * refreshes every instance's cached ones, so the VMMemory invariant in vmctx/ holds before
 * control returns to Wasm code.
 *
 * The store of an unshared memory may be longer than the memory (spare capacity), which
 * makes growth inside it free; the JS-visible `buffer` must have exactly the memory's
 * length and be detached by growth (the JS API's rules), so reading `buffer` first makes
 * the store exact. Growth adds spare capacity only when `buffer` was not read since the
 * previous growth, i.e. when the program grows again without JS looking (an allocator
 * growing page by page inside one call); when JS reads `buffer` after each growth (the
 * glue of wasm-bindgen and Emscripten does), growth stays exact and costs one copy, as it
 * would anyway. A store is replaced by the host's `transfer` where it has one (ES2024:
 * the host may reallocate instead of copying), else by a copy; the old store is detached.
 *
 * Where the host has a WebAssembly engine of its own (a JIT host running this runtime for
 * its instrumentation or sandboxing, or next to code that needs it), an unshared memory with
 * 64 KiB pages that is created with HOST_STORE_MIN_BYTES or more, or grows to
 * HOST_STORE_GROWTH_MIN_BYTES or more, lives (from creation, or after one last copy) in a
 * host `WebAssembly.Memory` used as a store: the host grows it in place (it reserved the
 * address space), its `buffer` always has exactly the memory's length, and growth detaches
 * the old one, the JS API's rules exactly. Programs that grow often while JS re-reads
 * `buffer` after each growth (Emscripten's and wasm-bindgen's glue) then copy once instead
 * of at every growth.
 */
export class Memory implements VMMemory {
  dv: DataView;
  u8: Uint8Array;
  byteLength: number;
  readonly refreshers = new Set<() => void>();
  /** The creating store's limiter (runtime/limits.ts); it may refuse growth. */
  limiter: ResourceLimiter | null = null;
  private readonly declared: MemoryType;
  /** The buffer is a growable SharedArrayBuffer (a shared memory's, where the host has one). */
  private readonly growsInPlace: boolean;
  /** The backing store: at least `byteLength` long; exactly that once `buffer` was read. */
  private store: ArrayBuffer;
  /** `buffer` was read since the last growth. */
  private exposed = false;
  /** The host memory the store belongs to, once growth moved it there; `store` is its buffer. */
  private hostStore: HostMemory | null = null;
  /**
   * Set once the memory is shared with another agent (`share`, `fromShared`): a word that
   * every agent's growth takes in turn, so that concurrent growths each see the size the
   * previous one left. From then on the views track the buffer's length, so an access
   * sees pages another agent added (see trackLength).
   */
  private growLock: Int32Array | null = null;
  /** Views for Atomics (index = address / width), over the current store; see atomicView. */
  private atomicViews: [ArrayBuffer, Uint8Array, Uint16Array, Int32Array, BigInt64Array] | null = null;

  /** @internal use Memory.create or Memory.fromShared. */
  constructor(type: MemoryType, from?: SharedMemoryHandle) {
    this.declared = type;
    const bytes = from !== undefined ? from.buffer.byteLength : type.limits.min * this.pageSize;
    if (bytes > MAX_MEMORY_BYTES) throw new RuntimeError('memory size exceeds implementation limit');
    // A shared memory is one growable SharedArrayBuffer for its whole life: it grows in
    // place and is never detached (the JS API's rule for shared memories), and its `buffer`
    // is that same object. Views over it have a fixed length (refreshed on growth): on
    // V8 length-tracking views over a growable buffer are many times slower. A host without
    // growable SharedArrayBuffers (or without SharedArrayBuffer, as a page that is not
    // cross-origin isolated) gets an ordinary buffer: one agent sees no difference but the
    // buffer's class, and the memory cannot be shared with another.
    const shared =
      from !== undefined
        ? (from.buffer as GrowableSharedBuffer)
        : type.shared
          ? growableSharedBuffer(bytes, this.maxBytes())
          : null;
    this.growsInPlace = shared !== null;
    // A memory this large from the start lives in a host memory from the start (no copy).
    const host = shared === null && from === undefined ? newHostMemory(type, bytes, HOST_STORE_MIN_BYTES) : null;
    this.hostStore = host;
    this.store =
      shared !== null
        ? (Object.freeze(shared) as unknown as ArrayBuffer)
        : host !== null
          ? host.buffer
          : new ArrayBuffer(bytes);
    this.dv = new DataView(this.store, 0, bytes);
    this.u8 = new Uint8Array(this.store, 0, bytes);
    this.byteLength = bytes;
    if (from !== undefined) {
      this.growLock = from.lock;
      this.trackLength();
    }
  }

  static create(store: unknown, type: MemoryType): Memory {
    const limiter = checkMemoryCreation(limiterOf(store), type);
    const m = new Memory(type);
    m.limiter = limiter;
    setExternStore(m, store);
    return m;
  }

  get pageSize(): number {
    return 2 ** this.declared.pageSizeLog2;
  }

  get type(): MemoryType {
    return { ...this.declared, limits: { min: this.size(), max: this.declared.limits.max } };
  }

  size(): number {
    if (this.growLock !== null) this.syncLength();
    return this.byteLength / this.pageSize;
  }

  /**
   * A handle to this shared memory's storage for another agent (a worker): structured-
   * cloneable, so it can be posted to a Worker (postMessage, workerData), where
   * `Memory.fromShared` wraps it as a Memory of the same bytes. Throws for an unshared
   * memory, or where the host has no growable SharedArrayBuffer.
   */
  share(): SharedMemoryHandle {
    if (!this.declared.shared) throw new TypeError('only a shared memory can be shared with another agent');
    if (!this.growsInPlace)
      throw new TypeError('this host has no growable SharedArrayBuffer: the memory cannot be shared');
    if (this.growLock === null) {
      this.growLock = new Int32Array(new SharedArrayBuffer(4));
      this.trackLength();
    }
    return {
      buffer: this.store as unknown as SharedArrayBuffer,
      lock: this.growLock,
      type: { ...this.declared, limits: { ...this.declared.limits } },
    };
  }

  /**
   * A Memory of `handle`'s storage (from `share()` in any agent), owned by `store`: its
   * type is the shared memory's declared type with the current size.
   */
  static fromShared(store: unknown, handle: SharedMemoryHandle): Memory {
    const h = handle as Partial<SharedMemoryHandle> | null;
    const buf = h?.buffer as GrowableSharedBuffer | undefined;
    if (
      h === null ||
      h === undefined ||
      typeof SharedArrayBuffer !== 'function' ||
      !(buf instanceof SharedArrayBuffer) ||
      typeof buf.grow !== 'function' ||
      !(h.lock instanceof Int32Array) ||
      h.type === undefined ||
      !h.type.shared
    ) {
      throw new TypeError('not a shared memory handle (see Memory.prototype.share)');
    }
    const type = h.type;
    const limiter = checkMemoryCreation(limiterOf(store), {
      ...type,
      limits: { min: buf.byteLength / 2 ** type.pageSizeLog2, max: type.limits.max },
    });
    const m = new Memory(type, h as SharedMemoryHandle);
    m.limiter = limiter;
    setExternStore(m, store);
    return m;
  }

  /**
   * Views of the whole buffer that follow its length, then the instances' copies refreshed:
   * for a memory other agents may grow, whose fixed-length views would end at the size this
   * agent last saw. `byteLength` stays what this agent last saw until `syncLength`.
   */
  private trackLength(): void {
    this.byteLength = this.store.byteLength;
    this.dv = new DataView(this.store);
    this.u8 = new Uint8Array(this.store);
    this.refresh();
  }

  /**
   * Brings `byteLength` (and the instances' copies of it) up to the buffer's length where
   * another agent grew the memory; true if it changed. Generated code calls it (through
   * the helpers) before it reports an explicit bounds check of a shared memory failed.
   */
  syncLength(): boolean {
    if (this.growLock === null || this.store.byteLength === this.byteLength) return false;
    this.trackLength();
    return true;
  }

  /**
   * A view of the whole store for Atomics, by access width in bytes (1, 2, 4, 8). A shared
   * memory's growable buffer is never replaced, so its length-tracking views last; other
   * stores are replaced by growth, which the store identity check notices.
   */
  atomicView(width: 1): Uint8Array;
  atomicView(width: 2): Uint16Array;
  atomicView(width: 4): Int32Array;
  atomicView(width: 8): BigInt64Array;
  atomicView(width: number): Uint8Array | Uint16Array | Int32Array | BigInt64Array;
  atomicView(width: number): Uint8Array | Uint16Array | Int32Array | BigInt64Array {
    let v = this.atomicViews;
    if (v === null || v[0] !== this.store) {
      const b = this.store;
      // Bounds are the caller's (generated code checks them against byteLength). The views
      // of a growable buffer track its length; an ordinary store (whose length a custom
      // page size may leave odd) is covered in whole elements.
      const n = this.growsInPlace ? undefined : b.byteLength;
      v = this.atomicViews =
        n === undefined
          ? [b, new Uint8Array(b), new Uint16Array(b), new Int32Array(b), new BigInt64Array(b)]
          : [
              b,
              new Uint8Array(b),
              new Uint16Array(b, 0, n >>> 1),
              new Int32Array(b, 0, n >>> 2),
              new BigInt64Array(b, 0, n >>> 3),
            ];
    }
    return width === 1 ? v[1] : width === 2 ? v[2] : width === 4 ? v[3] : v[4];
  }

  /** The memory's bytes as an ArrayBuffer of exactly its length; detached by growth. */
  get buffer(): ArrayBuffer {
    if (this.store.byteLength !== this.byteLength && !this.growsInPlace) {
      // Without memory for the exact copy, the store is handed out as it is.
      if (this.replaceStore(this.byteLength)) this.refresh();
    }
    this.exposed = true;
    return this.store;
  }

  /**
   * Replaces `buffer` by a new ArrayBuffer with the same bytes and detaches the old one (the
   * JS API's `grow(0)`); a shared memory's buffer stays.
   */
  renewBuffer(): void {
    if (this.hostStore !== null) {
      this.hostStore.grow(0);
      this.adoptHostBuffer();
      this.refresh();
    } else if (!this.growsInPlace && this.replaceStore(this.byteLength)) this.refresh();
  }

  /** Takes the host memory's current buffer as the store, with views of the memory's length. */
  private adoptHostBuffer(): void {
    const b = this.hostStore!.buffer;
    this.store = b;
    this.dv = new DataView(b, 0, this.byteLength);
    this.u8 = new Uint8Array(b, 0, this.byteLength);
  }

  /**
   * Moves the contents into a new host memory of `bytes` (see the class comment) and
   * detaches the old store; the caller sets the views. False, with nothing changed, where
   * the host has no memory to offer or the memory does not qualify.
   */
  private moveToHostStore(bytes: number): boolean {
    const m = newHostMemory(this.declared, bytes, HOST_STORE_GROWTH_MIN_BYTES);
    if (m === null) return false;
    const old = this.store;
    new Uint8Array(m.buffer).set(this.u8);
    try {
      structuredClone(old, { transfer: [old] });
    } catch {
      /* not detachable: harmless */
    }
    this.hostStore = m;
    this.store = m.buffer;
    return true;
  }

  private refresh(): void {
    for (const r of this.refreshers) r();
  }

  /**
   * Grows by `delta` pages; returns the old size in pages, or -1. `exact`: no spare
   * capacity (the JS API's `grow`, after which JS reads `buffer`).
   */
  grow(delta: number, exact = false): number {
    const lock = this.growLock;
    if (lock === null) return this.growBy(delta, exact);
    // Agents share the buffer: one growth at a time, each from the size the last one left.
    // A spin, not Atomics.wait: growth is short, and a browser's main thread may not block.
    while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) {
      /* another agent is growing */
    }
    try {
      this.syncLength();
      return this.growBy(delta, exact);
    } finally {
      Atomics.store(lock, 0, 0);
    }
  }

  private growBy(delta: number, exact: boolean): number {
    const old = this.size();
    if (delta === 0) return old;
    const pages = old + delta;
    const max = this.declared.limits.max;
    const limit = this.declared.addr === 'i64' ? 2 ** 48 : 2 ** (32 - this.declared.pageSizeLog2);
    if (pages > limit || (max !== undefined && pages > max)) return -1;
    if (this.limiter !== null && !this.limiter.memoryGrowing(old, pages, max)) return -1;
    const bytes = pages * this.pageSize;
    if (bytes > MAX_MEMORY_BYTES) return -1;
    if (this.growsInPlace) {
      try {
        (this.store as unknown as GrowableSharedBuffer).grow(bytes);
      } catch {
        return -1;
      }
    } else if (this.hostStore !== null) {
      try {
        this.hostStore.grow(delta);
      } catch {
        return -1;
      }
      this.store = this.hostStore.buffer;
    } else if (bytes > this.store.byteLength && this.moveToHostStore(bytes)) {
      // Moved: the store now has exactly `bytes`.
    } else if (bytes > this.store.byteLength) {
      // Spare capacity only for a program growing again without JS reading `buffer`.
      const spare =
        !exact && !this.exposed
          ? Math.min(this.maxBytes(), bytes + Math.ceil(bytes / 2 / this.pageSize) * this.pageSize)
          : bytes;
      if (!this.replaceStore(spare) && (spare === bytes || !this.replaceStore(bytes))) return -1;
    }
    // Inside the store's capacity the bytes past the old length are zero: no view ever
    // reached them (a store with spare capacity was never handed to JS).
    this.exposed = false;
    if (this.growLock !== null) {
      this.trackLength();
      return old;
    }
    this.dv = new DataView(this.store, 0, bytes);
    this.u8 = new Uint8Array(this.store, 0, bytes);
    this.byteLength = bytes;
    this.refresh();
    return old;
  }

  /** The largest store this memory can need: its maximum, within MAX_MEMORY_BYTES. */
  private maxBytes(): number {
    const max = this.declared.limits.max;
    const limit = this.declared.addr === 'i64' ? MAX_MEMORY_BYTES : 2 ** 32;
    return Math.min(max === undefined ? limit : max * this.pageSize, limit, MAX_MEMORY_BYTES);
  }

  /**
   * Moves the contents into a new store of `capacity` bytes (at least `byteLength`) and
   * detaches the old one; the views cover `byteLength` bytes of it, and the caller refreshes
   * the instances' copies. False, with nothing changed, if allocation fails.
   */
  private replaceStore(capacity: number): boolean {
    const old = this.store;
    let nb: ArrayBuffer;
    const transfer = (old as TransferableBuffer).transfer;
    if (typeof transfer === 'function') {
      // ES2024: the host moves the contents and detaches the old buffer itself; a failed
      // allocation leaves the old buffer attached.
      try {
        nb = transfer.call(old, capacity);
      } catch {
        return false;
      }
    } else {
      try {
        nb = new ArrayBuffer(capacity);
      } catch {
        return false;
      }
      new Uint8Array(nb).set(this.u8);
      // Detach the old store (the JS API requires it of a buffer JS saw); views of it
      // become empty.
      try {
        structuredClone(old, { transfer: [old] });
      } catch {
        /* not detachable: harmless */
      }
    }
    this.store = nb;
    this.dv = new DataView(nb, 0, this.byteLength);
    this.u8 = new Uint8Array(nb, 0, this.byteLength);
    return true;
  }
}

// ---------------------------------------------------------------- Table

const MAX_TABLE_ELEMENTS = 10_000_000;

export class Table implements VMTable {
  readonly elements: unknown[];
  /** The creating store's limiter (runtime/limits.ts); it may refuse growth. */
  limiter: ResourceLimiter | null = null;
  private readonly declared: TableType;

  /** @internal `init` is an internal reference value. */
  constructor(type: TableType, init: unknown) {
    this.declared = type;
    if (type.limits.min > MAX_TABLE_ELEMENTS) throw new RuntimeError('table size exceeds implementation limit');
    this.elements = new Array<unknown>(type.limits.min).fill(init);
  }

  static create(store: unknown, type: TableType, init: unknown = null): Table {
    const limiter = checkTableCreation(limiterOf(store), type);
    const t = new Table(type, toInternal(type.elem, init));
    t.limiter = limiter;
    setExternStore(t, store);
    return t;
  }

  get type(): TableType {
    return { ...this.declared, limits: { min: this.elements.length, max: this.declared.limits.max } };
  }
  get elemType(): RefType {
    return this.declared.elem;
  }

  size(): number {
    return this.elements.length;
  }

  get(i: number): unknown {
    if (i < 0 || i >= this.elements.length) throw new RuntimeError(TRAP.tableOutOfBounds);
    return toApi(this.declared.elem, this.elements[i]);
  }

  set(i: number, v: unknown): void {
    if (i < 0 || i >= this.elements.length) throw new RuntimeError(TRAP.tableOutOfBounds);
    this.elements[i] = toInternal(this.declared.elem, v);
  }

  /** API growth: `init` is an API value. */
  grow(delta: number, init: unknown = null): number {
    return this.growInternal(delta, toInternal(this.declared.elem, init));
  }

  /** Growth appends in place: `elements` keeps its identity (see VMTable). */
  growInternal(delta: number, init: unknown): number {
    const old = this.elements.length;
    const n = old + delta;
    const max = this.declared.limits.max;
    if (n > MAX_TABLE_ELEMENTS || (max !== undefined && n > max)) return -1;
    if (this.limiter !== null && delta !== 0 && !this.limiter.tableGrowing(old, n, max)) return -1;
    for (let i = 0; i < delta; i++) this.elements.push(init);
    return old;
  }
}

// ---------------------------------------------------------------- Global

/**
 * A global's storage: numeric globals are one slot of a typed array (a defined global's slot
 * in its instance's numeric slab, or a private one for host globals); reference-typed
 * globals are a RefCell. Importers alias the same storage.
 */
export type GlobalStorage =
  | { readonly kind: 'num'; readonly view: Int32Array | BigInt64Array | Float64Array; readonly index: number }
  | { readonly kind: 'ref'; readonly cell: RefCell };

export class Global {
  /** @internal */
  constructor(
    readonly type: GlobalType,
    readonly storage: GlobalStorage,
  ) {}

  static create(store: unknown, type: GlobalType, value: unknown): Global {
    const g = new Global(type, newGlobalStorage(type.type));
    g.setInternal(toInternal(type.type, value));
    setExternStore(g, store);
    return g;
  }

  get(): unknown {
    return toApi(this.type.type, this.getInternal());
  }

  set(value: unknown): void {
    if (!this.type.mutable) throw new TypeError('cannot set an immutable global');
    this.setInternal(toInternal(this.type.type, value));
  }

  getInternal(): unknown {
    const s = this.storage;
    if (s.kind === 'ref') return s.cell.value;
    if (this.type.type === 'v128') return (s.view as Int32Array).slice(s.index, s.index + 4);
    return s.view[s.index];
  }

  setInternal(v: unknown): void {
    const s = this.storage;
    if (s.kind === 'ref') s.cell.value = v;
    else if (this.type.type === 'v128') (s.view as Int32Array).set(v as Int32Array, s.index);
    else if (s.view instanceof BigInt64Array) s.view[s.index] = v as bigint;
    else s.view[s.index] = v as number;
  }

  /** What an importer's reference slab holds: a one-slot typed-array alias, or the RefCell. */
  importCell(): unknown {
    const s = this.storage;
    if (s.kind === 'ref') return s.cell;
    const width = this.type.type === 'v128' ? 4 : 1;
    return s.view.subarray(s.index, s.index + width);
  }
}

/**
 * An instance's defined globals (module order), each in its VMContext slot: a reference
 * global's cell is stored in the refs slab, a numeric one is a view of its slab. Values are
 * set afterwards, in the spec's order.
 */
export function allocateDefinedGlobals(
  vm: VMContext,
  o: VMOffsets,
  numImported: number,
  globals: readonly { readonly type: GlobalType }[],
  canon: readonly number[],
): Global[] {
  return globals.map((g, i) => {
    const slot = o.definedGlobal(numImported + i);
    const type: GlobalType = { type: canonicalValType(g.type.type, canon), mutable: g.type.mutable };
    let storage: GlobalStorage;
    if (slot.kind === 'ref') {
      storage = newGlobalStorage(g.type.type);
      if (storage.kind === 'ref') vm.refs[slot.slot] = storage.cell;
    } else {
      const view = slot.slab === SlabKind.I64 ? vm.i64 : slot.slab === SlabKind.F64 ? vm.f64 : vm.i32;
      storage = { kind: 'num', view, index: slot.index };
    }
    return new Global(type, storage);
  });
}

export function newGlobalStorage(t: ValType): GlobalStorage {
  switch (t) {
    case 'i32':
      return { kind: 'num', view: new Int32Array(2), index: 0 };
    case 'i64':
      return { kind: 'num', view: new BigInt64Array(1), index: 0 };
    case 'f32':
    case 'f64':
      return NAN_CARRIERS ? { kind: 'ref', cell: { value: 0 } } : { kind: 'num', view: new Float64Array(1), index: 0 };
    case 'v128':
      return { kind: 'num', view: new Int32Array(4), index: 0 };
    default:
      return { kind: 'ref', cell: { value: null } };
  }
}

// ---------------------------------------------------------------- Tag

export class Tag {
  /** @internal */
  constructor(
    readonly type: FuncType,
    readonly typeId: number,
  ) {}
  static create(store: unknown, type: FuncType): Tag {
    const t = new Tag(type, canonicalFuncTypeId(type));
    setExternStore(t, store);
    return t;
  }
}

export type Extern = Func | Memory | Table | Global | Tag;
