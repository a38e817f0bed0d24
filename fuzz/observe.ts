// Runs one module on an engine (Node's native WebAssembly or jetwasm's embedder API) and
// records everything observable: per exported-function call the results or the trap class,
// the values the module logged through its host imports, and at the end the exported
// globals and the bytes of memory 0. Both engines get identical host behaviour, so any
// difference between their observations is a jetwasm bug (modulo NaN bits, see below).
//
// NaN payloads and signs produced by arithmetic are nondeterministic in the spec, so every
// NaN in a result, log or global is written as "nan". Memory bytes are compared exactly; a
// memory difference is re-checked by the caller on a NaN-free variant of the module.

import { createHash } from 'crypto';
import type { FuncType, ModuleIR, ValType } from '../compiler/ir';
import { decodeModule } from '../compiler/binary';
import { Engine, Func, Global, Instance, Memory, Module, Store, Table } from '../runtime';
import type { Extern } from '../runtime';
import { f32ToBits } from '../runtime/vm/values';
import { Prng } from './prng';

/** The name under which the harness exports memory 0 (added by the parent). */
export const MEMORY_EXPORT = '__fuzz_memory';

export type Arg = number | bigint | null;

export interface PlannedCall {
  readonly name: string;
  readonly args: readonly Arg[];
}

export interface CallObservation {
  readonly name: string;
  readonly outcome: string;
  readonly logs: readonly string[];
}

export interface Observation {
  readonly instantiate: string;
  readonly startLogs: readonly string[];
  readonly calls: readonly CallObservation[];
  readonly globals: Readonly<Record<string, string>>;
  readonly memory: string;
}

/** Errors thrown by the shared host functions; observed as `host:<message>`. */
export class FuzzHostError extends Error {}

// ---------------------------------------------------------------- values

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

export function typeName(t: ValType): string {
  if (typeof t === 'string') return t;
  if (t.heap === 'func' || t.heap === 'nofunc' || typeof t.heap === 'number') return 'funcref';
  if (t.heap === 'extern' || t.heap === 'noextern') return 'externref';
  return 'ref';
}

/** Host objects handed to a module as externref values carry a label for observations. */
const externLabels = new WeakMap<object, string>();

export function hostExtern(label: string): object {
  const o = { label };
  externLabels.set(o, label);
  return o;
}

export function formatValue(t: string, v: unknown, jet: boolean): string {
  switch (t) {
    case 'i32':
      return `i32:${(v as number) | 0}`;
    case 'i64':
      return `i64:${BigInt.asIntN(64, BigInt(v as bigint))}`;
    case 'f32': {
      const x = v as number;
      if (x !== x) return 'f32:nan';
      if (jet) return `f32:${(f32ToBits(x) >>> 0).toString(16)}`;
      f32[0] = x;
      return `f32:${u32[0].toString(16)}`;
    }
    case 'f64': {
      const x = v as number;
      if (x !== x) return 'f64:nan';
      f64[0] = x;
      return `f64:${u64[0].toString(16)}`;
    }
    case 'funcref':
      return v === null ? 'funcref:null' : 'funcref:func';
    case 'externref':
      if (v === null) return 'externref:null';
      if (typeof v === 'object' && externLabels.has(v)) return `externref:${externLabels.get(v)}`;
      return `externref:${typeof v}`;
    default:
      return `${t}:${v === null ? 'null' : typeof v}`;
  }
}

/** Trap and error classes common to both engines' messages. */
const TRAP_CLASSES: readonly [RegExp, string][] = [
  [/unreachable/i, 'unreachable'],
  [/memory access out of bounds|out of bounds memory access|data segment/i, 'memory-oob'],
  [/divide by zero|remainder by zero|integer divide by zero/i, 'div-zero'],
  [/divide result unrepresentable|integer overflow/i, 'int-overflow'],
  [/float unrepresentable|invalid conversion to integer/i, 'conversion'],
  [
    /table|undefined element|uninitialized element|indirect call|signature mismatch|null function/i,
    'table-or-indirect',
  ],
  [/null|dereferenc/i, 'null-ref'],
  [/call stack|stack size/i, 'stack'],
];

