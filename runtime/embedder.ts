// The embedder-facing surface on top of instance.ts: a typed Engine configuration, a Store
// with host state, full import/export types on Module, typed export accessors on Instance,
// and the dispose() lifecycle.
//
// Module and Instance are declared in instance.ts; the members here are added by interface
// merging and only ever *add* members (no existing member is replaced), so every path that
// creates instances (the spec runner's Instance.instantiate included) gets them.
//
// Lifecycle invariants:
//   - a disposed instance's exported functions raise DisposedError on every call made through
//     Func.call (and so through the JS-API facade); its `exports` map is emptied and reading
//     it raises DisposedError;
//   - disposing drops the instance's reference-slab slots for memories and tables and removes
//     its memory-view refresher from every memory it used (when the instance was created by
//     instantiateTracked, which knows which refresher is its own), so a memory shared with
//     other instances no longer keeps the disposed one alive;
//   - a disposed store disposes every instance it owns; creating instances in it afterwards
//     fails.

import type { ExternKind, FuncType, GlobalType, MemoryType, ModuleIR, TableType, ValType } from '../compiler/ir';
import { canonicalRefType, canonicalValType, typeRegistry } from '../compiler/validate';
import { Engine as BaseEngine, Instance, Module, Store as BaseStore, compilationMode } from './instance';
import { getFuel, releaseFromStore, setDeadline, setEpochDeadline, setFuel, setLimiter, engineInterrupts, type ResourceLimiter, type StoreLimits } from './limits';
import { DisposedError, Func, Global, Memory, Table, Tag, disposedCallables, type Callable, type Extern } from './objects';

// ---------------------------------------------------------------- Engine

/** Proposal / feature switches. The decoder and validator accept all of Wasm 3.0 today; the
 *  flags are recorded for the compilation pipeline and reported back by `Engine.features`. */
export interface WasmFeatures {
  simd?: boolean;
  threads?: boolean;
  exceptions?: boolean;
  gc?: boolean;
  tailCall?: boolean;
  memory64?: boolean;
  multiMemory?: boolean;
  customPageSizes?: boolean;
  extendedConst?: boolean;
  relaxedSimd?: boolean;
}

export type EngineOptions = {
  /** Feature switches (all on by default). */
  readonly features?: WasmFeatures;
  /** 'lazy' translates each function on its first call; 'eager' translates a whole module
   *  before its first instantiation returns. Default: the JETWASM_COMPILATION environment
   *  variable (Node), else lazy with the 'jit' codegen profile and eager with 'interpreter'. */
  readonly compilation?: 'lazy' | 'eager';
  /** Charge fuel at function entries and loop heads (runtime/limits.ts); stores start with
   *  `initialFuel` (default 0). Off: generated code has no fuel checks. */
  readonly consumeFuel?: boolean;
  readonly initialFuel?: number;
  /** Poll epoch and time deadlines at function entries and loop heads. Off: no checks. */
  readonly epochInterruption?: boolean;
  /** The epoch counter (element 0), e.g. over a SharedArrayBuffer so another agent can
   *  advance it with Atomics.add while a guest runs. */
  readonly epochCounter?: Int32Array;
  /** Under Node, raise V8's optimized-bytecode-size limit so big functions are optimized
   *  whole instead of being outlined (runtime/optlimit.ts; process-wide). Default true. */
  readonly raiseOptimizationLimit?: boolean;
  /** Tune generated code for V8's optimizing compiler ('jit') or for a host without one
   *  ('interpreter'); default: 'interpreter' when the host has no native WebAssembly. */
  readonly codegen?: 'jit' | 'interpreter';
  /** Under Node, keep compiled modules in a persistent cache (runtime/cache): `true` for the
   *  default directory ($XDG_CACHE_HOME/jetwasm or ~/.cache/jetwasm), or a directory and a
   *  size limit (default 512 MiB). Other hosts ignore it. */
  readonly cache?: boolean | { readonly directory?: string; readonly maxBytes?: number };
  readonly [key: string]: unknown;
};

const ALL_FEATURES: Required<WasmFeatures> = {
  simd: true, threads: true, exceptions: true, gc: true, tailCall: true, memory64: true,
  multiMemory: true, customPageSizes: true, extendedConst: true, relaxedSimd: true,
};

export class Engine extends BaseEngine {
  declare readonly config: EngineOptions;
  constructor(config: EngineOptions = {}) {
    super(config);
  }
  /** The effective feature set. */
  get features(): Required<WasmFeatures> {
    return { ...ALL_FEATURES, ...this.config.features };
  }
  /** True when functions are translated lazily (the effective mode, see `compilation`). */
  get lazy(): boolean {
    return compilationMode(this.config) === 'lazy';
  }
  /** Advances the epoch by one; stores whose epoch deadline is reached trap with
   *  "interrupt" at their next check point. */
  incrementEpoch(): void {
    engineInterrupts(this).incrementEpoch();
  }
  /** The epoch counter (engine.epochCounter[0] is the current epoch). */
  get epochCounter(): Int32Array {
    return engineInterrupts(this).epoch;
  }
}

