// Name-based import resolution (Wasmtime's Linker): definitions keyed by (module, name),
// host functions with TypeScript-typed signatures, whole instances under a module name.

import type { ValType } from '../compiler/ir';
import { LinkError } from './errors';
import type { Engine } from './engine';
import { Instance } from './instance';
import type { Module } from './module';
import { Func, externStore, type Extern } from './objects';
import type { Store } from './store';

/** The API value of a Wasm value type (see runtime/index.ts, WasmValue). */
export type ValueOf<T extends ValType> = T extends 'i32' | 'f32' | 'f64'
  ? number
  : T extends 'i64'
    ? bigint
    : T extends 'v128'
      ? Uint8Array
      : unknown;

export type ValuesOf<T extends readonly ValType[]> = {
  -readonly [K in keyof T]: T[K] extends ValType ? ValueOf<T[K]> : never;
};

/** What a host function returns for result types R: nothing, one value, or an array. */
export type ResultOf<R extends readonly ValType[]> = R extends readonly []
  ? void
  : R extends readonly [infer A extends ValType]
    ? ValueOf<A>
    : ValuesOf<R>;

/** A function signature given as value types; `kind` may be omitted. */
export interface Signature<P extends readonly ValType[], R extends readonly ValType[]> {
  readonly kind?: 'func';
  readonly params: P;
  readonly results: R;
}

export class Linker {
  private readonly defs = new Map<string, Extern>();
  constructor(readonly engine: Engine) {}

  private static key(module: string, name: string): string {
    return `${module}\u0000${name}`;
  }

  /** Defines (or redefines) `module`.`name`. An extern that belongs to a store must belong
   *  to a store of this linker's engine; instantiation checks it is the target store. */
  define(module: string, name: string, ext: Extern): this {
    const owner = externStore(ext) as Store | undefined;
    if (owner !== undefined && owner.engine !== this.engine) {
      throw new LinkError(
        `cross-\`Engine\` use is not supported: ${JSON.stringify(module)} ${JSON.stringify(name)} belongs to a Store of a different Engine than the Linker's`,
      );
    }
    this.defs.set(Linker.key(module, name), ext);
    return this;
  }

  /**
   * Defines a host function. Arguments arrive as API values (i64 as bigint) and the return
   * value is converted by the declared result types:
   *   linker.func('env', 'add', { params: ['i64', 'i64'], results: ['i64'] }, (a, b) => a + b)
   */
  func<const P extends readonly ValType[], const R extends readonly ValType[]>(
    module: string,
    name: string,
    type: Signature<P, R>,
    fn: (...args: ValuesOf<P>) => ResultOf<R>,
  ): this {
    const f = Func.fromHost(
      null,
      { kind: 'func', params: type.params, results: type.results },
      fn as unknown as (...args: unknown[]) => unknown,
    );
    return this.define(module, name, f);
  }

  /** Defines every export of `instance` under the module name `module`. */
  instance(module: string, instance: Instance): this {
    for (const [name, ext] of instance.exports) this.define(module, name, ext);
    return this;
  }

  /** Former name of instance(). */
  defineInstance(module: string, instance: Instance): this {
    return this.instance(module, instance);
  }

  get(module: string, name: string): Extern | undefined {
    return this.defs.get(Linker.key(module, name));
  }

  /** Resolves every import of `module` by name and instantiates it in `store`. The store and
   *  the module must be of this linker's engine, and every resolved extern that belongs to a
   *  store must belong to `store` (Instance.instantiate checks that). */
  instantiate(store: Store, module: Module): Instance {
    if (store.engine !== this.engine) {
      throw new LinkError(
        "cross-`Engine` instantiation is not currently supported: the Linker belongs to a different Engine than the store's",
      );
    }
    if (module.engine !== this.engine) {
      throw new LinkError(
        "cross-`Engine` instantiation is not currently supported: the module was compiled by a different Engine than the Linker's",
      );
    }
    const imports = module.imports().map((imp) => {
      const ext = this.get(imp.module, imp.name);
      if (!ext) throw new LinkError(`unknown import: ${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`);
      return ext;
    });
    return Instance.instantiate(store, module, imports);
  }
}
