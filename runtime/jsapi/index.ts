// The WebAssembly JS-API facade: `WebAssembly.Module`, `Instance`, `Memory`, `Table`, `Global`,
// `Tag`, `Exception`, `JSTag`, the error classes, `validate`, `compile`, `instantiate` and the
// streaming variants, as a thin layer over the embedder API (runtime/index.ts). All facade
// modules share one Engine; every instantiation gets its own Store (so nothing keeps a
// finished instance alive but the JS objects that reference it), and all those stores form
// one extern domain, since the JS API lets any instance import any other's exports.
//
// Argument handling follows the JS API with WebIDL's conversions: bytes are copied when a
// call is made (compile and instantiate included, before their promise settles), the import
// object is read synchronously by `new Instance` and `instantiate(module, ...)` (and once the
// module is compiled by `instantiate(bytes, ...)`), and argument errors of the promise-
// returning functions reject their promise.

import { CompileError as EngineCompileError } from '../../compiler/errors';
import type { ExternKind } from '../../compiler/ir';
import { Engine } from '../engine';
import { RuntimeError as EngineRuntimeError } from '../errors';
import { Instance as RtInstance } from '../instance';
import { Module as RtModule } from '../module';
import { Store } from '../store';
import { hostEnv } from '../host-env';
import { Func, Global as RtGlobal, Memory as RtMemory, Table as RtTable, Tag as RtTag, type Extern } from '../objects';
import { CompileError, LinkError, RuntimeError, fromEngineError } from './errors';
import {
  Exception,
  Global,
  Memory,
  Table,
  Tag,
  engineGlobal,
  engineMemory,
  engineTable,
  engineTag,
  isGlobal,
  isMemory,
  isTable,
  isTag,
  jsTag,
  memoryToWire,
  upgradeInPlace,
  wrapGlobal,
  wrapMemory,
  wrapTable,
  wrapTag,
} from './objects';
import {
  bufferSourceView,
  exportedFunction,
  funcOfExportedFunction,
  hostFunction,
  noteFunctionIndex,
  toWebAssemblyValue,
} from './values';
import {
  JS_STRING_MODULE,
  checkCompileOptions,
  compileOptions,
  findBuiltin,
  isHiddenImport,
  type CompileOptions,
} from './builtins';
import { defineInterface, namespaceObject, setNameAndLength } from './webidl';
import { wrapPostMessage } from './agents';

// The facade takes no options: JETWASM_CACHE=DIR turns the persistent cache on (Node only).
const cacheDir = hostEnv('JETWASM_CACHE');
const engine = new Engine(cacheDir ? { cache: { directory: cacheDir } } : {});
/** The extern domain of every facade store (it holds no instances itself). */
const domain = new Store(engine);

function facadeStore(): Store {
  const store = new Store(engine);
  store.shareExterns(domain);
  return store;
}

export type BufferSource = ArrayBufferView | ArrayBuffer;
export type ImportValue = Function | Global | Memory | Table | Tag | number | bigint | unknown;
export type Imports = Record<string, Record<string, ImportValue>>;
export type ImportExportKind = 'function' | 'table' | 'memory' | 'global' | 'tag';
export interface WebAssemblyCompileOptions {
  builtins?: Iterable<string>;
  importedStringConstants?: string | null;
}

const KIND_NAMES: Record<ExternKind, ImportExportKind> = {
  func: 'function',
  table: 'table',
  memory: 'memory',
  global: 'global',
  tag: 'tag',
};

/**
 * Converts the bytes and compile options of a call as WebIDL does (the bytes' type first,
 * then the options, whose getters run), then reads the bytes. The view is of the caller's
 * buffer: the synchronous paths compile it in place (Module.fromBinary copies what it
 * compiles before returning), the asynchronous ones copy it before returning.
 */
function compileArgs(bytes: unknown, options: unknown, what: string): { view: Uint8Array; options: CompileOptions } {
  bufferSourceView(bytes, what);
  const opts = compileOptions(options, what);
  return { view: bufferSourceView(bytes, what), options: opts };
}