export function classifyError(e: unknown, jet: boolean): string {
  if (e instanceof FuzzHostError) return `host:${e.message}`;
  const isTrap = jet ? e instanceof Error && e.name === 'RuntimeError' : e instanceof WebAssembly.RuntimeError;
  if (isTrap || (e instanceof RangeError && /call stack/i.test(e.message))) {
    const msg = (e as Error).message;
    for (const [re, cls] of TRAP_CLASSES) if (re.test(msg)) return `trap:${cls}`;
    return `trap:other(${msg})`;
  }
  if (e instanceof TypeError) return 'type-error';
  if (e instanceof Error) return `error:${e.name}:${e.message}`;
  return `thrown:${typeof e}`;
}

// ---------------------------------------------------------------- planning

export interface ExportedFunc {
  readonly name: string;
  readonly type: FuncType;
}

export function funcTypeOf(m: ModuleIR, funcIndex: number): FuncType {
  let typeIdx: number;
  if (funcIndex < m.numImportedFuncs) {
    const imps = m.imports.filter((i) => i.desc.kind === 'func');
    typeIdx = (imps[funcIndex].desc as { typeIdx: number }).typeIdx;
  } else typeIdx = m.funcs[funcIndex - m.numImportedFuncs];
  return m.types[typeIdx].comp as FuncType;
}

export function exportedFuncs(m: ModuleIR): ExportedFunc[] {
  return m.exports.filter((e) => e.kind === 'func').map((e) => ({ name: e.name, type: funcTypeOf(m, e.index) }));
}

/** The JS API cannot pass v128 (nor exact GC references) across the boundary. */
export function jsCallable(t: FuncType): boolean {
  return [...t.params, ...t.results].every((p) =>
    ['i32', 'i64', 'f32', 'f64', 'funcref', 'externref'].includes(typeName(p)),
  );
}

const I32S = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 255, 65536, 100];
const I64S = [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffffn, 4294967296n];
const F32S = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45, 2147483648];
const F64S = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1.7976931348623157e308, 5e-324, 9223372036854775808];

function randomArg(t: string, rng: Prng): Arg {
  switch (t) {
    case 'i32':
      return rng.bool() ? rng.pick(I32S) : rng.u32() | 0;
    case 'i64':
      return rng.bool() ? rng.pick(I64S) : BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
    case 'f32':
      return rng.bool() ? rng.pick(F32S) : Math.fround((rng.u32() | 0) / (1 + rng.int(1000)));
    case 'f64':
      return rng.bool() ? rng.pick(F64S) : ((rng.u32() | 0) / (1 + rng.int(1000))) * 2 ** (rng.int(80) - 40);
    default:
      return null;
  }
}

export function defaultArg(t: ValType): Arg {
  switch (typeName(t)) {
    case 'i32':
    case 'f32':
    case 'f64':
      return 0;
    case 'i64':
      return 0n;
    default:
      return null;
  }
}

/** Rounds over the exports: later rounds see the memory and globals earlier ones left. */
const PLAN_ROUNDS = 2;

/** Every JS-callable exported function, in export order, with random arguments, twice. */
export function planCalls(m: ModuleIR, seed: number): PlannedCall[] {
  const rng = new Prng(seed);
  const funcs = exportedFuncs(m).filter((f) => jsCallable(f.type));
  const out: PlannedCall[] = [];
  for (let r = 0; r < PLAN_ROUNDS; r++) {
    for (const f of funcs) out.push({ name: f.name, args: f.type.params.map((p) => randomArg(typeName(p), rng)) });
  }
  return out;
}

// ---------------------------------------------------------------- shared host behaviour

const REENTRY_BUDGET = 50;

interface HostSide {
  readonly jet: boolean;
  /** Host re-entries (call-export, call-ref) left in the current top-level call. */
  reentries: number;
  /** Calls an exported function (by position among function exports) with default arguments. */
  callExport(index: number): void;
  /** Calls a function reference with default arguments. */
  callRef(f: unknown): void;
  tableGet(i: number): unknown;
  tableSet(i: number, f: unknown): void;
}

