// Engine, Store, Module and Instance: compilation, import resolution and instantiation in
// the spec's order (resolve and check imports -> allocate -> globals -> tables -> memories
// -> element segments -> data segments -> start function).

import type { ConstExpr, ExternKind, ModuleIR, ValType, GlobalType } from '../compiler/ir';
import { decodeModule } from '../compiler/binary';
import { validateModuleInfo, canonicalValType, canonicalRefType, matchFuncType, matchGlobalType, matchMemoryType, matchTableType, typeRegistry } from '../compiler/validate';
import { opByCode } from '../compiler/opcodes';
import type { TranslatedModule } from '../compiler/translate';
import { Artifact, compileCached, codeSettings, deserializeArtifact, serializeArtifact, settingsKey } from './cache';
import type { CodeSettings } from './cache/settings';
import { VMContext, VMOffsets } from '../vmctx';
import { LinkError } from './errors';
import { helpers } from './vm/helpers';
import { Func, Global, Memory, Table, Tag, TY, allocateDefinedGlobals, externStore, sameExternDomain, setExternStore, toTrapValue, type Callable, type Extern } from './objects';
import { f32FromBits, f64FromBits } from './vm/values';
import * as GC from './vm/gc';
import { applyActiveSegments } from './vm/segments';
import { checkMemoryCreation, checkTableCreation, instanceOwner, storeLimits } from './limits';
import { hostEnv } from './host-env';

export interface EngineConfig {
  /** Reserved for feature flags, fuel and lazy/eager translation. */
  readonly [key: string]: unknown;
}

/**
 * The engine's translation mode: its `compilation` option, else the JETWASM_COMPILATION
 * environment variable (Node), else lazy. A program's start runs a fraction of its
 * functions (sql.js: 411 of 1,968 up to its first query result), and once translated they
 * run as fast as eagerly translated code: under a JIT because V8's optimizing compiler
 * inlines the stubs they are reached through; under an interpreter because direct calls
 * bypass the stubs and each function keeps its memory views in its own closure variables
 * (env.ts `lazyViews`).
 */
export function compilationMode(config: EngineConfig): 'lazy' | 'eager' {
  const c = config.compilation;
  if (c === 'lazy' || c === 'eager') return c;
  const env = hostEnv('JETWASM_COMPILATION');
  if (env === 'lazy' || env === 'eager') return env;
  return 'lazy';
}

export class Engine {
  constructor(readonly config: EngineConfig = {}) {}
}

export class Store {
  readonly instances: Instance[] = [];
  constructor(readonly engine: Engine) {}
}

export class Module {
  readonly ir: ModuleIR;
  /** Canonical type id of every type index. */
  readonly canon: readonly number[];
  readonly offsets: VMOffsets;

  /** `compiled` may be shared with other Modules of equal bytes and settings (runtime/cache). */
  private constructor(readonly engine: Engine, private readonly compiled: Artifact) {
    this.ir = compiled.ir;
    this.canon = compiled.canon;
    this.offsets = compiled.offsets;
  }

  /**
   * Decodes and validates; throws CompileError. Reuses an earlier compilation of the same
   * bytes under the same code settings (runtime/cache), from this process or, with the
   * engine option `cache`, from the persistent cache. The module keeps a private copy of
   * `bytes` (function bodies are translated from them later), unless `transfer` says the
   * caller hands them over and never changes them again.
   */
  static fromBinary(engine: Engine, bytes: Uint8Array, options?: { readonly transfer?: boolean }): Module {
    return new Module(engine, compileCached(engine, bytes, Module.compile, Module.decode, options?.transfer === true));
  }

  /**
   * Function bodies stay bytes through validation (one streaming pass each) and are decoded
   * into instructions when translated.
   */
  private static decode(bytes: Uint8Array): ModuleIR {
    return decodeModule(bytes, { lazyBodies: true });
  }

  private static compile(bytes: Uint8Array, settings: CodeSettings, key: string): Artifact {
    const ir = Module.decode(bytes);
    const v = validateModuleInfo(ir);
    return new Artifact(bytes, ir, v.canon, new VMOffsets(ir), v.maxControlDepths, settings, key);
  }