function checkImportObject(importObject: unknown, what: string): void {
  if (
    importObject !== undefined &&
    (importObject === null || (typeof importObject !== 'object' && typeof importObject !== 'function'))
  ) {
    throw new TypeError(`${what}: the imports argument must be an object`);
  }
}

// ---------------------------------------------------------------- compiling

/**
 * Limits of the JS API that valid core modules cross, so the decoder does not check them
 * (compiler/limits.ts LIMITS has the others): a 64-bit memory of at most 2^37 - 1
 * pages. Null when the module keeps it.
 */
function jsApiLimitError(m: RtModule): string | null {
  const MAX_PAGES_64 = 2 ** 37 - 1;
  const memories = [...m.ir.memories];
  for (const imp of m.ir.imports) if (imp.desc.kind === 'memory') memories.push(imp.desc.type);
  for (const mem of memories) {
    if (mem.addr !== 'i64') continue;
    if (mem.limits.min > MAX_PAGES_64 || (mem.limits.max !== undefined && mem.limits.max > MAX_PAGES_64)) {
      return `a 64-bit memory size exceeds the implementation limit of ${MAX_PAGES_64} pages`;
    }
  }
  return null;
}

/**
 * Compiles bytes under compile options; throws the facade's CompileError. `owned`: the bytes
 * are a copy no one else holds, so the module keeps them instead of copying them again.
 */
function compileBytes(bytes: Uint8Array, options: CompileOptions, owned = false): RtModule {
  let m: RtModule;
  try {
    m = RtModule.fromBinary(engine, bytes, { transfer: owned });
  } catch (e) {
    throw compileFailure(e);
  }
  return checkedModule(m, options);
}

/**
 * compileBytes for the asynchronous functions: a module of ASYNC_COMPILE_MIN_BYTES or more
 * is validated in slices between which the event loop runs (RtModule.fromBinaryAsync);
 * a smaller one in one later job.
 */
async function compileBytesAsync(bytes: Uint8Array, options: CompileOptions, owned: boolean): Promise<RtModule> {
  if (bytes.length < ASYNC_COMPILE_MIN_BYTES) return compileBytes(bytes, options, owned);
  let m: RtModule;
  try {
    m = await RtModule.fromBinaryAsync(engine, bytes, { transfer: owned });
  } catch (e) {
    throw compileFailure(e);
  }
  return checkedModule(m, options);
}

/** Below this size asynchronous compilation takes one job (a JIT host validates a MiB in milliseconds). */
export const ASYNC_COMPILE_MIN_BYTES = 1024 * 1024;

function compileFailure(e: unknown): unknown {
  if (e instanceof EngineCompileError) return fromEngineError(e);
  if (e instanceof RangeError || e instanceof TypeError) return new CompileError(e.message);
  return e;
}

function checkedModule(m: RtModule, options: CompileOptions): RtModule {
  const why = jsApiLimitError(m) ?? checkCompileOptions(m, options);
  if (why !== null) throw new CompileError(why);
  return m;
}

// ---------------------------------------------------------------- Module

interface ModuleSlots {
  readonly module: RtModule;
  readonly options: CompileOptions;
}

const moduleSlots = new WeakMap<object, ModuleSlots>();

export class Module {
  constructor(bytes: BufferSource, options?: WebAssemblyCompileOptions) {
    const args = compileArgs(bytes, options, 'WebAssembly.Module');
    moduleSlots.set(this, { module: compileBytes(args.view, args.options), options: args.options });
  }

  static exports(moduleObject: Module): { name: string; kind: ImportExportKind }[] {
    return slotsOf(moduleObject)
      .module.exports()
      .map((e) => ({ name: e.name, kind: KIND_NAMES[e.kind] }));
  }

  static imports(moduleObject: Module): { module: string; name: string; kind: ImportExportKind }[] {
    const { module, options } = slotsOf(moduleObject);
    return module
      .imports()
      .filter((i) => !isHiddenImport(options, i.module, i.name))
      .map((i) => ({ module: i.module, name: i.name, kind: KIND_NAMES[i.kind] }));
  }

