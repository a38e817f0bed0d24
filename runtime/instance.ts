// The Instance: one instantiation of a Module in a Store. Instantiation itself (imports,
// allocation, generated code, initialisation, start) is runtime/vm/instance.ts's, shared with
// ahead-of-time output; this class adds what the embedder sees: exports, typed accessors and
// the dispose() lifecycle.
//
// Lifecycle invariants:
//   - an instance belongs to its store from the moment its definitions are allocated until
//     it is disposed (by itself or by its store);
//   - a disposed instance's exported functions raise DisposedError on every call made through
//     Func.call (and so through the JS-API facade); its `exports` map is emptied and reading
//     it raises DisposedError;
//   - disposing drops the instance's reference-slab slots for memories and tables (the only
//     slots written after the generated code was instantiated, vmctx/index.ts) and removes its
//     memory-view refresher from every memory it used, so a memory shared with other
//     instances no longer keeps the disposed one alive;
//   - an instantiation that fails disposes its partial instance unless something of it
//     can have escaped (mayHaveEscaped); one that can have escaped stays with the store.

import type { Import } from '../compiler/ir';
import type { VMContext } from '../vmctx';
import { DisposedError, LinkError, WasmException } from './errors';
import { checkMemoryCreation, checkTableCreation } from './limits';
import type { Module } from './module';
import {
  Func,
  Global,
  Memory,
  Table,
  Tag,
  disposedCallables,
  externStore,
  setExternStore,
  setCodeStore,
  type Callable,
  type Extern,
} from './objects';
import type { Store } from './store';
import { helpers } from './vm/helpers';
import { InstanceHandle, type StoreContext } from './vm/instance';

export class Instance {
  private exportMap: Map<string, Extern>;
  private isDisposed = false;

  private constructor(
    readonly module: Module,
    readonly store: Store,
    readonly vm: VMContext,
    /** The generated code's memory-view refresher, registered with every memory it uses. */
    private readonly refresher: () => void,
  ) {
    this.exportMap = new Map();
  }

  /** The exports by name; raises DisposedError after dispose(). */
  get exports(): ReadonlyMap<string, Extern> {
    if (this.isDisposed) throw new DisposedError(`${this.describe()} has been disposed`);
    return this.exportMap;
  }

  getExport(name: string): Extern | undefined {
    return this.exports.get(name);
  }

  /** The exported function `name`, or undefined (also when the export is not a function). */
  getFunc(name: string): Func | undefined {
    return this.typedExport(name, Func);
  }
  getMemory(name: string): Memory | undefined {
    return this.typedExport(name, Memory);
  }
  getTable(name: string): Table | undefined {
    return this.typedExport(name, Table);
  }
  getGlobal(name: string): Global | undefined {
    return this.typedExport(name, Global);
  }
  getTag(name: string): Tag | undefined {
    return this.typedExport(name, Tag);
  }

  private typedExport<T>(name: string, kind: abstract new (...args: never[]) => T): T | undefined {
    const e = this.exports.get(name);
    return e instanceof kind ? e : undefined;
  }

