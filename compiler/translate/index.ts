// Entry point of the Wasm -> JS translator. A module's defined functions are translated to
// JS source and compiled together with one `new Function` (strict mode). The resulting
// factory is called once per instance with that instance's VMContext and the runtime's
// helper object; it captures the VMContext views once and returns the function array and
// the memory-view refresher.
//
// Nothing from the module (names, export strings, custom sections) is spliced into the
// generated source: identifiers are positional (f3, l0, s2, ...), and only our own trap
// messages appear as string literals.

import type { ModuleIR } from '../ir';
import type { VMContext } from '../../vmctx';
import { VMOffsets } from '../../vmctx';
import { ModuleEnvironment } from './env';
import { ConstPool, FuncTranslator } from './func';
import type { TranslatedHelpers } from './helpers';

export { ModuleEnvironment, type FuncEnvironment, type MemoryNames, type TableNames } from './env';
export { FuncTranslator, ConstPool, returnSlot, numberLiteral } from './func';
export { HELPER_NAMES, type HelperName, type TranslatedHelpers } from './helpers';

/** What the factory returns for one instance. */
export interface InstanceCode {
  /** Defined functions, in definition order (function index minus imported count). */
  readonly funcs: ((...args: unknown[]) => unknown)[];
  /** Re-reads every memory's views; registered with each memory the instance uses. */
  readonly refresh: () => void;
}

export type ModuleFactory = (vm: VMContext, helpers: TranslatedHelpers) => InstanceCode;

export interface TranslatedModule {
  readonly source: string;
  readonly factory: ModuleFactory;
}

/** Produces the JS source of a whole module (the body of the factory). */
export function translateModuleSource(m: ModuleIR, offsets: VMOffsets, canon: readonly number[]): string {
  const env = new ModuleEnvironment(m, offsets, canon);
  const pool = new ConstPool();
  const t = new FuncTranslator(env, pool);
  const bodies: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < m.codes.length; i++) {
    const f = m.numImportedFuncs + i;
    bodies.push(t.translateFunction(f, m.codes[i]));
    names.push(env.callee(f));
  }
  return [
    '"use strict";',
    env.prelude(),
    ...pool.decls,
    ...bodies,
    `return { funcs: [${names.join(', ')}], refresh };`,
  ].join('\n');
}

/** Translates and compiles a module. The factory is shared by all instances. */
export function translateModule(m: ModuleIR, offsets: VMOffsets, canon: readonly number[]): TranslatedModule {
  const source = translateModuleSource(m, offsets, canon);
  const factory = new Function('vm', 'H', source) as ModuleFactory;
  return { source, factory };
}
