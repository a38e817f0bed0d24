// The binaryen oracle: jetwasm runs a module the way binaryen's `--fuzz-exec` interpreter
// does and writes the same log, line for line, so the two logs can be compared.
//
// What binaryen's fuzz-exec does (src/tools/execution-results.h, version 132), and so what
// this file does through jetwasm's embedder API:
//   - instantiate with the `fuzzing-support` imports; a trap there ends the run
//     (`[trap …]`), an uncaught exception prints `[exception thrown: failed to instantiate
//     module]`;
//   - walk the export section in order: a function export prints `[fuzz-exec] export NAME`
//     and is called with the default value of each parameter (a non-defaultable parameter
//     prints a trap line instead of calling); its results print as
//     `[fuzz-exec] note result: NAME => v1` with further values on lines of their own; a
//     trap prints `[trap …]`, an escaping exception `[exception thrown: TAG payload…]`; a
//     global export prints its name and `[LoggingExternalInterface logging VALUE]`; other
//     exports print nothing;
//   - the host imports: `log-*` prints `[LoggingExternalInterface logging …]` (an i64 as its
//     low and high 32-bit halves); `throw` raises a JS error (0) or an exception of the
//     imported `wasmtag` with its argument; `table-get`/`table-set` access the table
//     exported as "table"; `call-export[-catch]` calls the export at that position of the
//     export section, `call-ref[-catch]` a function reference, with default arguments, as
//     JS would (a JS error when a parameter is i64, v128, an exception reference or not
//     defaultable, or a result is v128 or an exception reference, or the export is missing
//     or no function, or during the start function); the `-catch` variants return 1 when a
//     Wasm exception (a JS error included) escapes and 0 otherwise, and never catch traps;
//     `sleep` returns its second argument;
//   - a JS error is an exception of the imported `jstag` whose payload prints as "jserror";
//   - references print as binaryen does for JS: null, "function", "i31ref(N)",
//     "externref(N)" for host references and "object(null)" for any other GC object.
//
// Floats are kept as numbers (binaryen prints them in its own shortest form); the comparison
// parses binaryen's text. Interpreter limits (`[host limit …]`) end the comparison: from
// there binaryen skips work jetwasm does.

import type { FuncType, ModuleIR, RefType, ValType } from '../compiler/ir';
import { Engine, Func, Global, Instance, Module, Store, Table, Tag, WasmException } from '../runtime';
import type { Extern } from '../runtime';
import { WasmArray, WasmStruct } from '../runtime/vm/gc';
import { funcTypeOf } from './observe';

/** A float in a log line: binaryen's printed text is parsed and compared as a number. */
export interface FloatToken {
  readonly t: 'f32' | 'f64';
  readonly v: number;
}

/** One log line: text with floats left as numbers. */
export type LogLine = readonly (string | FloatToken)[];

export interface ExecLog {
  readonly lines: LogLine[];
  /** Function exports called at the top level. */
  readonly calls: number;
}

/** The payload binaryen gives the externref of a JS error. */
const JS_ERROR_PAYLOAD = 0xbad;

/** Host references: binaryen's `externref(N)`. */
class HostRef {
  constructor(readonly payload: number) {}
}

const JS_ERROR = new HostRef(JS_ERROR_PAYLOAD);

const EXTERNREF: RefType = { kind: 'ref', nullable: true, heap: 'extern' };

/** binaryen's payload for a synthesised externref global import: a sum of its names' bytes. */
export function importedGlobalPayload(module: string, name: string): number {
  let p = 0;
  for (const s of [module, name]) for (const c of Buffer.from(s, 'utf8')) p = (p + c) % 251;
  return p;
}

function isRef(t: ValType): t is RefType {
  return typeof t === 'object';
}

function exnTop(t: ValType): boolean {
  return isRef(t) && (t.heap === 'exn' || t.heap === 'noexn');
}

function defaultable(t: ValType): boolean {
  return !isRef(t) || t.nullable;
}

function zero(t: ValType): unknown {
  switch (t) {
    case 'i32':
    case 'f32':
    case 'f64':
      return 0;
    case 'i64':
      return 0n;
    case 'v128':
      return new Uint8Array(16);
    default:
      return null;
  }
}

