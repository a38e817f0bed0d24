// The `spectest` host module the WebAssembly testsuite imports from, built on the runtime's
// public API. Each script gets its own instance (tables and memories are mutable state).

import { Func, Global, Memory, Table, type Extern, type Store } from '../runtime';
import type { FuncType, NumType, RefType } from '../compiler/ir';

const FUNCREF: RefType = { kind: 'ref', nullable: true, heap: 'func' };

/** The print functions by name and parameter types. */
const PRINTS: ReadonlyArray<readonly [string, readonly NumType[]]> = [
  ['print', []],
  ['print_i32', ['i32']],
  ['print_i64', ['i64']],
  ['print_f32', ['f32']],
  ['print_f64', ['f64']],
  ['print_i32_f32', ['i32', 'f32']],
  ['print_f64_f64', ['f64', 'f64']],
];

const F32_666_6 = Math.fround(666.6);
const F64_666_6 = 666.6;

/**
 * Builds the spectest exports. `print` receives the arguments of every print_* call; the
 * spec runner passes nothing (the functions are no-ops), the CLI passes a printer.
 */
export function createSpectest(store: Store, print?: (args: unknown[]) => void): Map<string, Extern> {
  const m = new Map<string, Extern>();
  for (const [name, params] of PRINTS) {
    const type: FuncType = { kind: 'func', params, results: [] };
    m.set(
      name,
      Func.fromHost(store, type, (...args: unknown[]) => {
        if (print) print(args);
      }),
    );
  }
  m.set('global_i32', Global.create(store, { type: 'i32', mutable: false }, 666));
  m.set('global_i64', Global.create(store, { type: 'i64', mutable: false }, 666n));
  m.set('global_f32', Global.create(store, { type: 'f32', mutable: false }, F32_666_6));
  m.set('global_f64', Global.create(store, { type: 'f64', mutable: false }, F64_666_6));
  m.set('table', Table.create(store, { limits: { min: 10, max: 20 }, elem: FUNCREF, addr: 'i32' }, null));
  m.set('memory', Memory.create(store, { limits: { min: 1, max: 2 }, shared: false, addr: 'i32', pageSizeLog2: 16 }));
  // Each imported by one or two scripts only (table64.wast, the threads proposal): a runtime
  // that cannot create them leaves them out, their imports fail to link, and every other
  // script still runs.
  optional(m, 'table64', () => Table.create(store, { limits: { min: 10, max: 20 }, elem: FUNCREF, addr: 'i64' }, null));
  optional(m, 'shared_memory', () =>
    Memory.create(store, { limits: { min: 1, max: 2 }, shared: true, addr: 'i32', pageSizeLog2: 16 }),
  );
  return m;
}

function optional(m: Map<string, Extern>, name: string, create: () => Extern): void {
  try {
    m.set(name, create());
  } catch {
    // Not supported by this runtime.
  }
}
