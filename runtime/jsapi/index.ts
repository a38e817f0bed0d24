// The WebAssembly JS-API facade: `WebAssembly.Module`, `Instance`, `Memory`, `Table`, `Global`,
// `Tag`, `Exception`, the error classes, `validate`, `compile`, `instantiate` and the
// streaming variants, as a thin layer over the embedder API (runtime/index.ts). All facade
// modules share one Engine; every instantiation gets its own Store (so nothing keeps a
// finished instance alive but the JS objects that reference it), and all those stores form
// one extern domain, since the JS API lets any instance import any other's exports.

import { CompileError as EngineCompileError } from '../../compiler/errors';
import type { ExternKind } from '../../compiler/ir';
import { Engine, Store, instantiateTracked } from '../embedder';
import { Instance as RtInstance, Module as RtModule } from '../instance';
import { hostEnv } from '../host-env';
import { Func, Global as RtGlobal, Memory as RtMemory, Table as RtTable, Tag as RtTag, shareExterns, type Extern } from '../objects';
import { CompileError, LinkError, RuntimeError, fromEngineError } from './errors';
import {
  Exception, Global, Memory, Table, Tag,
  engineGlobal, engineMemory, engineTable, engineTag, isGlobal, isMemory, isTable, isTag,
  wrapGlobal, wrapMemory, wrapTable, wrapTag,
} from './objects';
import { exportedFunction, funcOfExportedFunction, hostFunction, noteFunctionIndex, toWebAssemblyValue } from './values';

// The facade takes no options: JETWASM_CACHE=DIR turns the persistent cache on (Node only).
const cacheDir = hostEnv('JETWASM_CACHE');
const engine = new Engine(cacheDir ? { cache: { directory: cacheDir } } : {});
/** The extern domain of every facade store (it holds no instances itself). */
const domain = new Store(engine);

function facadeStore(): Store {
  const store = new Store(engine);
  shareExterns(store, domain);
  return store;
}

export type BufferSource = ArrayBufferView | ArrayBuffer;
export type ImportValue = Function | Global | Memory | Table | Tag | number | bigint | unknown;
export type Imports = Record<string, Record<string, ImportValue>>;
export type ImportExportKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

const KIND_NAMES: Record<ExternKind, ImportExportKind> = {
  func: 'function', table: 'table', memory: 'memory', global: 'global', tag: 'tag',
};

/**
 * The bytes of a BufferSource, as a view (realm-independent checks: no instanceof). Only for
 * synchronous compilation: Module.fromBinary keeps a copy of what it compiles, so a view read
 * before returning to the caller cannot be changed under it.
 */
function viewOf(source: unknown): Uint8Array {
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const tag = Object.prototype.toString.call(source);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(source as ArrayBuffer);
  throw new TypeError('argument must be a BufferSource (an ArrayBuffer or a typed array)');
}

/**
 * A copy of the bytes of a BufferSource, taken when asynchronous compilation is asked for
 * (the JS API copies them then, not when the job runs).
 */
function bytesOf(source: unknown): Uint8Array {
  return viewOf(source).slice();
}

