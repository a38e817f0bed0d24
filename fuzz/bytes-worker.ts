// Child process of the hostile-input fuzzer: compiles (and, when that succeeds, instantiates
// with stub imports) one mutated input and reports how it ended. Heap growth during the
// compile phase is measured so a declared count the input cannot back shows up.

import type { FuncType, ModuleIR, ValType } from '../compiler/ir';
import { CompileError } from '../compiler/errors';
import { parseWat } from '../compiler/text';
import {
  Engine,
  Func,
  Global,
  Instance,
  LinkError,
  Memory,
  Module,
  RuntimeError,
  Store,
  Table,
  Tag,
  WasmException,
} from '../runtime';
import type { Extern } from '../runtime';

/** A batch of inputs (one request per input would make IPC the dominant cost). */
export interface BytesBatch {
  readonly id: number;
  readonly items: readonly Omit<BytesRequest, 'id'>[];
}

export interface BytesBatchReply {
  readonly id: number;
  readonly results: readonly BytesReply[];
}

export interface BytesRequest {
  readonly id: number;
  readonly kind: 'binary' | 'text';
  readonly bytes: Uint8Array;
  /** Stop after compiling (used to tell a compile hang from a start-function loop). */
  readonly compileOnly?: boolean;
  /** Skip calling the exports (used to tell an instantiation hang from a looping export). */
  readonly noCalls?: boolean;
}

export interface BytesReply {
  readonly id: number;
  /** 'compiled' | 'instantiated' | 'compile-error:<kind>' | 'link-error' | 'trap' | 'unexpected:<name>: <message>' */
  readonly outcome: string;
  readonly heapGrowth: number;
  readonly hasStart: boolean;
  readonly nativeValid?: boolean;
}

function defaultValue(t: ValType): unknown {
  return t === 'i64' ? 0n : t === 'v128' ? new Uint8Array(16) : typeof t === 'string' ? 0 : null;
}

/** Instantiation stubs: every import gets a default definition of its declared type. */
function stubImports(store: Store, m: ModuleIR): Extern[] {
  return m.imports.map((imp): Extern => {
    const d = imp.desc;
    switch (d.kind) {
      case 'func': {
        const t = m.types[d.typeIdx]?.comp as FuncType;
        const results = t.results.map(defaultValue);
        return Func.fromHost(store, t, () =>
          results.length === 0 ? undefined : results.length === 1 ? results[0] : results,
        );
      }
      case 'global':
        return Global.create(store, d.type, defaultValue(d.type.type));
      case 'memory':
        return Memory.create(store, d.type);
      case 'table':
        return Table.create(store, d.type, null);
      case 'tag':
        return Tag.create(store, m.types[d.type.typeIdx].comp as FuncType);
    }
  });
}

const LARGE = 1 << 14;

/** Instantiating a module that declares gigabytes of memory is legitimate but not useful here. */
function tooLargeToInstantiate(m: ModuleIR): boolean {
  return (
    m.memories.some((mt) => Number(mt.limits.min) > LARGE) ||
    m.tables.some((t) => Number(t.type.limits.min) > 1_000_000)
  );
}

function classify(e: unknown): string {
  if (e instanceof CompileError) return `compile-error:${e.kind}`;
  if (e instanceof LinkError) return 'link-error';
  if (e instanceof RuntimeError) return 'trap';
  if (e instanceof WasmException) return 'exception';
  if (e instanceof Error) return `unexpected:${e.constructor.name}: ${e.message.slice(0, 200)}`;
  return `unexpected:${typeof e}`;
}

/**
 * Calls every exported function with default arguments. Traps and Wasm exceptions are fine;
 * any other exception escaping generated code is a finding (returned as the outcome).
 */
function callExports(instance: Instance): string | null {
  for (const [, ext] of instance.exports) {
    if (!(ext instanceof Func)) continue;
    const args = ext.type.params.map(defaultValue);
    try {
      ext.call(...args);
    } catch (e) {
      if (e instanceof RuntimeError || e instanceof WasmException) continue;
      return `unexpected:${e instanceof Error ? e.constructor.name : typeof e}: ${e instanceof Error ? e.message.slice(0, 200) : ''} (calling an export)`;
    }
  }
  return null;
}

export function runBytes(req: BytesRequest): BytesReply {
  const heap0 = process.memoryUsage();
  let outcome: string;
  let hasStart = false;
  let heapGrowth = 0;
  let nativeValid: boolean | undefined;
  try {
    const binary = req.kind === 'text' ? parseWat(Buffer.from(req.bytes).toString('utf8')) : req.bytes;
    if (req.kind === 'binary') nativeValid = WebAssembly.validate(binary as Uint8Array<ArrayBuffer>);
    const engine = new Engine();
    const module = Module.fromBinary(engine, binary);
    const h = process.memoryUsage();
    heapGrowth = h.heapUsed + h.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers;
    hasStart = module.ir.start !== undefined;
    outcome = 'compiled';
    if (!req.compileOnly && !tooLargeToInstantiate(module.ir)) {
      const store = new Store(engine);
      const instance = Instance.instantiate(store, module, stubImports(store, module.ir));
      outcome = 'instantiated';
      if (!req.noCalls) outcome = callExports(instance) ?? outcome;
    }
  } catch (e) {
    outcome = classify(e);
    if (heapGrowth === 0) {
      const h = process.memoryUsage();
      heapGrowth = h.heapUsed + h.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers;
    }
  }
  return { id: req.id, outcome, heapGrowth, hasStart, nativeValid };
}

if (process.env.JETWASM_FUZZ_WORKER === 'bytes') {
  process.on('message', (req: BytesBatch) => {
    const results = req.items.map((it) => runBytes({ ...it, id: req.id, bytes: new Uint8Array(it.bytes) }));
    process.send!({ id: req.id, results });
  });
  process.send!({ id: 0 });
}