function hex32(x: number): string {
  return `0x${(x >>> 0).toString(16).padStart(8, '0')}`;
}

/** A value as binaryen prints it (execution-results.h's printValue), as tokens. */
export function valueTokens(t: ValType, v: unknown): (string | FloatToken)[] {
  switch (t) {
    case 'i32':
      return [String((v as number) | 0)];
    case 'i64':
      return [BigInt.asIntN(64, BigInt(v as bigint)).toString()];
    case 'f32':
    case 'f64':
      return [{ t, v: v as number }];
    case 'v128': {
      const b = v as Uint8Array;
      const dv = new DataView(b.buffer, b.byteOffset, 16);
      return ['i32x4', ...[0, 4, 8, 12].map((k) => hex32(dv.getUint32(k, true)))];
    }
    default:
      return [refText(v)];
  }
}

export function refText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof HostRef) return v.payload === JS_ERROR_PAYLOAD ? 'jserror' : `externref(${v.payload})`;
  if (v instanceof Func || typeof v === 'function') return 'function';
  if (typeof v === 'number') return `i31ref(${v})`;
  if (v instanceof WasmStruct || v instanceof WasmArray || v instanceof WasmException) return 'object(null)';
  return `unexpected(${typeof v})`;
}

/** A module the harness cannot run as binaryen does (an import it does not provide). */
class HarnessError extends Error {}

function jsError(jsTag: Tag): WasmException {
  return new WasmException(jsTag, [JS_ERROR]);
}