  /**
   * The compiled module as bytes (Wasmtime's name): its Wasm bytes, the code translated so
   * far (lazy mode: the functions called so far) and, under V8, V8's code cache for it.
   * Translates the module if no instance did yet.
   */
  serialize(): Uint8Array {
    return serializeArtifact(this.compiled);
  }

  /**
   * Loads what `serialize` produced, for an engine with the same code settings under the same
   * jetwasm and V8 versions, without validating again. Throws SerializationError for damaged
   * or foreign bytes.
   */
  static deserialize(engine: Engine, bytes: Uint8Array): Module {
    const settings = codeSettings(engine);
    return new Module(engine, deserializeArtifact(bytes, settings, Module.decode, (b) => Module.compile(b, settings, settingsKey(settings))));
  }

  /** The generated code, translated on first instantiation and shared afterwards. */
  get code(): TranslatedModule {
    return this.compiled.code();
  }

  imports(): { module: string; name: string; kind: ExternKind }[] {
    return this.ir.imports.map((i) => ({ module: i.module, name: i.name, kind: i.desc.kind }));
  }

  exports(): { name: string; kind: ExternKind }[] {
    return this.ir.exports.map((e) => ({ name: e.name, kind: e.kind }));
  }
}

/** Index spaces of one instance (imports first). */
interface Spaces {
  funcs: Callable[];
  globals: Global[];
  tables: Table[];
  memories: Memory[];
  tags: Tag[];
}

export class Instance {
  readonly exports: ReadonlyMap<string, Extern>;
  readonly vm: VMContext;

  private constructor(readonly module: Module, vm: VMContext, exports: Map<string, Extern>) {
    this.vm = vm;
    this.exports = exports;
  }

  getExport(name: string): Extern | undefined {
    return this.exports.get(name);
  }