function compileBytes(bytes: Uint8Array): RtModule {
  try {
    return RtModule.fromBinary(engine, bytes);
  } catch (e) {
    if (e instanceof EngineCompileError) throw fromEngineError(e);
    if (e instanceof RangeError || e instanceof TypeError) throw new CompileError(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------- Module

const rtModule = new WeakMap<object, RtModule>();

export class Module {
  constructor(bytes: BufferSource) {
    rtModule.set(this, compileBytes(viewOf(bytes)));
  }

  static exports(module: Module): { name: string; kind: ImportExportKind }[] {
    return engineModule(module).exports().map((e) => ({ name: e.name, kind: KIND_NAMES[e.kind] }));
  }

  static imports(module: Module): { module: string; name: string; kind: ImportExportKind }[] {
    return engineModule(module).imports().map((i) => ({ module: i.module, name: i.name, kind: KIND_NAMES[i.kind] }));
  }

  static customSections(module: Module, sectionName: string): ArrayBuffer[] {
    const m = engineModule(module);
    if (sectionName === undefined) throw new TypeError('WebAssembly.Module.customSections: a section name is required');
    const name = String(sectionName);
    return m.ir.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer as ArrayBuffer);
  }

  get [Symbol.toStringTag](): string { return 'WebAssembly.Module'; }
}

function engineModule(m: unknown): RtModule {
  const r = typeof m === 'object' && m !== null ? rtModule.get(m) : undefined;
  if (!r) throw new TypeError('not a WebAssembly.Module');
  return r;
}

function wrapModule(m: RtModule): Module {
  const f = Object.create(Module.prototype) as Module;
  rtModule.set(f, m);
  return f;
}

// ---------------------------------------------------------------- Instance

/** Reads the import object per the JS API ("read the imports"). */
function readImports(module: RtModule, importObject: unknown): Extern[] {
  const imports = module.ir.imports;
  if (imports.length > 0 && importObject === undefined) throw new TypeError('WebAssembly.Instance: imports argument must be present and must be an object');
  if (importObject !== undefined && (importObject === null || (typeof importObject !== 'object' && typeof importObject !== 'function'))) {
    throw new TypeError('WebAssembly.Instance: imports argument must be an object');
  }
  const types = module.importTypes();
  const out: Extern[] = [];
  imports.forEach((imp, k) => {
    const where = `${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`;
    const o = (importObject as Record<string, unknown>)[imp.module];
    if (o === null || (typeof o !== 'object' && typeof o !== 'function')) throw new TypeError(`WebAssembly.Instance: import module ${JSON.stringify(imp.module)} is not an object`);
    const v = (o as Record<string, unknown>)[imp.name];
    const t = types[k];
    switch (t.kind) {
      case 'func': {
        if (typeof v !== 'function') throw new LinkError(`import ${where}: function import requires a callable`);
        const f = funcOfExportedFunction(v);
        out.push(f ?? hostFunction(v, t.type));
        break;
      }
      case 'global': {
        if (isGlobal(v)) { out.push(engineGlobal(v)); break; }
        const vt = t.type.type;
        if (vt === 'i64' && typeof v !== 'bigint') throw new LinkError(`import ${where}: global import of type i64 requires a BigInt or WebAssembly.Global`);
        if ((vt === 'i32' || vt === 'f32' || vt === 'f64') && typeof v !== 'number') throw new LinkError(`import ${where}: global import requires a Number or WebAssembly.Global`);
        if (vt === 'v128') throw new LinkError(`import ${where}: v128 global import requires a WebAssembly.Global`);
        if (t.type.mutable) throw new LinkError(`import ${where}: imported mutable global must be a WebAssembly.Global object`);
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

const instanceExports = new WeakMap<object, Record<string, unknown>>();

export class Instance {
  constructor(module: Module, importObject?: Imports) {
    const m = engineModule(module);
    const imports = readImports(m, importObject);
    let inst: RtInstance;
    try {
      inst = instantiateTracked(facadeStore(), m, imports);
    } catch (e) {
      throw fromEngineError(e);
    }
    instanceExports.set(this, exportsObject(m, inst));
  }

  get exports(): Record<string, unknown> {
    const e = instanceExports.get(this);
    if (!e) throw new TypeError('not a WebAssembly.Instance');
    return e;
  }

  get [Symbol.toStringTag](): string { return 'WebAssembly.Instance'; }
}

// ---------------------------------------------------------------- functions

export function validate(bytes: BufferSource): boolean {
  const b = viewOf(bytes);
  try {
    RtModule.fromBinary(engine, b);
    return true;
  } catch (e) {
    if (e instanceof EngineCompileError || e instanceof RangeError || e instanceof TypeError) return false;
    throw e;
  }
}

/** Runs `f` in a later job, so errors (argument TypeErrors included) become rejections. */
function later<T>(f: () => T): Promise<T> {
  return Promise.resolve().then(f);
}

export function compile(bytes: BufferSource): Promise<Module> {
  let copy: Uint8Array;
  try {
    copy = bytesOf(bytes);
  } catch (e) {
    return Promise.reject(e);
  }
  return later(() => new Module(copy));
}

export interface WebAssemblyInstantiatedSource {
  module: Module;
  instance: Instance;
}

export function instantiate(module: Module, importObject?: Imports): Promise<Instance>;
export function instantiate(bytes: BufferSource, importObject?: Imports): Promise<WebAssemblyInstantiatedSource>;
export function instantiate(source: Module | BufferSource, importObject?: Imports): Promise<Instance | WebAssemblyInstantiatedSource> {
  if (typeof source === 'object' && source !== null && rtModule.has(source)) {
    return later(() => new Instance(source as Module, importObject));
  }
  let copy: Uint8Array;
  try {
    copy = bytesOf(source);
  } catch (e) {
    return Promise.reject(e);
  }
  return later(() => {
    const module = new Module(copy);
    return { module, instance: new Instance(module, importObject) };
  });
}

/** What compileStreaming accepts: a fetch Response, or anything shaped like one. */
export interface ResponseLike {
  readonly ok?: boolean;
  readonly status?: number;
  readonly headers?: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

async function streamedBytes(source: ResponseLike | PromiseLike<ResponseLike>): Promise<ArrayBuffer> {
  const response = await source;
  if (response === null || typeof response !== 'object' || typeof (response as ResponseLike).arrayBuffer !== 'function') {
    throw new TypeError('WebAssembly.compileStreaming: argument must be a Response or a Promise of one');
  }
  const type = response.headers?.get('Content-Type');
  if (type !== undefined && type !== null && type.split(';')[0].trim().toLowerCase() !== 'application/wasm') {
    throw new TypeError(`WebAssembly.compileStreaming: incorrect response MIME type ${JSON.stringify(type)}; expected "application/wasm"`);
  }
  if (response.ok === false) throw new TypeError(`WebAssembly.compileStreaming: HTTP status ${response.status} is not ok`);
  return response.arrayBuffer();
}

export function compileStreaming(source: ResponseLike | PromiseLike<ResponseLike>): Promise<Module> {
  return streamedBytes(source).then((b) => new Module(b));
}

export function instantiateStreaming(source: ResponseLike | PromiseLike<ResponseLike>, importObject?: Imports): Promise<WebAssemblyInstantiatedSource> {
  return streamedBytes(source).then((b) => {
    const module = new Module(b);
    return { module, instance: new Instance(module, importObject) };
  });
}

// ---------------------------------------------------------------- the namespace

/** The `WebAssembly` namespace object. */
export const WebAssembly = Object.freeze({
  Module, Instance, Memory, Table, Global, Tag, Exception,
  CompileError, LinkError, RuntimeError,
  validate, compile, instantiate, compileStreaming, instantiateStreaming,
  [Symbol.toStringTag]: 'WebAssembly',
});
export type WebAssemblyNamespace = typeof WebAssembly;

export { Memory, Table, Global, Tag, Exception, CompileError, LinkError, RuntimeError };
