// The Module: a decoded and validated Wasm module, compiled for one Engine. Its generated
// code is translated on first instantiation (all of it, or lazy stubs) and shared by its
// instances; compilations of equal bytes under equal settings are shared too (runtime/cache).

import type { ExternKind, FuncType, GlobalType, MemoryType, ModuleIR, TableType, ValType } from '../compiler/ir';
import { decodeModule } from '../compiler/binary';
import { exactHeapTypeCount } from '../compiler/binary/types';
import { CompileError } from '../compiler/errors';
import { resolveFeatures } from '../compiler/features';
import { anchorShape } from '../compiler/shapes';
import {
  canonicalRefType,
  canonicalValType,
  primerModule,
  typeRegistry,
  validateModuleInfo,
  validateModuleInfoAsync,
  validateModuleRepeated,
} from '../compiler/validate';
import type { TranslatedModule } from '../compiler/translate';
import { VMOffsets } from '../vmctx';
import {
  Artifact,
  compileCached,
  compileCachedAsync,
  codeSettings,
  deserializeArtifact,
  serializeArtifact,
  settingsKey,
} from './cache';
import type { CodeSettings } from './cache/settings';
import type { Engine } from './engine';
import { hostHasJit } from './jit-probe';
import { moduleInfo } from './module-info';
import { asyncValidationShare, validationShare, warmValidationHelper } from './validation-helper';
import { hostPauses } from './host-pause';
import type { ModuleInfo } from './vm/module';

/** `sliceMs`: how long an asynchronous compilation runs before it lets the host's event loop run. */
export const asyncCompileSettings = { sliceMs: 10 };

function exactTypesOff(): CompileError {
  return new CompileError(
    'invalid',
    'exact reference types require the custom-descriptors proposal, which is switched off',
  );
}

export class Module {
  readonly ir: ModuleIR;
  /** Canonical type id of every type index. */
  readonly canon: readonly number[];
  readonly offsets: VMOffsets;