/** Runs `bytes` on jetwasm the way binaryen's fuzz-exec runs it; returns the log. */
export function execJetwasm(bytes: Uint8Array, m: ModuleIR): ExecLog {
  const lines: (string | FloatToken)[][] = [];
  const engine = new Engine();
  const store = new Store(engine);
  const wasmTag = Tag.create(store, { kind: 'func', params: ['i32'], results: [] });
  const jsTag = Tag.create(store, { kind: 'func', params: [EXTERNREF], results: [] });
  let module: Module;
  let instance: Instance | null = null;
  const exportOf = (name: string): Extern | undefined => instance?.exports.get(name);

  const tagName = (tag: Tag): string => {
    if (tag === wasmTag) return 'imported-wasm-tag';
    if (tag === jsTag) return 'imported-js-tag';
    // Without a name section binaryen names a defined tag `tag$N`, N counting defined tags
    // only (imported ones are named after what they resolve to, above).
    const inst = instance as unknown as { vm: { refs: unknown[] } } | null;
    const offsets = (module as unknown as { offsets: { tag(i: number): number } }).offsets;
    const count = m.numImportedTags + m.tags.length;
    for (let i = m.numImportedTags; i < count && inst; i++)
      if (inst.vm.refs[offsets.tag(i)] === tag) return `tag$${i - m.numImportedTags}`;
    return 'tag$?';
  };

  /** binaryen's callFunctionAsJS: JS's argument and result rules, then a call with zeros. */
  const callAsJs = (f: Func): void => {
    const { params, results } = f.type;
    for (const p of params) if (p === 'i64' || p === 'v128' || exnTop(p) || !defaultable(p)) throw jsError(jsTag);
    for (const r of results) if (r === 'v128' || exnTop(r)) throw jsError(jsTag);
    f.call(...params.map(zero));
  };
  const callExport = (index: number): void => {
    if (instance === null) throw jsError(jsTag);
    const ex = m.exports[index >>> 0];
    if (!ex || ex.kind !== 'func') throw jsError(jsTag);
    callAsJs(exportOf(ex.name) as Func);
  };
  const callRef = (f: unknown): void => {
    if (!(f instanceof Func)) throw jsError(jsTag);
    callAsJs(f);
  };
  const catching = (body: () => void): number => {
    try {
      body();
      return 0;
    } catch (e) {
      if (e instanceof WasmException) return 1;
      throw e;
    }
  };
  const table = (index: unknown): Table => {
    const t = instance === null ? undefined : m.exports.find((e) => e.kind === 'table' && e.name === 'table');
    const tab = t ? (exportOf('table') as Table) : null;
    if (!tab || BigInt.asUintN(64, BigInt(index as number | bigint)) >= BigInt(tab.size())) throw jsError(jsTag);
    return tab;
  };

  const host = (name: string, type: FuncType): ((...a: unknown[]) => unknown) => {
    if (name.startsWith('log')) {
      return (...args: unknown[]) => {
        const line: (string | FloatToken)[] = [
          `[LoggingExternalInterface ${name === 'log-branch' ? 'log-branch' : 'logging'}`,
        ];
        type.params.forEach((p, k) => {
          if (p === 'i64') {
            const x = BigInt.asIntN(64, args[k] as bigint);
            line.push(String(Number(BigInt.asIntN(32, x))), String(Number(BigInt.asIntN(32, x >> 32n))));
          } else line.push(...valueTokens(p, args[k]));
        });
        line.push(']');
        lines.push(line);
        return name === 'log-branch' ? args[0] : undefined;
      };
    }
    switch (name) {
      case 'throw':
        return (x: unknown) => {
          throw (x as number) === 0 ? jsError(jsTag) : new WasmException(wasmTag, [x]);
        };
      case 'table-get':
        return (i: unknown) => table(i).get(Number(BigInt.asUintN(64, BigInt(i as number))));
      case 'table-set':
        return (i: unknown, v: unknown) => {
          table(i).set(Number(BigInt.asUintN(64, BigInt(i as number))), v);
        };
      case 'call-export':
        return (i: unknown) => {
          callExport(i as number);
        };
      case 'call-export-catch':
        return (i: unknown) => catching(() => callExport(i as number));
      case 'call-ref':
        return (f: unknown) => {
          callRef(f);
        };
      case 'call-ref-catch':
        return (f: unknown) => catching(() => callRef(f));
      case 'sleep':
        return (_ms: unknown, id: unknown) => id;
      default:
        return () => {
          throw new HarnessError(`unknown import ${name}`);
        };
    }
  };

  const outcomeOf = (e: unknown): string[] => {
    if (e instanceof Error && (e.name === 'RuntimeError' || (e instanceof RangeError && /call stack/i.test(e.message))))
      return [`[trap ${e.message}]`];
    return [`[jetwasm error ${(e as Error)?.name}: ${(e as Error)?.message ?? String(e)}]`];
  };
  const exceptionLine = (e: WasmException): (string | FloatToken)[] => {
    const line: (string | FloatToken)[] = [`[exception thrown: ${tagName(e.tag)}`];
    e.tag.type.params.forEach((p, k) =>
      line.push(...valueTokens(p, e.payload[k] === undefined ? null : externalValue(p, e.payload[k]))),
    );
    line.push(']');
    return line;
  };

  try {
    module = Module.fromBinary(engine, bytes);
  } catch (e) {
    lines.push([`[jetwasm compile error: ${(e as Error).message}]`]);
    return { lines, calls: 0 };
  }
  try {
    const externs: Extern[] = m.imports.map((imp) => {
      const d = imp.desc;
      if (d.kind === 'func') {
        const type = m.types[d.typeIdx].comp as FuncType;
        return Func.fromHost(store, type, host(imp.name, type));
      }
      if (d.kind === 'tag') return imp.name === 'jstag' ? jsTag : wasmTag;
      if (d.kind === 'global')
        return Global.create(store, d.type, new HostRef(importedGlobalPayload(imp.module, imp.name)));
      throw new HarnessError(`unsupported import kind ${d.kind}`);
    });
    instance = Instance.instantiate(store, module, externs);
  } catch (e) {
    if (e instanceof HarnessError) throw e;
    lines.push(e instanceof WasmException ? ['[exception thrown: failed to instantiate module]'] : outcomeOf(e));
    return { lines, calls: 0 };
  }

  let calls = 0;
  for (const ex of m.exports) {
    if (ex.kind === 'global') {
      lines.push([`[fuzz-exec] export ${ex.name}`]);
      const g = exportOf(ex.name) as Global;
      lines.push(['[LoggingExternalInterface logging', ...valueTokens(g.type.type, g.get()), ']']);
      continue;
    }
    if (ex.kind !== 'func') continue;
    lines.push([`[fuzz-exec] export ${ex.name}`]);
    const type = funcTypeOf(m, ex.index);
    if (!type.params.every(defaultable)) {
      lines.push(['[trap fuzzer can only send defaultable parameters to exports]']);
      continue;
    }
    calls++;
    const f = exportOf(ex.name) as Func;
    try {
      const rs = f.call(...type.params.map(zero));
      rs.forEach((v, k) => {
        const toks = valueTokens(type.results[k], v);
        lines.push(k === 0 ? [`[fuzz-exec] note result: ${ex.name} =>`, ...toks] : toks);
      });
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      lines.push(e instanceof WasmException ? exceptionLine(e) : outcomeOf(e));
    }
  }
  return { lines, calls };
}