  static customSections(moduleObject: Module, sectionName: string): ArrayBuffer[] {
    const m = slotsOf(moduleObject).module;
    if (sectionName === undefined) throw new TypeError('WebAssembly.Module.customSections: a section name is required');
    if (typeof sectionName === 'symbol')
      throw new TypeError('WebAssembly.Module.customSections: cannot convert a Symbol to a string');
    const name = String(sectionName);
    return m.ir.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer as ArrayBuffer);
  }
}
defineInterface(Module, 'Module', 1, {
  statics: { exports: 1, imports: 1, customSections: 2 },
  toStringTag: 'WebAssembly.Module',
});

function slotsOf(m: unknown): ModuleSlots {
  const s = typeof m === 'object' && m !== null ? (moduleSlots.get(m) ?? moduleFromWire(m)) : undefined;
  if (!s) throw new TypeError('not a WebAssembly.Module');
  return s;
}

/** The key of a Module's wire form (see objects.ts "wire forms"). */
export const MODULE_WIRE_KEY = 'jetwasm.Module';

/** A Module's wire form: its bytes and compile options, compiled again by the receiver. */
function moduleToWire(m: Module): object {
  const { module, options } = slotsOf(m);
  return {
    [MODULE_WIRE_KEY]: {
      bytes: module.wasmBytes(),
      builtins: [...options.builtins],
      importedStringConstants: options.importedStringConstants,
    },
  };
}

/** The module a wire form stands for, made a facade Module in place; undefined for anything else. */
function moduleFromWire(o: object): ModuleSlots | undefined {
  if (!Object.prototype.hasOwnProperty.call(o, MODULE_WIRE_KEY)) return undefined;
  const w = (o as Record<string, unknown>)[MODULE_WIRE_KEY] as {
    bytes?: unknown;
    builtins?: unknown;
    importedStringConstants?: unknown;
  } | null;
  if (w === null || typeof w !== 'object' || !(w.bytes instanceof Uint8Array) || !Array.isArray(w.builtins))
    return undefined;
  const options: CompileOptions = {
    builtins: w.builtins.map(String),
    importedStringConstants: typeof w.importedStringConstants === 'string' ? w.importedStringConstants : null,
  };
  // The clone's bytes are this agent's own copy: handed to the module without another.
  const slots: ModuleSlots = { module: compileBytes(w.bytes, options, true), options };
  upgradeInPlace(o, Module.prototype);
  moduleSlots.set(o, slots);
  return slots;
}

/**
 * What structured cloning should carry for `value` (node/agents.ts): the wire form of a
 * facade Module or Memory, anything else unchanged. Throws a DataCloneError for an unshared
 * Memory, as native cloning does.
 */
export function wireFormOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (moduleSlots.has(value)) return moduleToWire(value as Module);
  if (isMemory(value)) return memoryToWire(value);
  return value;
}

wrapPostMessage(wireFormOf);

function moduleObject(module: RtModule, options: CompileOptions): Module {
  const f = Object.create(Module.prototype) as Module;
  moduleSlots.set(f, { module, options });
  return f;
}

// ---------------------------------------------------------------- Instance

let jsStringExports: Record<string, unknown> | undefined;

/** The exports object of the js-string builtin set (one per process). */
function jsStringObject(options: CompileOptions): Record<string, unknown> {
  if (jsStringExports === undefined) {
    const o = Object.create(null) as Record<string, unknown>;
    for (const name of [
      'cast',
      'test',
      'fromCharCodeArray',
      'intoCharCodeArray',
      'fromCharCode',
      'fromCodePoint',
      'charCodeAt',
      'codePointAt',
      'length',
      'concat',
      'substring',
      'equals',
      'compare',
    ]) {
      o[name] = exportedFunction(findBuiltin(options, JS_STRING_MODULE, name)!.func);
    }
    jsStringExports = o;
  }
  return jsStringExports;
}

