// The public runtime API (see docs/ARCHITECTURE.md): Engine -> Module -> Store -> Instance,
// extern objects Func / Memory / Table / Global / Tag, a name-based Linker, and the error
// classes. Everything else in runtime/ is internal (runtime/vm/ above all).

import { CompileError } from '../compiler/errors';
import { Engine, type EngineConfig, type EngineOptions, type WasmFeatures } from './engine';
import { Store } from './store';
import { Module, type ExternType, type ImportType, type ExportType } from './module';
import { Instance, instantiateTracked } from './instance';
import { Func, Global, Memory, Table, Tag, type Extern, type SharedMemoryHandle } from './objects';
import { Linker, type Signature, type ValueOf, type ValuesOf, type ResultOf } from './linker';
import { DisposedError, LinkError, RuntimeError, WasmException } from './errors';
import { WasmStruct, WasmArray } from './vm/gc';

export { CompileError, LinkError, RuntimeError, WasmException, DisposedError };
export {
  Engine,
  Store,
  Module,
  Instance,
  Linker,
  instantiateTracked,
  type EngineConfig,
  type EngineOptions,
  type WasmFeatures,
};
export {
  type ExternType,
  type ImportType,
  type ExportType,
  type Signature,
  type ValueOf,
  type ValuesOf,
  type ResultOf,
};
export { Func, Global, Memory, Table, Tag, type Extern, type SharedMemoryHandle };
export { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from './vm/values';
export { wasmBacktrace, formatWasmBacktrace, type WasmFrame } from './backtrace';
export { SerializationError, flushCaches } from './cache';
export { primeValidation } from './module';
export { runValidationWorker } from './validation-helper';

export type WasmValue = unknown;

/** Classifies a value crossing the API (see the runtime API contract). */
export function refKind(v: WasmValue): 'null' | 'func' | 'extern' | 'i31' | 'struct' | 'array' | 'exn' | 'host' {
  if (v === null) return 'null';
  if (v instanceof Func) return 'func';
  if (v instanceof WasmException) return 'exn';
  if (v instanceof WasmStruct) return 'struct';
  if (v instanceof WasmArray) return 'array';
  if (typeof v === 'number') return 'i31';
  if (typeof v === 'object' && v !== null && hostRefs.has(v)) return 'host';
  return 'extern';
}

const hostRefTable = new Map<number, object>();
const hostRefs = new WeakSet<object>();

/** Host references for `ref.host N` / `ref.extern N`: stable identity per N. */
export function hostRef(n: number): object {
  let r = hostRefTable.get(n);
  if (!r) {
    r = { hostRef: n };
    hostRefTable.set(n, r);
    hostRefs.add(r);
  }
  return r;
}