/** A payload value as the API would pass it (functions as Funcs, v128 as bytes). */
function externalValue(t: ValType, v: unknown): unknown {
  if (t === 'v128') {
    const w = v as Int32Array;
    return new Uint8Array(Int32Array.from(w).buffer);
  }
  return v;
}

// ---------------------------------------------------------------- comparison

/** binaryen's float text as a number (NaN for every NaN spelling). */
export function parseBinaryenFloat(s: string): number | null {
  let neg = false;
  let x = s;
  if (x.startsWith('-')) {
    neg = true;
    x = x.slice(1);
  }
  let v: number;
  if (x === 'nan' || x.startsWith('nan:')) v = NaN;
  else if (x === 'inf') v = Infinity;
  else if (/^0x[0-9a-f]+$/i.test(x)) v = Number(x);
  else if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(x)) v = Number(x);
  else return null;
  return neg ? -v : v;
}

function floatText(f: FloatToken): string {
  if (f.v !== f.v) return 'nan';
  if (Object.is(f.v, -0)) return '-0';
  if (!Number.isFinite(f.v)) return f.v > 0 ? 'inf' : '-inf';
  return String(f.v);
}

export function renderLine(l: LogLine): string {
  return l
    .map((p) => (typeof p === 'string' ? p : floatText(p)))
    .join(' ')
    .replace(/ \]$/, ']');
}

/**
 * Splits a binaryen line into the same tokens as `renderLine` joins: space-separated, with a
 * closing bracket after a value a token of its own.
 */
function splitBracket<T>(parts: (string | T)[]): (string | T)[] {
  const last = parts[parts.length - 1];
  if (parts.length > 1 && typeof last === 'string' && last.length > 1 && last.endsWith(']') && !last.startsWith('[')) {
    parts.splice(parts.length - 1, 1, last.slice(0, -1), ']');
  }
  return parts;
}

function splitBinaryen(line: string): string[] {
  return splitBracket(line.split(' ')) as string[];
}

function splitTokens(l: LogLine): (string | FloatToken)[] {
  const out: (string | FloatToken)[] = [];
  for (const p of l)
    if (typeof p === 'string') out.push(...p.split(' '));
    else out.push(p);
  return splitBracket(out);
}

function sameFloat(f: FloatToken, text: string): boolean {
  const x = parseBinaryenFloat(text);
  if (x === null) return false;
  // Any NaN matches any NaN: arithmetic NaNs are nondeterministic, and bits that leak into
  // integers or memory are re-checked on binaryen's NaN-free variant of the module.
  if (x !== x || f.v !== f.v) return x !== x && f.v !== f.v;
  return Object.is(f.t === 'f32' ? Math.fround(x) : x, f.v);
}

function isTrapLine(s: string): boolean {
  return s.startsWith('[trap ');
}

/**
 * Trap classes. The messages are each engine's own (binaryen names the instruction, jetwasm
 * uses the spec's texts); both map onto the spec's kinds of trap. A binaryen message not
 * listed here matches any trap.
 */
