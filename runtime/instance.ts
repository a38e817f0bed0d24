// Engine, Store, Module and Instance: compilation, import resolution and instantiation in
// the spec's order (resolve and check imports -> allocate -> globals -> tables -> memories
// -> element segments -> data segments -> start function).

import type { ExternKind, Import, ModuleIR } from '../compiler/ir';
import { decodeModule } from '../compiler/binary';
import { validateModuleInfo } from '../compiler/validate';
import type { TranslatedModule } from '../compiler/translate';
import { Artifact, compileCached, codeSettings, deserializeArtifact, serializeArtifact, settingsKey } from './cache';
import type { CodeSettings } from './cache/settings';
import { VMContext, VMOffsets } from '../vmctx';
import { LinkError } from './errors';
import { helpers } from './vm/helpers';
import { InstanceHandle, type StoreContext } from './vm/instance';
import type { ModuleInfo } from './vm/module';
import { moduleInfo } from './module-info';
import { Func, Global, Memory, Table, Tag, externStore, sameExternDomain, setExternStore, type Extern } from './objects';
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

  private info_: ModuleInfo | undefined;
  /** What instantiation reads of the module (runtime/vm/module.ts), derived once. */
  get info(): ModuleInfo {
    return (this.info_ ??= moduleInfo(this.ir));
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
    // One engine per store: the module's code is translated with its engine's fuel and
    // interrupt checks (or none), which the store's settings must match.
    if (module.engine !== store.engine) {
      throw new LinkError('cross-`Engine` instantiation is not currently supported: the module was compiled by a different Engine than the store\'s');
    }
    if (imports.length < m.imports.length) throw new LinkError('unknown import: missing imports');
    const resolve = (imp: Import, i: number): Extern => {
      const ext = imports[i];
      const owner = externStore(ext);
      if (owner !== undefined && !sameExternDomain(owner, store)) {
        throw new LinkError(`cross-\`Store\` instantiation is not currently supported: import ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)} belongs to a different Store`);
      }
      return ext;
    };
    const context: StoreContext = {
      tableLimiter: (t) => checkTableCreation(store, t),
      memoryLimiter: (t) => checkMemoryCreation(store, t),
      own: (obj) => setExternStore(obj, store),
    };
    const h = new InstanceHandle(module.info, module.canon, module.offsets, resolve, context);
    // The generated code reads the reference slab filled above.
    h.link(module.code.factory(h.vm, helpers, module.code.lazySource, storeLimits(store)), m.names?.funcs);

    const exports = new Map<string, Extern>();
    const instance = new Instance(module, h.vm, exports);
    // Registered before the segments are applied: a failing segment leaves the ones before
    // it applied, with this instance's functions possibly in imported tables.
    store.instances.push(instance);
    instanceOwner.set(instance, store);
    h.initialize();
    // Exports before start, so a trapping start leaves nothing half-visible but its effects.
    for (const [name, ext] of h.exports()) exports.set(name, ext);
    h.start();
    return instance;
  }
}

export { Func, Global, Memory, Table, Tag };