/** Reads the import object per the JS API ("read the imports"). */
function readImports(slots: ModuleSlots, importObject: unknown): Extern[] {
  const { module, options } = slots;
  const imports = module.ir.imports;
  checkImportObject(importObject, 'WebAssembly.Instance');
  if (imports.length > 0 && importObject === undefined)
    throw new TypeError('WebAssembly.Instance: the imports argument must be present and must be an object');
  const special = new Map<string, Record<string, unknown>>();
  if (options.builtins.includes('js-string')) special.set(JS_STRING_MODULE, jsStringObject(options));
  if (options.importedStringConstants !== null) {
    const strings = Object.create(null) as Record<string, unknown>;
    for (const imp of imports) if (imp.module === options.importedStringConstants) strings[imp.name] = imp.name;
    special.set(options.importedStringConstants, strings);
  }
  const types = module.importTypes();
  const out: Extern[] = [];
  imports.forEach((imp, k) => {
    const where = `${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`;
    let o: unknown = special.get(imp.module);
    if (o === undefined || !(imp.name in (o as object))) o = (importObject as Record<string, unknown>)[imp.module];
    if (o === null || (typeof o !== 'object' && typeof o !== 'function'))
      throw new TypeError(`WebAssembly.Instance: import module ${JSON.stringify(imp.module)} is not an object`);
    const v = (o as Record<string, unknown>)[imp.name];
    const t = types[k];
    switch (t.kind) {
      case 'func': {
        if (typeof v !== 'function') throw new LinkError(`import ${where}: function import requires a callable`);
        const typeIdx = imp.desc.kind === 'func' ? imp.desc.typeIdx : -1;
        out.push(funcOfExportedFunction(v) ?? hostFunction(v, t.type, module.canon[typeIdx]));
        break;
      }
      case 'global': {
        if (isGlobal(v)) {
          out.push(engineGlobal(v));
          break;
        }
        const vt = t.type.type;
        if (vt === 'i64' && typeof v !== 'bigint')
          throw new LinkError(`import ${where}: global import of type i64 requires a BigInt or WebAssembly.Global`);
        if ((vt === 'i32' || vt === 'f32' || vt === 'f64') && typeof v !== 'number')
          throw new LinkError(`import ${where}: global import requires a Number or WebAssembly.Global`);
        if (vt === 'v128') throw new LinkError(`import ${where}: v128 global import requires a WebAssembly.Global`);
        if (t.type.mutable)
          throw new LinkError(`import ${where}: imported mutable global must be a WebAssembly.Global object`);
        let value: unknown;
        try {
          value = toWebAssemblyValue(vt, v);
        } catch (e) {
          throw new LinkError(`import ${where}: ${(e as Error).message}`);
        }
        out.push(RtGlobal.create(null, t.type, value));
        break;
      }
      case 'memory':
        if (!isMemory(v)) throw new LinkError(`import ${where}: memory import must be a WebAssembly.Memory object`);
        out.push(engineMemory(v));
        break;
      case 'table':
        if (!isTable(v)) throw new LinkError(`import ${where}: table import requires a WebAssembly.Table`);
        out.push(engineTable(v));
        break;
      case 'tag':
        if (!isTag(v)) throw new LinkError(`import ${where}: tag import requires a WebAssembly.Tag`);
        out.push(engineTag(v));
        break;
    }
  });
  return out;
}

/** The exports object: null prototype, frozen, facade objects for every extern. */
function exportsObject(module: RtModule, inst: RtInstance): Record<string, unknown> {
  const obj = Object.create(null) as Record<string, unknown>;
  for (const ex of module.ir.exports) {
    const e = inst.exports.get(ex.name);
    if (e instanceof Func) {
      noteFunctionIndex(e, ex.index);
      obj[ex.name] = exportedFunction(e);
    } else if (e instanceof RtMemory) obj[ex.name] = wrapMemory(e);
    else if (e instanceof RtTable) obj[ex.name] = wrapTable(e);
    else if (e instanceof RtGlobal) obj[ex.name] = wrapGlobal(e);
    else if (e instanceof RtTag) obj[ex.name] = wrapTag(e);
  }
  return Object.freeze(obj);
}

/**
 * The engine's traps for a table or memory too large to allocate (runtime/objects.ts): the
 * JS API reports a failed allocation as a RangeError, as `new Table` and `new Memory` do.
 */
const ALLOCATION_FAILURES = new Set([
  'table size exceeds implementation limit',
  'memory size exceeds implementation limit',
]);