  static instantiate(store: Store, module: Module, imports: Extern[]): Instance {
    const m = module.ir;
    const canon = module.canon;
    const o = module.offsets;
    const vm = new VMContext(o);
    const sp: Spaces = { funcs: [], globals: [], tables: [], memories: [], tags: [] };
    const importedFuncs: Func[] = [];

    // ---- 0. one engine per store: the module's code is translated with its engine's fuel
    // and interrupt checks (or none), which the store's settings must match.
    if (module.engine !== store.engine) {
      throw new LinkError('cross-`Engine` instantiation is not currently supported: the module was compiled by a different Engine than the store\'s');
    }

    // ---- 1. resolve and check imports
    if (imports.length < m.imports.length) throw new LinkError('unknown import: missing imports');
    m.imports.forEach((imp, i) => {
      const ext = imports[i];
      const d = imp.desc;
      const fail = (): never => { throw new LinkError(`incompatible import type for ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`); };
      const owner = externStore(ext);
      if (owner !== undefined && !sameExternDomain(owner, store)) {
        throw new LinkError(`cross-\`Store\` instantiation is not currently supported: import ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)} belongs to a different Store`);
      }
      switch (d.kind) {
        case 'func': {
          if (!(ext instanceof Func) || !matchFuncType(ext.typeId, canon[d.typeIdx])) fail();
          const f = ext as Func;
          vm.refs[o.importedFunc(sp.funcs.length)] = f.callable;
          importedFuncs.push(f);
          sp.funcs.push(f.callable);
          break;
        }
        case 'global': {
          if (!(ext instanceof Global)) return fail();
          const want: GlobalType = { type: canonicalValType(d.type.type, canon), mutable: d.type.mutable };
          if (!matchGlobalType(ext.type, want)) fail();
          vm.refs[o.importedGlobal(sp.globals.length)] = ext.importCell();
          sp.globals.push(ext);
          break;
        }
        case 'table': {
          if (!(ext instanceof Table)) return fail();
          const want = { ...d.type, elem: canonicalRefType(d.type.elem, canon) };
          if (!matchTableType(ext.type, want)) fail();
          vm.refs[o.table(sp.tables.length)] = ext;
          sp.tables.push(ext);
          break;
        }
        case 'memory': {
          if (!(ext instanceof Memory) || !matchMemoryType(ext.type, d.type)) fail();
          vm.refs[o.memory(sp.memories.length)] = ext;
          sp.memories.push(ext as Memory);
          break;
        }
        case 'tag': {
          if (!(ext instanceof Tag) || ext.typeId !== canon[d.type.typeIdx]) fail();
          vm.refs[o.tag(sp.tags.length)] = ext;
          sp.tags.push(ext as Tag);
          break;
        }
      }
    });

    // ---- 2. allocate definitions (values filled below, in spec order)
    const definedGlobals = allocateDefinedGlobals(vm, o, m.numImportedGlobals, m.globals, canon);
    for (const t of m.tables) {
      const limiter = checkTableCreation(store, t.type);
      const table = new Table({ ...t.type, elem: canonicalRefType(t.type.elem, canon) }, null);
      table.limiter = limiter;
      setExternStore(table, store);
      vm.refs[o.table(sp.tables.length)] = table;
      sp.tables.push(table);
    }
    for (const mt of m.memories) {
      const limiter = checkMemoryCreation(store, mt);
      const mem = new Memory(mt);
      mem.limiter = limiter;
      setExternStore(mem, store);
      vm.refs[o.memory(sp.memories.length)] = mem;
      sp.memories.push(mem);
    }
    for (const t of m.tags) {
      const tag = new Tag(typeRegistry.get(canon[t.typeIdx]).comp as import('../compiler/ir').FuncType, canon[t.typeIdx]);
      setExternStore(tag, store);
      vm.refs[o.tag(sp.tags.length)] = tag;
      sp.tags.push(tag);
    }
    for (const g of definedGlobals) setExternStore(g, store);
    for (let s = 0; s < m.elems.length; s++) vm.refs[o.elem(s)] = helpers.EMPTY_ELEM;
    for (let s = 0; s < m.datas.length; s++) vm.refs[o.data(s)] = m.datas[s].bytes;

    // ---- generated code (reads the reference slab filled above)
    const code = module.code.factory(vm, helpers, module.code.lazySource, storeLimits(store));
    const names = m.names?.funcs;
    code.funcs.forEach((f, i) => {
      (f as Callable)[TY] = canon[m.funcs[i]];
      setExternStore(f, store);
      // Names from the name section label backtraces; they never enter generated source.
      const name = names?.get(m.numImportedFuncs + i);
      if (name !== undefined) Object.defineProperty(f, 'name', { value: name });
      sp.funcs.push(f as Callable);
    });
    for (const mem of sp.memories) mem.refreshers.add(code.refresh);

    // ---- 3. globals, in order (each may read earlier ones)
    const evalCtx = { sp, canon };
    m.globals.forEach((g, i) => {
      definedGlobals[i].setInternal(evalConst(g.init, g.type.type, evalCtx));
      sp.globals.push(definedGlobals[i]);
    });

    // ---- 4. table initialisers
    m.tables.forEach((t, i) => {
      if (t.init) {
        const v = evalConst(t.init, t.type.elem, evalCtx);
        sp.tables[m.numImportedTables + i].elements.fill(v);
      }
    });

    // ---- 5. element segments: evaluate all, then apply active ones in order
    const elemValues = m.elems.map((e) => e.init.map((x) => evalConst(x, e.type, evalCtx)));
    m.elems.forEach((e, s) => {
      if (e.mode === 'passive') vm.refs[o.elem(s)] = elemValues[s];
    });

    const exports = new Map<string, Extern>();
    const instance = new Instance(module, vm, exports);
    store.instances.push(instance);
    instanceOwner.set(instance, store);

    try {
      // ---- 5. active element segments, 6. data segments
      applyActiveSegments(m.elems, elemValues, m.datas, sp.tables, sp.memories, vm.refs, (s) => o.data(s),
        (expr, addr) => evalConst(expr, addr, evalCtx));
    } catch (e) {
      throw toTrapValue(e);
    }

    // ---- exports (before start, so a trapping start leaves nothing half-visible but the effects)
    const funcObjs = new Map<number, Func>();
    const funcExtern = (i: number): Func => {
      let f = funcObjs.get(i);
      if (!f) {
        if (i < importedFuncs.length) f = importedFuncs[i];
        else {
          const c = sp.funcs[i];
          const typeIdx = m.funcs[i - importedFuncs.length];
          f = new Func(c, typeRegistry.get(canon[typeIdx]).comp as import('../compiler/ir').FuncType, canon[typeIdx]);
        }
        funcObjs.set(i, f);
      }
      return f;
    };
    for (const ex of m.exports) {
      switch (ex.kind) {
        case 'func': exports.set(ex.name, funcExtern(ex.index)); break;
        case 'global': exports.set(ex.name, sp.globals[ex.index]); break;
        case 'table': exports.set(ex.name, sp.tables[ex.index]); break;
        case 'memory': exports.set(ex.name, sp.memories[ex.index]); break;
        case 'tag': exports.set(ex.name, sp.tags[ex.index]); break;
      }
    }

    // ---- 7. start function
    if (m.start !== undefined) {
      try {
        sp.funcs[m.start]();
      } catch (e) {
        throw toTrapValue(e);
      }
    }
    return instance;
  }
}