/** The host implementation of one `fuzzing-support` import, identical for both engines. */
function hostImport(
  name: string,
  type: FuncType,
  side: HostSide,
  logs: () => string[],
): (...args: unknown[]) => unknown {
  // The JS API throws a TypeError when Wasm calls a JS function whose signature has a v128
  // (or a non-JS-representable reference); jetwasm's host functions do the same here.
  if (!jsCallable(type))
    return () => {
      throw new TypeError('type incompatibility when transforming from/to JS');
    };
  if (name.startsWith('log-')) {
    const t = name.slice(4);
    return (v: unknown) => {
      logs().push(`log:${formatValue(t, v, side.jet)}`);
    };
  }
  // A trap resets binaryen's hang limit, so a loop that re-enters through a catching import
  // could run forever; a fixed re-entry budget per top-level call bounds it identically on
  // both engines.
  const reenter = (): void => {
    if (side.reentries <= 0) throw new FuzzHostError('re-entry budget exhausted');
    side.reentries--;
  };
  switch (name) {
    case 'call-export':
      return (i: unknown) => {
        reenter();
        side.callExport(i as number);
      };
    case 'call-export-catch':
      return (i: unknown) => {
        try {
          reenter();
          side.callExport(i as number);
          return 0;
        } catch {
          return 1;
        }
      };
    case 'call-ref':
      return (f: unknown) => {
        reenter();
        side.callRef(f);
      };
    case 'call-ref-catch':
      return (f: unknown) => {
        try {
          reenter();
          side.callRef(f);
          return 0;
        } catch {
          return 1;
        }
      };
    case 'sleep':
      return (_ms: unknown, id: unknown) => id;
    case 'table-get':
      return (i: unknown) => side.tableGet(i as number);
    case 'table-set':
      return (i: unknown, f: unknown) => {
        side.tableSet(i as number, f);
      };
    default:
      return () => {
        throw new FuzzHostError(`unknown import ${name} (${type.params.length} params)`);
      };
  }
}

