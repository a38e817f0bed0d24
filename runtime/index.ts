// The public runtime API (see docs/ARCHITECTURE.md): Engine -> Module -> Store -> Instance,
// extern objects Func / Memory / Table / Global / Tag, a name-based Linker, and the error
// classes. Everything else in runtime/ is internal.

import { CompileError } from '../compiler/errors';
import type { ExternKind } from '../compiler/ir';
import { Engine, Instance, Module, Store, type EngineConfig } from './instance';
import { Func, Global, Memory, Table, Tag, type Extern } from './objects';
import { LinkError, RuntimeError, WasmException } from './errors';
import { WasmStruct, WasmArray } from './gc';

export { CompileError, LinkError, RuntimeError, WasmException };
export { Engine, Store, Module, Instance, type EngineConfig };
export { Func, Global, Memory, Table, Tag, type Extern };
export { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from './values';

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

/** Name -> extern resolution for instantiation by module/field names. */
export class Linker {
  private readonly defs = new Map<string, Extern>();
  constructor(readonly engine: Engine) {}

  define(module: string, name: string, ext: Extern): this {
    this.defs.set(`${module}\u0000${name}`, ext);
    return this;
  }

  /** Defines every export of `instance` under `module`. */
  defineInstance(module: string, instance: Instance): this {
    for (const [name, ext] of instance.exports) this.define(module, name, ext);
    return this;
  }

  get(module: string, name: string): Extern | undefined {
    return this.defs.get(`${module}\u0000${name}`);
  }

  instantiate(store: Store, module: Module): Instance {
    const imports = module.imports().map((imp: { module: string; name: string; kind: ExternKind }) => {
      const ext = this.get(imp.module, imp.name);
      if (!ext) throw new LinkError(`unknown import: ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`);
      return ext;
    });
    return Instance.instantiate(store, module, imports);
  }
}