// ---------------------------------------------------------------- constant expressions

interface EvalCtx {
  sp: Spaces;
  canon: readonly number[];
}

/** Evaluates a validated constant expression to an internal value. */
function evalConst(expr: ConstExpr, _type: ValType | 'i32' | 'i64', ctx: EvalCtx): unknown {
  const st: unknown[] = [];
  for (const ins of expr) {
    const name = opByCode.get(ins.op)?.name;
    switch (name) {
      case 'i32.const': st.push(ins.value as number); break;
      case 'i64.const': st.push(BigInt.asIntN(64, ins.value as bigint)); break;
      case 'f32.const': st.push(f32FromBits(ins.value as number)); break;
      case 'f64.const': st.push(f64FromBits(ins.value as bigint)); break;
      case 'v128.const': {
        const b = ins.bytes!;
        st.push(new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 16)));
        break;
      }
      case 'ref.null': st.push(null); break;
      case 'ref.func': st.push(ctx.sp.funcs[ins.idx!]); break;
      case 'global.get': st.push(ctx.sp.globals[ins.idx!].getInternal()); break;
      case 'i32.add': { const b = st.pop() as number; const a = st.pop() as number; st.push((a + b) | 0); break; }
      case 'i32.sub': { const b = st.pop() as number; const a = st.pop() as number; st.push((a - b) | 0); break; }
      case 'i32.mul': { const b = st.pop() as number; const a = st.pop() as number; st.push(Math.imul(a, b)); break; }
      case 'i64.add': { const b = st.pop() as bigint; const a = st.pop() as bigint; st.push(BigInt.asIntN(64, a + b)); break; }
      case 'i64.sub': { const b = st.pop() as bigint; const a = st.pop() as bigint; st.push(BigInt.asIntN(64, a - b)); break; }
      case 'i64.mul': { const b = st.pop() as bigint; const a = st.pop() as bigint; st.push(BigInt.asIntN(64, a * b)); break; }
      case 'any.convert_extern': st.push(GC.internalize(st.pop())); break;
      case 'extern.convert_any': st.push(GC.externalize(st.pop())); break;
      case 'ref.i31': st.push(((st.pop() as number) << 1) >> 1); break;
      case 'struct.new': case 'struct.new_default': {
        const id = ctx.canon[ins.idx!];
        const comp = typeRegistry.get(id).comp;
        if (comp.kind !== 'struct') throw new Error('struct.new of a non-struct type');
        const n = comp.fields.length;
        const vals = name === 'struct.new' ? st.splice(st.length - n, n) : comp.fields.map((f) => GC.defaultOf(f.type));
        st.push(GC.structNew(id, ...vals));
        break;
      }
      case 'array.new': case 'array.new_default': case 'array.new_fixed': {
        const id = ctx.canon[ins.idx!];
        const comp = typeRegistry.get(id).comp;
        if (comp.kind !== 'array') throw new Error('array.new of a non-array type');
        const kind = GC.elemKind(comp.field.type);
        if (name === 'array.new_fixed') {
          st.push(GC.arrayFixed(id, kind, ...st.splice(st.length - ins.idx2!, ins.idx2!)));
        } else {
          const n = (st.pop() as number) >>> 0;
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

export { Func, Global, Memory, Table, Tag };