/** Instantiates the core module with imports already read; the exports object. */
function instantiateCore(module: RtModule, imports: Extern[]): Record<string, unknown> {
  let inst: RtInstance;
  try {
    inst = RtInstance.instantiate(facadeStore(), module, imports);
  } catch (e) {
    if (e instanceof EngineRuntimeError && ALLOCATION_FAILURES.has(e.message))
      throw new RangeError(`WebAssembly.Instance: ${e.message}`);
    throw fromEngineError(e);
  }
  return exportsObject(module, inst);
}

const instanceExports = new WeakMap<object, Record<string, unknown>>();

export class Instance {
  constructor(module: Module, importObject?: Imports) {
    const slots = slotsOf(module);
    instanceExports.set(this, instantiateCore(slots.module, readImports(slots, importObject)));
  }

  get exports(): Record<string, unknown> {
    const e = instanceExports.get(this);
    if (!e) throw new TypeError('not a WebAssembly.Instance');
    return e;
  }
}
defineInterface(Instance, 'Instance', 1, { attributes: ['exports'], toStringTag: 'WebAssembly.Instance' });

function instanceObject(exports: Record<string, unknown>): Instance {
  const i = Object.create(Instance.prototype) as Instance;
  instanceExports.set(i, exports);
  return i;
}

// ---------------------------------------------------------------- functions

export function validate(bytes: BufferSource, options?: WebAssemblyCompileOptions): boolean {
  const args = compileArgs(bytes, options, 'WebAssembly.validate');
  try {
    compileBytes(args.view, args.options);
    return true;
  } catch (e) {
    if (e instanceof CompileError) return false;
    throw e;
  }
}

/** Runs `f` in a later job, so what it throws becomes the rejection of the promise. */
function later<T>(f: () => T): Promise<T> {
  return Promise.resolve().then(f);
}

/** Compiles copied bytes from a later job on: the promise of a WebAssembly.Module. */
function compileLater(copy: Uint8Array, options: CompileOptions): Promise<Module> {
  return Promise.resolve()
    .then(() => compileBytesAsync(copy, options, true))
    .then((m) => moduleObject(m, options));
}

export function compile(bytes: BufferSource, options?: WebAssemblyCompileOptions): Promise<Module> {
  let args: { view: Uint8Array; options: CompileOptions };
  try {
    args = compileArgs(bytes, options, 'WebAssembly.compile');
  } catch (e) {
    return Promise.reject(e);
  }
  return compileLater(args.view.slice(), args.options);
}

export interface WebAssemblyInstantiatedSource {
  module: Module;
  instance: Instance;
}

/**
 * "Asynchronously instantiate a WebAssembly module": the imports are read now, the module is
 * instantiated (its start function run) in a later job.
 */
function instantiateModule(slots: ModuleSlots, importObject: unknown): Promise<Instance> {
  let imports: Extern[];
  try {
    imports = readImports(slots, importObject);
  } catch (e) {
    return Promise.reject(e);
  }
  return later(() => instanceObject(instantiateCore(slots.module, imports)));
}

/** "Instantiate a promise of a module": both the module and its instance. */
function instantiatePromise(promise: Promise<Module>, importObject: unknown): Promise<WebAssemblyInstantiatedSource> {
  return promise.then((module) =>
    instantiateModule(slotsOf(module), importObject).then((instance) => ({ module, instance })),
  );
}

export function instantiate(module: Module, importObject?: Imports): Promise<Instance>;
export function instantiate(
  bytes: BufferSource,
  importObject?: Imports,
  options?: WebAssemblyCompileOptions,
): Promise<WebAssemblyInstantiatedSource>;
export function instantiate(
  source: Module | BufferSource,
  importObject?: Imports,
  options?: WebAssemblyCompileOptions,
): Promise<Instance | WebAssemblyInstantiatedSource> {
  if (typeof source === 'object' && source !== null) {
    let slots: ModuleSlots | undefined;
    try {
      slots = moduleSlots.get(source) ?? moduleFromWire(source);
    } catch (e) {
      return Promise.reject(e);
    }
    if (slots !== undefined) return instantiateModule(slots, importObject);
  }
  let args: { view: Uint8Array; options: CompileOptions };
  try {
    bufferSourceView(source, 'WebAssembly.instantiate');
    checkImportObject(importObject, 'WebAssembly.instantiate');
    args = compileArgs(source, options, 'WebAssembly.instantiate');
  } catch (e) {
    return Promise.reject(e);
  }
  return instantiatePromise(compileLater(args.view.slice(), args.options), importObject);
}