function memoryDigest(bytes: Uint8Array | null): string {
  if (!bytes) return 'none';
  return `${bytes.length}:${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
}

// ---------------------------------------------------------------- the two engines

/** Runs `calls` on Node's native engine. */
export function observeNative(bytes: Uint8Array, m: ModuleIR, calls: readonly PlannedCall[]): Observation {
  let current: string[] = [];
  const startLogs: string[] = [];
  current = startLogs;
  const funcs = exportedFuncs(m);
  let wx: WebAssembly.Exports = {};
  const invoke = (fn: unknown, type: FuncType): void => {
    if (!jsCallable(type)) throw new TypeError('type incompatibility when transforming from/to JS');
    (fn as (...a: unknown[]) => unknown)(...type.params.map(defaultArg));
  };
  const side: HostSide = {
    jet: false,
    reentries: REENTRY_BUDGET,
    callExport(i) {
      const f = funcs[i];
      if (!f) throw new FuzzHostError('call-export index');
      invoke(wx[f.name], f.type);
    },
    callRef(f) {
      if (f === null) throw new FuzzHostError('call-ref null');
      // An imported JS function comes back as itself; exported Wasm functions are named by
      // their function index.
      invoke(f, hostTypes.get(f) ?? funcTypeOf(m, Number((f as { name: string }).name)));
    },
    tableGet(i) {
      const t = wx.table as WebAssembly.Table | undefined;
      if (!t || i >>> 0 >= t.length) throw new FuzzHostError('table-get');
      return t.get(i >>> 0);
    },
    tableSet(i, f) {
      const t = wx.table as WebAssembly.Table | undefined;
      if (!t || i >>> 0 >= t.length) throw new FuzzHostError('table-set');
      t.set(i >>> 0, f as WebAssembly.ExportValue);
    },
  };
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  const hostTypes = new Map<unknown, FuncType>();
  for (const imp of m.imports) {
    imports[imp.module] ??= {};
    if (imp.desc.kind === 'func') {
      const type = m.types[imp.desc.typeIdx].comp as FuncType;
      const fn = hostImport(imp.name, type, side, () => current);
      hostTypes.set(fn, type);
      imports[imp.module][imp.name] = fn;
    } else if (imp.desc.kind === 'global') {
      const t = typeName(imp.desc.type.type);
      imports[imp.module][imp.name] = new WebAssembly.Global(
        { value: t as WebAssembly.ValueType, mutable: imp.desc.type.mutable },
        t === 'externref' ? hostExtern(imp.name) : t === 'i64' ? 0n : t === 'funcref' ? null : 0,
      );
    }
  }
  let instantiate = 'ok';
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
    wx = inst.exports;
  } catch (e) {
    instantiate = classifyError(e, false);
    return { instantiate, startLogs, calls: [], globals: {}, memory: 'none' };
  }
  const out: CallObservation[] = [];
  for (const c of calls) {
    const logs: string[] = [];
    current = logs;
    side.reentries = REENTRY_BUDGET;
    const f = funcs.find((x) => x.name === c.name)!;
    let outcome: string;
    try {
      const r = (wx[c.name] as (...a: unknown[]) => unknown)(...c.args);
      const rs = f.type.results.length === 1 ? [r] : f.type.results.length === 0 ? [] : (r as unknown[]);
      outcome = `ok[${rs.map((v, k) => formatValue(typeName(f.type.results[k]), v, false)).join(',')}]`;
    } catch (e) {
      outcome = classifyError(e, false);
    }
    out.push({ name: c.name, outcome, logs });
  }
  const globals: Record<string, string> = {};
  for (const e of m.exports) {
    if (e.kind !== 'global') continue;
    const g = wx[e.name] as WebAssembly.Global;
    const t = typeName(globalTypeOf(m, e.index));
    if (t === 'v128') continue;
    globals[e.name] = formatValue(t, g.value, false);
  }
  const mem = wx[MEMORY_EXPORT] as WebAssembly.Memory | undefined;
  return { instantiate, startLogs, calls: out, globals, memory: memoryDigest(mem ? new Uint8Array(mem.buffer) : null) };
}

function globalTypeOf(m: ModuleIR, index: number): ValType {
  const imps = m.imports.filter((i) => i.desc.kind === 'global');
  if (index < imps.length) return (imps[index].desc as { type: { type: ValType } }).type.type;
  return m.globals[index - imps.length].type.type;
}

/** Runs `calls` on jetwasm through its embedder API. */
export function observeJetwasm(bytes: Uint8Array, m: ModuleIR, calls: readonly PlannedCall[]): Observation {
  let current: string[] = [];
  const startLogs: string[] = [];
  current = startLogs;
  const funcs = exportedFuncs(m);
  let instance: Instance | null = null;
  const engine = new Engine();
  const store = new Store(engine);
  const invoke = (fn: Func): void => {
    if (!jsCallable(fn.type)) throw new TypeError('type incompatibility when transforming from/to JS');
    fn.call(...fn.type.params.map(defaultArg));
  };
  const exportOf = (name: string): Extern | undefined => instance?.exports.get(name);
  const side: HostSide = {
    jet: true,
    reentries: REENTRY_BUDGET,
    callExport(i) {
      const f = funcs[i];
      if (!f) throw new FuzzHostError('call-export index');
      invoke(exportOf(f.name) as Func);
    },
    callRef(f) {
      if (f === null) throw new FuzzHostError('call-ref null');
      invoke(f as Func);
    },
    tableGet(i) {
      const t = exportOf('table');
      if (!(t instanceof Table) || i >>> 0 >= t.size()) throw new FuzzHostError('table-get');
      return t.get(i >>> 0);
    },
    tableSet(i, f) {
      const t = exportOf('table');
      if (!(t instanceof Table) || i >>> 0 >= t.size()) throw new FuzzHostError('table-set');
      t.set(i >>> 0, f);
    },
  };
  let instantiate = 'ok';
  try {
    const module = Module.fromBinary(engine, bytes);
    const externs: Extern[] = m.imports.map((imp) => {
      if (imp.desc.kind === 'func') {
        const type = m.types[imp.desc.typeIdx].comp as FuncType;
        return Func.fromHost(
          store,
          type,
          hostImport(imp.name, type, side, () => current),
        );
      }
      if (imp.desc.kind === 'global') {
        const t = typeName(imp.desc.type.type);
        return Global.create(
          store,
          imp.desc.type,
          t === 'externref' ? hostExtern(imp.name) : t === 'i64' ? 0n : t === 'funcref' ? null : 0,
        );
      }
      throw new FuzzHostError(`unsupported import kind ${imp.desc.kind}`);
    });
    instance = Instance.instantiate(store, module, externs);
  } catch (e) {
    instantiate = classifyError(e, true);
    return { instantiate, startLogs, calls: [], globals: {}, memory: 'none' };
  }
  const out: CallObservation[] = [];
  for (const c of calls) {
    const logs: string[] = [];
    current = logs;
    side.reentries = REENTRY_BUDGET;
    const f = exportOf(c.name) as Func;
    let outcome: string;
    try {
      const rs = f.call(...c.args);
      outcome = `ok[${rs.map((v, k) => formatValue(typeName(f.type.results[k]), v, true)).join(',')}]`;
    } catch (e) {
      outcome = classifyError(e, true);
    }
    out.push({ name: c.name, outcome, logs });
  }
  const globals: Record<string, string> = {};
  for (const e of m.exports) {
    if (e.kind !== 'global') continue;
    const t = typeName(globalTypeOf(m, e.index));
    if (t === 'v128') continue;
    const g = exportOf(e.name) as Global;
    globals[e.name] = formatValue(t, g.getInternal(), true);
  }
  const mem = exportOf(MEMORY_EXPORT);
  return {
    instantiate,
    startLogs,
    calls: out,
    globals,
    memory: memoryDigest(mem instanceof Memory ? mem.u8.subarray(0, mem.byteLength) : null),
  };
}

/** Decodes with jetwasm's decoder (only to learn signatures; its errors are findings). */
export function moduleInfo(bytes: Uint8Array): ModuleIR {
  return decodeModule(bytes);
}

export interface Difference {
  readonly where: string;
  readonly native: string;
  readonly jetwasm: string;
}

/**
 * V8 reports every failed float-to-int truncation as "float unrepresentable in integer
 * range"; the spec distinguishes NaN ("invalid conversion to integer") from out of range
 * ("integer overflow"). Both spec classes match V8's one.
 */
export function sameOutcome(native: string, jet: string): boolean {
  return native === jet || (native === 'trap:conversion' && jet === 'trap:int-overflow');
}

/** The first difference between two observations, or null. */
export function compareObservations(a: Observation, b: Observation): Difference | null {
  const d = (where: string, x: string, y: string): Difference | null =>
    x === y ? null : { where, native: x, jetwasm: y };
  let r =
    (sameOutcome(a.instantiate, b.instantiate) ? null : d('instantiate', a.instantiate, b.instantiate)) ??
    d('start logs', a.startLogs.join(' '), b.startLogs.join(' '));
  if (r) return r;
  for (let i = 0; i < Math.max(a.calls.length, b.calls.length); i++) {
    const x = a.calls[i],
      y = b.calls[i];
    if (!x || !y) return d(`call #${i}`, x ? x.name : 'missing', y ? y.name : 'missing');
    r =
      d(`call #${i} ${x.name} logs`, x.logs.join(' '), y.logs.join(' ')) ??
      (sameOutcome(x.outcome, y.outcome) ? null : d(`call #${i} ${x.name}`, x.outcome, y.outcome));
    if (r) return r;
  }
  const names = new Set([...Object.keys(a.globals), ...Object.keys(b.globals)]);
  for (const n of names) {
    r = d(`global ${n}`, a.globals[n] ?? 'missing', b.globals[n] ?? 'missing');
    if (r) return r;
  }
  return d('memory', a.memory, b.memory);
}
