// The shapes ahead-of-time output and its loader (index.ts) share, types only: the module
// data (runtime/vm/module.ts ModuleInfo, written as a literal by compile.ts) and the factory.

import type { ConstOp, ConstOps, ModuleInfo } from '../vm/module';

export type AotConstInstr = ConstOp;
export type AotConstExpr = ConstOps;
/**
 * The module data of AOT output. `nanCarriers`: the code was translated for a host that
 * canonicalises NaNs (vmctx/nan.ts); the loader refuses it on a host of the other kind.
 */
export type AotModule = ModuleInfo & { readonly nanCarriers?: true };

/** The translated code: the translator's module factory, as a real function. */
export type AotFactory = (
  vm: unknown,
  helpers: unknown,
  lazySource?: unknown,
) => {
  readonly funcs: ((...args: unknown[]) => unknown)[];
  readonly refresh: () => void;
};