  /** `compiled` may be shared with other Modules of equal bytes and settings (runtime/cache). */
  private constructor(
    readonly engine: Engine,
    private readonly compiled: Artifact,
  ) {
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
   * fromBinary without blocking the calling thread for long: validation runs in slices of
   * about asyncCompileSettings.sliceMs between which the host's event loop runs, its fast path shared with
   * worker threads where fromBinary would share it (runtime/validation-helper.ts), and waits
   * for them without blocking. Results and errors are fromBinary's.
   */
  static async fromBinaryAsync(
    engine: Engine,
    bytes: Uint8Array,
    options?: { readonly transfer?: boolean },
  ): Promise<Module> {
    return new Module(
      engine,
      await compileCachedAsync(
        engine,
        bytes,
        Module.compileAsync,
        Module.compile,
        Module.decode,
        options?.transfer === true,
      ),
    );
  }

  /**
   * Function bodies stay bytes through validation (one streaming pass each) and are decoded
   * into instructions when translated.
   */
  private static decode(bytes: Uint8Array): ModuleIR {
    return decodeModule(bytes, { lazyBodies: true, interpreted: !hostHasJit() });
  }

  private static compile(bytes: Uint8Array, settings: CodeSettings, key: string): Artifact {
    const features = resolveFeatures(settings.features);
    const exactBefore = exactHeapTypeCount();
    warmValidationHelper(bytes);
    const ir = Module.decode(bytes);
    const share = validationShare(bytes, ir, features);
    let v;
    try {
      v = validateModuleInfo(ir, typeRegistry, features, share);
    } finally {
      share?.close();
    }
    // Exact reference types can sit in any type the module spells out; the decoder counts
    // them as it reads them, bodies included (validation reads every body).
    if (!features.customDescriptors && exactHeapTypeCount() !== exactBefore) throw exactTypesOff();
    return new Artifact(bytes, ir, v.canon, new VMOffsets(ir), v.maxControlDepths, settings, key);
  }

  private static async compileAsync(bytes: Uint8Array, settings: CodeSettings, key: string): Promise<Artifact> {
    const features = resolveFeatures(settings.features);
    // Other compilations may run while this one waits: it counts the exact heap types read
    // in its own slices only.
    const pauses = hostPauses(asyncCompileSettings.sliceMs);
    let exact = 0;
    let mark = exactHeapTypeCount();
    pauses.around = (wait) => {
      exact += exactHeapTypeCount() - mark;
      return wait.then(() => {
        mark = exactHeapTypeCount();
      });
    };
    warmValidationHelper(bytes);
    const ir = Module.decode(bytes);
    const decoded = pauses.pause();
    if (decoded !== undefined) await decoded;
    const share = asyncValidationShare(bytes, ir, features);
    let v;
    try {
      v = await validateModuleInfoAsync(ir, typeRegistry, features, share, pauses.pause);
    } finally {
      share.close();
    }
    exact += exactHeapTypeCount() - mark;
    if (!features.customDescriptors && exact !== 0) throw exactTypesOff();
    return new Artifact(bytes, ir, v.canon, new VMOffsets(ir), v.maxControlDepths, settings, key);
  }

  /** The module's Wasm bytes: the module's own copy, which the caller must not change. */
  wasmBytes(): Uint8Array {
    return this.compiled.bytes;
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
    return new Module(
      engine,
      deserializeArtifact(bytes, settings, Module.decode, (b) => Module.compile(b, settings, settingsKey(settings))),
    );
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

  private types: ModuleTypes | undefined;
  /** Every import with its full type. */
  importTypes(): ImportType[] {
    return (this.types ??= moduleTypes(this.ir, this.canon)).imports;
  }
  /** Every export with its full type. */
  exportTypes(): ExportType[] {
    return (this.types ??= moduleTypes(this.ir, this.canon)).exports;
  }
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

/** Types of the imported entries of each index space, in order. */
interface IndexSpaceTypes {
  funcs: FuncType[];
  tables: TableType[];
  memories: MemoryType[];
  globals: GlobalType[];
  tags: FuncType[];
}

function importedTypes(ir: ModuleIR, canon: readonly number[]): IndexSpaceTypes {
  const sp: IndexSpaceTypes = { funcs: [], tables: [], memories: [], globals: [], tags: [] };
  for (const imp of ir.imports) {
    const d = imp.desc;
    switch (d.kind) {
      case 'func':
        sp.funcs.push(funcTypeAt(canon, d.typeIdx));
        break;
      case 'table':
        sp.tables.push(canonTable(d.type, canon));
        break;
      case 'memory':
        sp.memories.push(d.type);
        break;
      case 'global':
        sp.globals.push(canonGlobal(d.type, canon));
        break;
      case 'tag':
        sp.tags.push(funcTypeAt(canon, d.type.typeIdx));
        break;
    }
  }
  return sp;
}

/**
 * The type of index space entry `index`: an import's from `sp`, a definition's computed
 * here (only exported ones are asked for, so a module of many functions does not pay for
 * the type of each).
 */
function externTypeAt(
  ir: ModuleIR,
  canon: readonly number[],
  sp: IndexSpaceTypes,
  kind: ExternKind,
  index: number,
): ExternType {
  switch (kind) {
    case 'func': {
      const n = sp.funcs.length;
      return { kind, type: index < n ? sp.funcs[index] : funcTypeAt(canon, ir.funcs[index - n]) };
    }
    case 'table': {
      const n = sp.tables.length;
      return { kind, type: index < n ? sp.tables[index] : canonTable(ir.tables[index - n].type, canon) };
    }
    case 'memory': {
      const n = sp.memories.length;
      return { kind, type: index < n ? sp.memories[index] : ir.memories[index - n] };
    }
    case 'global': {
      const n = sp.globals.length;
      return { kind, type: index < n ? sp.globals[index] : canonGlobal(ir.globals[index - n].type, canon) };
    }
    case 'tag': {
      const n = sp.tags.length;
      return { kind, type: index < n ? sp.tags[index] : funcTypeAt(canon, ir.tags[index - n].typeIdx) };
    }
  }
}

interface ModuleTypes {
  readonly imports: ImportType[];
  readonly exports: ExportType[];
}

function moduleTypes(ir: ModuleIR, canon: readonly number[]): ModuleTypes {
  const sp = importedTypes(ir, canon);
  const counters: Record<ExternKind, number> = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  const imports = ir.imports.map((imp): ImportType => ({
    module: imp.module,
    name: imp.name,
    ...externTypeAt(ir, canon, sp, imp.desc.kind, counters[imp.desc.kind]++),
  }));
  const exports = ir.exports.map((ex): ExportType => ({
    name: ex.name,
    ...externTypeAt(ir, canon, sp, ex.kind, ex.index),
  }));
  return { imports, exports };
}

/**
 * Has a JIT host's optimizing compiler start on the validator before the first real module:
 * validates a small module (every instruction the fast path handles, decoded once), its
 * bodies `rounds` times and the rest once, which marks the fast path hot with feedback from
 * the objects real modules give it, and the host compiles it in the background while the
 * program goes on (reading its module, say). Without this the first large module runs the
 * fast path unoptimized until a compile started in its middle finishes. Costs milliseconds
 * on the calling thread; pointless without a JIT. The Node entry calls it at load.
 */
export function primeValidation(rounds = 24): void {
  const bytes = primerModule(2);
  const ir = decodeModule(bytes, { lazyBodies: true });
  const v = validateModuleRepeated(ir, typeRegistry, rounds);
  // The optimised fast path checks the maps of these objects: if the last of them died, a
  // full GC would discard it before the first real module (compiler/shapes.ts).
  anchorShape({ ir, v });
}