/** What compileStreaming accepts: a fetch Response, or anything shaped like one. */
export interface ResponseLike {
  readonly ok?: boolean;
  readonly status?: number;
  readonly headers?: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

async function streamedBytes(source: ResponseLike | PromiseLike<ResponseLike>): Promise<Uint8Array> {
  const response = await source;
  if (
    response === null ||
    typeof response !== 'object' ||
    typeof (response as ResponseLike).arrayBuffer !== 'function'
  ) {
    throw new TypeError('WebAssembly.compileStreaming: argument must be a Response or a Promise of one');
  }
  const type = response.headers?.get('Content-Type');
  if (type !== undefined && type !== null && type.split(';')[0].trim().toLowerCase() !== 'application/wasm') {
    throw new TypeError(
      `WebAssembly.compileStreaming: incorrect response MIME type ${JSON.stringify(type)}; expected "application/wasm"`,
    );
  }
  if (response.ok === false)
    throw new TypeError(`WebAssembly.compileStreaming: HTTP status ${response.status} is not ok`);
  return new Uint8Array(await response.arrayBuffer());
}

export function compileStreaming(
  source: ResponseLike | PromiseLike<ResponseLike>,
  options?: WebAssemblyCompileOptions,
): Promise<Module> {
  let opts: CompileOptions;
  try {
    opts = compileOptions(options, 'WebAssembly.compileStreaming');
  } catch (e) {
    return Promise.reject(e);
  }
  return streamedBytes(source)
    .then((b) => compileBytesAsync(b, opts, false))
    .then((m) => moduleObject(m, opts));
}

export function instantiateStreaming(
  source: ResponseLike | PromiseLike<ResponseLike>,
  importObject?: Imports,
  options?: WebAssemblyCompileOptions,
): Promise<WebAssemblyInstantiatedSource> {
  return instantiatePromise(compileStreaming(source, options), importObject);
}

// ---------------------------------------------------------------- the namespace

/** The `WebAssembly` namespace object. */
export const WebAssembly = namespaceObject(
  'WebAssembly',
  { Module, Instance, Memory, Table, Global, Tag, Exception, CompileError, LinkError, RuntimeError },
  {
    validate: [validate, 1],
    compile: [compile, 1],
    instantiate: [instantiate, 1],
    compileStreaming: [compileStreaming, 1],
    instantiateStreaming: [instantiateStreaming, 1],
  },
) as {
  readonly Module: typeof Module;
  readonly Instance: typeof Instance;
  readonly Memory: typeof Memory;
  readonly Table: typeof Table;
  readonly Global: typeof Global;
  readonly Tag: typeof Tag;
  readonly Exception: typeof Exception;
  readonly CompileError: typeof CompileError;
  readonly LinkError: typeof LinkError;
  readonly RuntimeError: typeof RuntimeError;
  readonly JSTag: Tag;
  readonly validate: typeof validate;
  readonly compile: typeof compile;
  readonly instantiate: typeof instantiate;
  readonly compileStreaming: typeof compileStreaming;
  readonly instantiateStreaming: typeof instantiateStreaming;
};

/** `WebAssembly.JSTag`: a namespace attribute (an enumerable, configurable getter). */
const getJSTag = function (): Tag {
  return jsTag();
};
setNameAndLength(getJSTag, 'get JSTag', 0);
Object.defineProperty(WebAssembly, 'JSTag', { get: getJSTag, enumerable: true, configurable: true });

export type WebAssemblyNamespace = typeof WebAssembly;

export { Memory, Table, Global, Tag, Exception, CompileError, LinkError, RuntimeError };
export { shareMemory, memoryFromShared } from './objects';