  /**
   * Instantiates `module` in `store` with `imports` in import order. Throws LinkError for
   * imports that do not fit, RuntimeError for a trap while initialising or in the start
   * function, DisposedError for a disposed store.
   */
  static instantiate(store: Store, module: Module, imports: Extern[]): Instance {
    if (store.disposed) throw new DisposedError('cannot instantiate in a disposed Store');
    const m = module.ir;
    // One engine per store: the module's code is translated with its engine's fuel and
    // interrupt checks (or none), which the store's settings must match.
    if (module.engine !== store.engine) {
      throw new LinkError(
        "cross-`Engine` instantiation is not currently supported: the module was compiled by a different Engine than the store's",
      );
    }
    if (imports.length < m.imports.length) throw new LinkError('unknown import: missing imports');
    const resolve = (imp: Import, i: number): Extern => {
      const ext = imports[i];
      const owner = externStore(ext);
      if (owner !== undefined && owner.domain !== store.domain) {
        throw new LinkError(
          `cross-\`Store\` instantiation is not currently supported: import ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)} belongs to a different Store`,
        );
      }
      return ext;
    };
    const context: StoreContext = {
      tableLimiter: (t) => checkTableCreation(store.resourceLimiter, t),
      memoryLimiter: (t) => checkMemoryCreation(store.resourceLimiter, t),
      own: (obj) => setExternStore(obj, store),
      ownCode: (code) => setCodeStore(code, store),
    };
    const h = new InstanceHandle(module.info, module.canon, module.offsets, resolve, context);
    // The generated code reads the reference slab filled above.
    const code = module.code.factory(h.vm, helpers, module.code.lazySource, store.limits);
    h.link(code, m.names?.funcs);

    const instance = new Instance(module, store, h.vm, code.refresh);
    // Owned before the segments are applied: a failing segment leaves the ones before it
    // applied, with this instance's functions possibly in imported tables.
    store.instances.push(instance);
    try {
      h.initialize();
      // Exports before start, so a trapping start leaves nothing half-visible but its effects.
      instance.exportMap = h.exports();
      h.start();
    } catch (e) {
      // A failed instantiation returns no Instance, so the embedder can never dispose it.
      // When nothing of it can have reached anyone else, nothing can observe it any more:
      // disposing it keeps a long-lived store (and an imported memory's refreshers) from
      // growing with every failure. Otherwise the store keeps it, with the effects the
      // spec requires to stay (functions in imported tables remain callable).
      if (!mayHaveEscaped(module, e)) instance.dispose();
      throw e;
    }
    return instance;
  }

  private describe(): string {
    const name = this.module.ir.names?.module;
    return name !== undefined ? `the Instance of module ${JSON.stringify(name)}` : 'the Instance';
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Ends the instance: later calls into its exports and reads of its exports fail with
   *  DisposedError; its references to memories and tables are released. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    const what = this.describe();
    const m = this.module.ir;
    const o = this.module.offsets;
    const refs = this.vm.refs;
    // Imported functions belong to someone else: only this instance's own exports are ended.
    const imported = new Set<unknown>();
    for (let i = 0; i < m.numImportedFuncs; i++) imported.add(refs[o.importedFunc(i)]);
    for (const [name, ext] of this.exportMap) {
      if (ext instanceof Func && !imported.has(ext.callable)) {
        disposedCallables.set(
          ext.callable as Callable,
          `function ${JSON.stringify(name)} called after ${what} was disposed`,
        );
      }
    }
    const nMem = m.numImportedMemories + m.memories.length;
    for (let i = 0; i < nMem; i++) {
      const mem = refs[o.memory(i)];
      if (mem instanceof Memory) mem.refreshers.delete(this.refresher);
      refs[o.memory(i)] = null;
    }
    const nTab = m.numImportedTables + m.tables.length;
    for (let i = 0; i < nTab; i++) refs[o.table(i)] = null;
    this.exportMap.clear();
    this.isDisposed = true;
    this.store.release(this);
  }
}

/**
 * Whether a partly initialised instance of `module` that failed with `e` can have handed
 * a reference to one of its functions or objects to someone else: through an imported
 * table, a mutable imported global of reference type, an imported function taking
 * references, or the payload of an uncaught exception. Imported memories carry no
 * references (bytes only); the refresher registered with them is removed by dispose().
 */
function mayHaveEscaped(module: Module, e: unknown): boolean {
  if (e instanceof WasmException) return true;
  const isRef = (t: unknown): boolean => typeof t === 'object' && t !== null;
  return module.importTypes().some((imp) => {
    switch (imp.kind) {
      case 'table':
        return true;
      case 'global':
        return imp.type.mutable && isRef(imp.type.type);
      case 'func':
        return imp.type.params.some(isRef);
      default:
        return false;
    }
  });
}

/** Instantiate like Instance.instantiate (kept for embedders written against it). */
export function instantiateTracked(store: Store, module: Module, imports: Extern[]): Instance {
  return Instance.instantiate(store, module, imports);
}