// ---------------------------------------------------------------- Store

export class Store<T = unknown> extends BaseStore {
  /** Host state, available to host functions through their closure or the store. */
  data: T;
  private isDisposed = false;

  constructor(engine: BaseEngine, data?: T) {
    super(engine);
    this.data = data as T;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Throws DisposedError if the store has been disposed. */
  assertLive(): void {
    if (this.isDisposed) throw new DisposedError('the Store has been disposed');
  }

  /** Sets the remaining fuel (requires the engine option consumeFuel). */
  setFuel(fuel: number): void { setFuel(this, fuel); }
  /** Remaining fuel (requires consumeFuel). */
  getFuel(): number { return getFuel(this); }
  /** Traps with "interrupt" once the engine's epoch has advanced `ticks` more times
   *  (requires epochInterruption). */
  setEpochDeadline(ticks: number): void { setEpochDeadline(this, ticks); }
  /** Traps with "interrupt" once `msFromNow` milliseconds have passed (Infinity: never;
   *  requires epochInterruption). */
  setDeadline(msFromNow: number): void { setDeadline(this, msFromNow); }
  /** Limits growth of memories and tables created in this store from now on (null: none). */
  limiter(limits: StoreLimits | ResourceLimiter | null): void { setLimiter(this, limits); }

  /** Disposes every instance of the store and releases them. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const inst of [...this.instances]) inst.dispose();
    this.instances.length = 0;
  }
}

export function isStoreDisposed(store: BaseStore): boolean {
  return store instanceof Store && store.disposed;
}

// ---------------------------------------------------------------- import / export types

/** The type of an extern, with concrete heap types as canonical type ids. */
export type ExternType =
  | { readonly kind: 'func'; readonly type: FuncType }
  | { readonly kind: 'table'; readonly type: TableType }
  | { readonly kind: 'memory'; readonly type: MemoryType }
  | { readonly kind: 'global'; readonly type: GlobalType }
  | { readonly kind: 'tag'; readonly type: FuncType };

export type ImportType = { readonly module: string; readonly name: string } & ExternType;
export type ExportType = { readonly name: string } & ExternType;

function funcTypeAt(canon: readonly number[], typeIdx: number): FuncType {
  const comp = typeRegistry.get(canon[typeIdx]).comp;
  if (comp.kind !== 'func') throw new TypeError('not a function type');
  return comp;
}

function canonGlobal(t: GlobalType, canon: readonly number[]): GlobalType {
  return { type: canonicalValType(t.type, canon) as ValType, mutable: t.mutable };
}
function canonTable(t: TableType, canon: readonly number[]): TableType {
  return { ...t, elem: canonicalRefType(t.elem, canon) };
}

/** Types of every index space entry of a module, imports first. */
interface IndexSpaceTypes {
  funcs: FuncType[];
  tables: TableType[];
  memories: MemoryType[];
  globals: GlobalType[];
  tags: FuncType[];
}

function indexSpaceTypes(ir: ModuleIR, canon: readonly number[]): IndexSpaceTypes {
  const sp: IndexSpaceTypes = { funcs: [], tables: [], memories: [], globals: [], tags: [] };
  for (const imp of ir.imports) {
    const d = imp.desc;
    switch (d.kind) {
      case 'func': sp.funcs.push(funcTypeAt(canon, d.typeIdx)); break;
      case 'table': sp.tables.push(canonTable(d.type, canon)); break;
      case 'memory': sp.memories.push(d.type); break;
      case 'global': sp.globals.push(canonGlobal(d.type, canon)); break;
      case 'tag': sp.tags.push(funcTypeAt(canon, d.type.typeIdx)); break;
    }
  }
  for (const f of ir.funcs) sp.funcs.push(funcTypeAt(canon, f));
  for (const t of ir.tables) sp.tables.push(canonTable(t.type, canon));
  for (const m of ir.memories) sp.memories.push(m);
  for (const g of ir.globals) sp.globals.push(canonGlobal(g.type, canon));
  for (const t of ir.tags) sp.tags.push(funcTypeAt(canon, t.typeIdx));
  return sp;
}

function externTypeAt(sp: IndexSpaceTypes, kind: ExternKind, index: number): ExternType {
  switch (kind) {
    case 'func': return { kind, type: sp.funcs[index] };
    case 'table': return { kind, type: sp.tables[index] };
    case 'memory': return { kind, type: sp.memories[index] };
    case 'global': return { kind, type: sp.globals[index] };
    case 'tag': return { kind, type: sp.tags[index] };
  }
}

const typeCache = new WeakMap<Module, { imports: ImportType[]; exports: ExportType[] }>();

function moduleTypes(m: Module): { imports: ImportType[]; exports: ExportType[] } {
  let t = typeCache.get(m);
  if (!t) {
    const sp = indexSpaceTypes(m.ir, m.canon);
    const counters: Record<ExternKind, number> = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
    const imports = m.ir.imports.map((imp): ImportType => ({
      module: imp.module, name: imp.name, ...externTypeAt(sp, imp.desc.kind, counters[imp.desc.kind]++),
    }));
    const exports = m.ir.exports.map((ex): ExportType => ({ name: ex.name, ...externTypeAt(sp, ex.kind, ex.index) }));
    t = { imports, exports };
    typeCache.set(m, t);
  }
  return t;
}

// ---------------------------------------------------------------- lifecycle records

interface Lifecycle {
  disposed: boolean;
  /** The instance's memory-view refresher, when known (see instantiateTracked). */
  refresher?: () => void;
}

const lifecycles = new WeakMap<Instance, Lifecycle>();

function lifecycle(inst: Instance): Lifecycle {
  let l = lifecycles.get(inst);
  if (!l) lifecycles.set(inst, (l = { disposed: false }));
  return l;
}

function describe(inst: Instance): string {
  const name = inst.module.ir.names?.module;
  return name !== undefined ? `the Instance of module ${JSON.stringify(name)}` : 'the Instance';
}

/**
 * Instantiates like Instance.instantiate, and records which memory-view refresher belongs to
 * the new instance so dispose() can unhook it from memories it shares with others.
 */
export function instantiateTracked(store: BaseStore, module: Module, imports: Extern[]): Instance {
  if (isStoreDisposed(store)) throw new DisposedError('cannot instantiate in a disposed Store');
  const importedMems = imports.filter((e): e is Memory => e instanceof Memory);
  const before = importedMems.map((m) => new Set(m.refreshers));
  const inst = Instance.instantiate(store, module, imports);
  const l = lifecycle(inst);
  const o = module.offsets;
  const nMem = module.ir.numImportedMemories + module.ir.memories.length;
  for (let i = 0; i < nMem && !l.refresher; i++) {
    const mem = inst.vm.refs[o.memory(i)];
    if (!(mem instanceof Memory)) continue;
    const k = importedMems.indexOf(mem);
    for (const r of mem.refreshers) if (k < 0 || !before[k].has(r)) { l.refresher = r; break; }
  }
  return inst;
}

// ---------------------------------------------------------------- Module and Instance members

declare module './instance' {
  interface Module {
    /** Every import with its full type. */
    importTypes(): ImportType[];
    /** Every export with its full type. */
    exportTypes(): ExportType[];
  }
  interface Instance {
    /** The exported function `name`, or undefined (also when the export is not a function). */
    getFunc(name: string): Func | undefined;
    getMemory(name: string): Memory | undefined;
    getTable(name: string): Table | undefined;
    getGlobal(name: string): Global | undefined;
    getTag(name: string): Tag | undefined;
    /** True after dispose(). */
    readonly disposed: boolean;
    /** Ends the instance: later calls into its exports and reads of its exports fail with
     *  DisposedError; its references to memories and tables are released. Idempotent. */
    dispose(): void;
  }
}

Module.prototype.importTypes = function importTypes(this: Module): ImportType[] {
  return moduleTypes(this).imports;
};
Module.prototype.exportTypes = function exportTypes(this: Module): ExportType[] {
  return moduleTypes(this).exports;
};

function typedExport<T>(kind: abstract new (...args: never[]) => T) {
  return function (this: Instance, name: string): T | undefined {
    const e = this.exports.get(name);
    return e instanceof kind ? e : undefined;
  };
}
Instance.prototype.getFunc = typedExport(Func);
Instance.prototype.getMemory = typedExport(Memory);
Instance.prototype.getTable = typedExport(Table);
Instance.prototype.getGlobal = typedExport(Global);
Instance.prototype.getTag = typedExport(Tag);

Object.defineProperty(Instance.prototype, 'disposed', {
  get(this: Instance): boolean { return lifecycles.get(this)?.disposed ?? false; },
  configurable: true,
});

Instance.prototype.dispose = function dispose(this: Instance): void {
  const l = lifecycle(this);
  if (l.disposed) return;
  l.disposed = true;
  const what = describe(this);
  const m = this.module.ir;
  const o = this.module.offsets;
  const refs = this.vm.refs;
  // Imported functions belong to someone else: only this instance's own exports are ended.
  const imported = new Set<unknown>();
  for (let i = 0; i < m.numImportedFuncs; i++) imported.add(refs[o.importedFunc(i)]);
  for (const [name, ext] of this.exports) {
    if (ext instanceof Func && !imported.has(ext.callable)) {
      disposedCallables.set(ext.callable as Callable, `function ${JSON.stringify(name)} called after ${what} was disposed`);
    }
  }
  const nMem = m.numImportedMemories + m.memories.length;
  for (let i = 0; i < nMem; i++) {
    const mem = refs[o.memory(i)];
    if (l.refresher && mem instanceof Memory) mem.refreshers.delete(l.refresher);
    refs[o.memory(i)] = null;
  }
  const nTab = m.numImportedTables + m.tables.length;
  for (let i = 0; i < nTab; i++) refs[o.table(i)] = null;
  (this.exports as Map<string, Extern>).clear();
  releaseFromStore(this);
  Object.defineProperty(this, 'exports', {
    get(): never { throw new DisposedError(`${what} has been disposed`); },
    configurable: true,
  });
};
