// Instantiation, shared by every way of creating an instance (runtime/instance.ts for
// modules compiled in this process, runtime/aot/ for ahead-of-time output): the spec's
// order of resolve and check imports -> allocate -> generated code -> globals -> tables ->
// element segments -> data segments -> exports -> start, with the VMContext laid out by the
// module's VMOffsets and filled here alone.
//
// Invariants:
//   - this file loads no compiler code (ahead-of-time output instantiates through it);
//   - every reference-slab slot but the segment slots is written before the generated code's
//     factory runs (vmctx/index.ts), so the code may capture them;
//   - what this throws from allocation on is a trap value (toTrapValue); import failures are
//     LinkErrors (or whatever the caller's resolver throws).

import type { FuncType, GlobalType, Import, MemoryType, TableType } from '../../compiler/ir';
import { LAZY_STUB_NAME, VMContext, type VMOffsets } from '../../vmctx';
import {
  canonicalRefType,
  canonicalValType,
  matchFuncType,
  matchGlobalType,
  matchMemoryType,
  matchTableType,
  typeRegistry,
} from '../../types';
import { LinkError } from '../errors';
import type { ResourceLimiter } from '../limits';
import {
  Func,
  Global,
  Memory,
  Table,
  Tag,
  TY,
  allocateDefinedGlobals,
  toTrapValue,
  type Callable,
  type Extern,
} from '../objects';
import { evalConstExpr, type ConstEnv } from './const-expr';
import { helpers } from './helpers';
import type { ConstOps, ModuleInfo } from './module';
import { applyActiveSegments } from './segments';

/** The store's part in instantiation (absent for ahead-of-time output, which has no store). */
export interface StoreContext {
  /** Throws if a defined table of this type may not be created; its limiter otherwise. */
  tableLimiter(type: TableType): ResourceLimiter | null;
  memoryLimiter(type: MemoryType): ResourceLimiter | null;
  /** Records that the store owns `obj`: a defined extern. */
  own(obj: object): void;
  /** Records that the store owns `code`: a defined function's callable. */
  ownCode(code: object): void;
}

/** The generated code of one instance: what the module's factory returns. */
export interface InstanceCode {
  readonly funcs: readonly ((...args: unknown[]) => unknown)[];
  /** Re-reads the memory views the code caches (registered with every memory it uses). */
  readonly refresh: () => void;
}

/**
 * One instance's VMContext and index spaces (imports first), built in the spec's order by
 * the constructor (imports, allocation), `link` (generated code), `initialize` (globals,
 * tables, segments) and `start`.
 */
export class InstanceHandle implements ConstEnv {
  readonly vm: VMContext;
  readonly funcs: Callable[] = [];
  readonly globals: Global[] = [];
  readonly tables: Table[] = [];
  readonly memories: Memory[] = [];
  readonly tags: Tag[] = [];
  /** The Func objects of imported functions, by function index. */
  readonly importedFuncs: Func[] = [];
  private readonly definedGlobals: Global[];

  /**
   * Resolves and checks imports (`resolve` supplies the extern for import `i`), then
   * allocates the module's definitions. Values are filled by `initialize`.
   */
  constructor(
    readonly module: ModuleInfo,
    readonly canon: readonly number[],
    readonly offsets: VMOffsets,
    resolve: (imp: Import, i: number) => Extern,
    private readonly store: StoreContext | null,
  ) {
    const m = module;
    const o = offsets;
    const vm = (this.vm = new VMContext(o));

    // ---- 1. resolve and check imports
    m.imports.forEach((imp, i) => {
      const ext = resolve(imp, i);
      const d = imp.desc;
      const fail = (): never => {
        throw new LinkError(`incompatible import type for ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`);
      };
      switch (d.kind) {
        case 'func': {
          if (!(ext instanceof Func) || !matchFuncType(ext.typeId, canon[d.typeIdx], d.exact)) return fail();
          vm.refs[o.importedFunc(this.funcs.length)] = ext.callable;
          this.importedFuncs.push(ext);
          this.funcs.push(ext.callable);
          break;
        }
        case 'global': {
          const want: GlobalType = { type: canonicalValType(d.type.type, canon), mutable: d.type.mutable };
          if (!(ext instanceof Global) || !matchGlobalType(ext.type, want)) return fail();
          vm.refs[o.importedGlobal(this.globals.length)] = ext.importCell();
          this.globals.push(ext);
          break;
        }
        case 'table': {
          if (
            !(ext instanceof Table) ||
            !matchTableType(ext.type, { ...d.type, elem: canonicalRefType(d.type.elem, canon) })
          )
            return fail();
          vm.refs[o.table(this.tables.length)] = ext;
          this.tables.push(ext);
          break;
        }
        case 'memory': {
          if (!(ext instanceof Memory) || !matchMemoryType(ext.type, d.type)) return fail();
          vm.refs[o.memory(this.memories.length)] = ext;
          this.memories.push(ext);
          break;
        }
        case 'tag': {
          if (!(ext instanceof Tag) || ext.typeId !== canon[d.type.typeIdx]) return fail();
          vm.refs[o.tag(this.tags.length)] = ext;
          this.tags.push(ext);
          break;
        }
      }
    });

    // ---- 2. allocate definitions (values filled by initialize, in the spec's order)
    this.definedGlobals = allocateDefinedGlobals(vm, o, m.numImportedGlobals, m.globals, canon);
    try {
      for (const t of m.tables) {
        const limiter = store ? store.tableLimiter(t.type) : null;
        const table = new Table({ ...t.type, elem: canonicalRefType(t.type.elem, canon) }, null);
        table.limiter = limiter;
        this.adopt(table);
        vm.refs[o.table(this.tables.length)] = table;
        this.tables.push(table);
      }
      for (const mt of m.memories) {
        const limiter = store ? store.memoryLimiter(mt) : null;
        const mem = new Memory(mt);
        mem.limiter = limiter;
        this.adopt(mem);
        vm.refs[o.memory(this.memories.length)] = mem;
        this.memories.push(mem);
      }
    } catch (e) {
      throw toTrapValue(e);
    }
    for (const t of m.tags) {
      const tag = new Tag(this.funcType(t.typeIdx), canon[t.typeIdx]);
      this.adopt(tag);
      vm.refs[o.tag(this.tags.length)] = tag;
      this.tags.push(tag);
    }
    for (const g of this.definedGlobals) this.adopt(g);
    for (let s = 0; s < m.elems.length; s++) vm.refs[o.elem(s)] = helpers.EMPTY_ELEM;
    for (let s = 0; s < m.datas.length; s++) vm.refs[o.data(s)] = m.datas[s].bytes;
  }