const BINARYEN_TRAPS: readonly [RegExp, string][] = [
  [/^unreachable$/, 'unreachable'],
  [/^null ref$/, 'null'],
  [/^cast error$/, 'cast'],
  [
    /^final > memory|out of bounds memory access|segment access in memory\.|^memory\.(fill|copy|init)|unaligned|load|store/i,
    'memory',
  ],
  [/table/i, 'table'],
  [/^array oob$|^oob$|array/i, 'array'],
  [/ by 0$/, 'div-zero'],
  [/overflow$/, 'int-overflow'],
  [/of nan$/, 'conversion'],
];

const JETWASM_TRAPS: readonly [RegExp, string][] = [
  [/unreachable/, 'unreachable'],
  [/cast/, 'cast'],
  [/null/, 'null'],
  [/out of bounds memory|memory access/, 'memory'],
  [/table|undefined element|uninitialized element/, 'table'],
  [/array/, 'array'],
  [/divide by zero|remainder by zero/, 'div-zero'],
  [/integer overflow/, 'int-overflow'],
  [/invalid conversion/, 'conversion'],
];

function trapClass(message: string, table: readonly [RegExp, string][]): string | null {
  for (const [re, cls] of table) if (re.test(message)) return cls;
  return null;
}

/** Both lines are traps of the same class (or binaryen's class is not known). */
function sameTrap(b: string, j: LogLine): boolean {
  if (!isTrapLine(b) || j.length !== 1 || typeof j[0] !== 'string' || !j[0].startsWith('[trap ')) return false;
  const bc = trapClass(b.slice(6, -1), BINARYEN_TRAPS);
  return bc === null || bc === trapClass(j[0].slice(6, -1), JETWASM_TRAPS);
}

function sameLine(b: string, j: LogLine): boolean {
  if (isTrapLine(b)) return sameTrap(b, j);
  const jt = splitTokens(j);
  const bt = splitBinaryen(b);
  if (bt.length !== jt.length) return false;
  for (let i = 0; i < bt.length; i++) {
    const t = jt[i];
    if (typeof t === 'string' ? t !== bt[i] : !sameFloat(t, bt[i])) return false;
  }
  return true;
}

export interface ExecDifference {
  readonly where: string;
  readonly binaryen: string;
  readonly jetwasm: string;
}

export interface ExecComparison {
  readonly difference: ExecDifference | null;
  /** The comparison stopped at an interpreter limit of binaryen's. */
  readonly hostLimit: boolean;
  /** Lines compared (up to a host limit). */
  readonly lines: number;
  readonly traps: number;
  readonly exceptions: number;
  /** Lines that carried a GC object, i31 or function reference. */
  readonly gcValues: number;
}

/** The first difference between binaryen's log and jetwasm's, or null. */
export function compareExecLogs(binaryen: readonly string[], jet: readonly LogLine[]): ExecComparison {
  let traps = 0,
    exceptions = 0,
    gcValues = 0;
  let where = 'instantiate';
  for (let i = 0; i < binaryen.length; i++) {
    const b = binaryen[i];
    if (b.startsWith('[host limit'))
      return { difference: null, hostLimit: true, lines: i, traps, exceptions, gcValues };
    const j = jet[i];
    if (b.startsWith('[fuzz-exec] export ')) where = b.slice('[fuzz-exec] export '.length);
    if (j === undefined || !sameLine(b, j)) {
      return {
        difference: {
          where: `line ${i + 1} (export ${where})`,
          binaryen: b,
          jetwasm: j === undefined ? 'missing' : renderLine(j),
        },
        hostLimit: false,
        lines: i,
        traps,
        exceptions,
        gcValues,
      };
    }
    if (isTrapLine(b)) traps++;
    if (b.startsWith('[exception thrown')) exceptions++;
    if (/object\(|i31ref\(/.test(b)) gcValues++;
  }
  if (jet.length > binaryen.length) {
    return {
      difference: {
        where: `line ${binaryen.length + 1}`,
        binaryen: 'missing',
        jetwasm: renderLine(jet[binaryen.length]),
      },
      hostLimit: false,
      lines: binaryen.length,
      traps,
      exceptions,
      gcValues,
    };
  }
  return { difference: null, hostLimit: false, lines: binaryen.length, traps, exceptions, gcValues };
}