  /** The function type at type index `typeIdx`. */
  funcType(typeIdx: number): FuncType {
    return typeRegistry.get(this.canon[typeIdx]).comp as FuncType;
  }

  private adopt(obj: object): void {
    if (this.store) this.store.own(obj);
  }

  /**
   * Takes the generated code (its factory has run on `vm`): types and names the defined
   * functions and registers the code's view refresher with every memory.
   */
  link(code: InstanceCode, names: { get(index: number): string | undefined } | undefined): void {
    const m = this.module;
    code.funcs.forEach((f, i) => {
      (f as Callable)[TY] = this.canon[m.funcs[i]];
      if (this.store) this.store.ownCode(f);
      // Names from the name section label backtraces; they never enter generated source.
      // A lazy stub keeps its name (backtraces skip it), and lazyCompile names the code it
      // makes: redefining `name` turns a function's properties into a dictionary, which for
      // every function of a large module is megabytes of heap.
      if (names !== undefined && (f as Callable).name !== LAZY_STUB_NAME) {
        const name = names.get(m.numImportedFuncs + i);
        if (name !== undefined) Object.defineProperty(f, 'name', { value: name });
      }
      this.funcs.push(f as Callable);
    });
    for (const mem of this.memories) mem.refreshers.add(code.refresh);
  }

  private evaluate(expr: ConstOps): unknown {
    return evalConstExpr(expr, this);
  }

  /**
   * Globals in order (each may read earlier ones), table initialisers, element segments
   * (all evaluated, then the active ones applied in order), then data segments. Throws a
   * trap value; segments applied before a failing one stay applied, as the spec requires.
   */
  initialize(): void {
    const m = this.module;
    const vm = this.vm;
    const o = this.offsets;
    try {
      m.globals.forEach((g, i) => {
        this.definedGlobals[i].setInternal(this.evaluate(g.init));
        this.globals.push(this.definedGlobals[i]);
      });
      m.tables.forEach((t, i) => {
        if (t.init) this.tables[m.numImportedTables + i].elements.fill(this.evaluate(t.init));
      });
      const elemValues = m.elems.map((e) => e.init.map((x) => this.evaluate(x)));
      m.elems.forEach((e, s) => {
        if (e.mode === 'passive') vm.refs[o.elem(s)] = elemValues[s];
      });
      applyActiveSegments(
        m.elems,
        elemValues,
        m.datas,
        this.tables,
        this.memories,
        vm.refs,
        (s) => o.data(s),
        (expr) => this.evaluate(expr),
      );
    } catch (e) {
      throw toTrapValue(e);
    }
  }

  /**
   * The module's exports, in order. `funcOf` makes the Func of a defined function (once per
   * function index); an imported function is exported as the Func it was imported as.
   */
  exports(
    funcOf: (c: Callable, typeId: number) => Func = (c, id) => new Func(c, typeRegistry.get(id).comp as FuncType, id),
  ): Map<string, Extern> {
    const m = this.module;
    const funcObjs = new Map<number, Func>();
    const funcExtern = (i: number): Func => {
      let f = funcObjs.get(i);
      if (!f) {
        f =
          i < this.importedFuncs.length
            ? this.importedFuncs[i]
            : funcOf(this.funcs[i], this.canon[m.funcs[i - this.importedFuncs.length]]);
        funcObjs.set(i, f);
      }
      return f;
    };
    const exports = new Map<string, Extern>();
    for (const ex of m.exports) {
      switch (ex.kind) {
        case 'func':
          exports.set(ex.name, funcExtern(ex.index));
          break;
        case 'global':
          exports.set(ex.name, this.globals[ex.index]);
          break;
        case 'table':
          exports.set(ex.name, this.tables[ex.index]);
          break;
        case 'memory':
          exports.set(ex.name, this.memories[ex.index]);
          break;
        case 'tag':
          exports.set(ex.name, this.tags[ex.index]);
          break;
      }
    }
    return exports;
  }

  /** Runs the start function, if any; throws a trap value. */
  start(): void {
    const s = this.module.start;
    if (s === undefined) return;
    try {
      this.funcs[s]();
    } catch (e) {
      throw toTrapValue(e);
    }
  }
}
