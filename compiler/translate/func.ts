// FuncTranslator: one validated function body -> the source text of one JS function.
//
// Operand-stack slots become JS locals named by depth (`s0`, `s1`, ...); Wasm locals are
// `l0`, `l1`, ... (parameters first). A stack entry is either materialized (its text is
// its slot name) or *pending*: a pure expression (no side effects, cannot trap) over
// constants, locals and its own slot, evaluated where it is consumed. Invariants:
//   - a pending entry at depth d references no slot other than s<d> (so writing any other
//     slot never changes its value);
//   - before local x is written, every pending entry mentioning l<x> is materialized;
//   - at every block boundary and branch target all entries are materialized, and a
//     block's results sit in the slots s<h>..s<h+n-1> where h is its entry height.
// Everything that traps or has an effect (loads, calls, global reads, division) is emitted
// as a statement at its position in the instruction sequence.

import type { ArrayType, BlockType, CompositeType, FuncType, HeapType, Instr, RefType, StorageType, StructType, ValType, FuncBody } from '../ir';
import { CatchKind } from '../ir';
import { opByCode } from '../opcodes';
import type { FuncEnvironment, MemoryNames } from './env';
import * as i64 from './i64';
import { outlineBody } from './outline';
import { CheckPoints } from './checks';

/** True on little-endian hosts, where an Int32Array reads memory's little-endian words. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `e` without one pair of enclosing parentheses, when they enclose all of it; else null. */
function unparen(e: string): string | null {
  if (e.length < 2 || e[0] !== '(' || e[e.length - 1] !== ')') return null;
  let depth = 0;
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i !== e.length - 1) return null;
  }
  return e.slice(1, -1);
}

/** An i32 expression read as unsigned: an integer literal is converted here, not at run time. */
function asU32(e: string): string {
  return /^-?\d+$/.test(e) ? String(Number(e) >>> 0) : `(${e} >>> 0)`;
}

/** Splits `A op B` at its only operator outside parentheses, else null. */
function splitTopLevel(e: string): [string, string, string] | null {
  let depth = 0, at = -1, op = '';
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && c === ' ') {
      const m = /^ (&|<<|>>>|>>|\||\^|\+|-|\*|===|!==|<=|>=|<|>|\?|:|&&|\|\|) /.exec(e.slice(i));
      if (m) {
        if (at >= 0) return null;
        at = i;
        op = m[1];
        i += m[0].length - 1;
      }
    }
  }
  if (at < 0) return null;
  return [e.slice(0, at), op, e.slice(at + op.length + 2)];
}


/**
 * What the translator can prove about an i32 expression from its text: its value lies in
 * [0, max] and is a multiple of 2^align. Recognised: literals, `(x & C)` with C >= 0, and
 * `(x << k)` of a recognised x (both as the translator prints them). Used to read words at
 * such addresses through an Int32Array without a bounds check (table lookups in hashes).
 */
export function addrFacts(e: string): { max: number; align: number } | null {
  // Every recognised form ends in a digit, or in a digit and `)`: anything else is rejected
  // before the scans below (most addresses are not recognised).
  const n = e.length;
  const last = e.charCodeAt(n - 1);
  if (!isDigit(last) && !(last === 41 && isDigit(e.charCodeAt(n - 2)))) return null;
  if (/^\d+$/.test(e)) {
    const v = Number(e);
    if (v > 0x7fffffff) return null;
    let align = 0;
    while (align < 31 && (v & (1 << align)) === 0) align++;
    return { max: v, align };
  }
  const inner = unparen(e);
  if (inner === null) return null;
  const parts = splitTopLevel(inner);
  if (parts === null) return null;
  const [x, op, y] = parts;
  if (op === '&' && /^\d+$/.test(y)) return addrFacts(y);
  if (op === '<<' && /^\d+$/.test(y) && Number(y) < 31) {
    const k = Number(y), f = addrFacts(x);
    if (f === null || f.max * 2 ** k > 0x7fffffff) return null;
    return { max: f.max * 2 ** k, align: Math.min(31, f.align + k) };
  }
  return null;
}

/**
 * Word index of the address `(y >>> k) & M` (M a multiple of 4, as split by splitTopLevel):
 * `(y >>> k + 2) & M / 4`, without the mask when it keeps every remaining bit: one shift in
 * place of two, as in a byte-indexed table lookup `((x >>> 14) & 1020) >> 2` → `x >>> 16 & 255`.
 * Only the form without `| 0` qualifies (a constant shift by 1..31, see i32Op); else null.
 */
function maskedShiftIndex([x, op, m]: [string, string, string]): string | null {
  if (op !== '&' || !/^\d+$/.test(m) || Number(m) % 4 !== 0) return null;
  const inner = unparen(x);
  const xs = inner === null ? null : splitTopLevel(inner);
  if (xs === null || xs[1] !== '>>>' || !/^\d+$/.test(xs[2])) return null;
  const k = Number(xs[2]) + 2;
  if (k > 31) return null;
  const mask = Number(m) / 4;
  const shifted = `${xs[0]} >>> ${k}`;
  return mask >= 2 ** (32 - k) - 1 ? `(${shifted})` : `(${shifted} & ${mask})`;
}

interface Entry {
  /** The value (an i64's low word). */
  e: string;
  /** An i64's high word; undefined for every other type. */
  hi: string | undefined;
  pending: boolean;
  /** A JS boolean expression equivalent to `e !== 0`, when cheaper than e itself. */
  cond: string | undefined;
}

/** Every entry gets every field at creation: one object shape for all operand-stack
 *  entries, so the translator's property reads stay monomorphic. */
function entry(e: string, hi: string | undefined, pending: boolean, cond: string | undefined): Entry {
  return { e, hi, pending, cond };
}

type FrameKind = 'func' | 'block' | 'loop' | 'if' | 'try_table' | 'try';

interface Frame {
  kind: FrameKind;
  label: string;
  /** Stack height below the block's parameters. */
  height: number;
  params: readonly ValType[];
  results: readonly ValType[];
  /** Some branch targets this frame (for non-loops: its end is reachable that way). */
  branched: boolean;
  hasElse: boolean;
  /** Some arm (then/else/try body/catch) reaches the block's end by falling through. */
  armFallsThrough: boolean;
  /** try/try_table: the catch variable ('' otherwise); legacy try: whether a catch clause
   *  has started and whether it has a catch_all. */
  exnVar: string;
  inCatch: boolean;
  hasCatchAll: boolean;
  /** block/loop: index in the output of its opener line (-1 for other frames), blanked at
   *  the end when nothing branches to it (the JS block or loop is then not needed at all). */
  openLine: number;
  /** try_table: its catch clauses' dispatch statements, emitted at its end. */
  handlers: readonly string[];
  /** block: how many blocks, this one included, were opened one directly inside the other
   *  (nothing before each in its parent) up to here. */
  run: number;
  /** block: the block chain it belongs to (index in FuncTranslator.chains), else -1; and its
   *  case in the chain's switch (1 for the outermost). */
  chain: number;
  chainCase: number;
}

/**
 * Runs of at least this many blocks opened one directly inside the other become one block
 * chain: a loop over a switch instead of nested JS blocks. Compilers emit such runs for a
 * br_table dispatch (one block per target), thousands deep in Go programs, and V8's parser
 * recurses once per nested statement.
 */
const CHAIN_MIN = 16;

/** A JS parameter list for Wasm parameters `params`: `l0, l1, h1, ...` (an i64 takes two).
 *  A plain loop: an inlined Array.prototype.map here fell into a V8 deoptimization loop
 *  (thousands of "wrong map" bailouts in one compile) when parameter arrays of different
 *  elements kinds met. */
export function paramList(params: readonly ValType[]): string {
  let s = '';
  for (let i = 0; i < params.length; i++) {
    if (i > 0) s += ', ';
    s += params[i] === 'i64' ? `l${i}, h${i}` : `l${i}`;
  }
  return s;
}

/** Every frame gets every field at creation: one object shape for all frames. */
function newFrame(kind: FrameKind, label: string, height: number, params: readonly ValType[], results: readonly ValType[], openLine = -1, exnVar = '', handlers: readonly string[] = NO_HANDLERS): Frame {
  return { kind, label, height, params, results, branched: false, hasElse: false, armFallsThrough: false, exnVar, inCatch: false, hasCatchAll: false, openLine, handlers, run: 0, chain: -1, chainCase: 0 };
}
const NO_HANDLERS: readonly string[] = [];

const IDENT_OR_LITERAL = /^(?:-?[\w$.]+|-?\d[\w.+-]*n?)$/;

/** What the translator needs from an opcode's name, parsed once per opcode (not per
 *  instruction: name parsing with regexes was a measurable part of translation time). */
interface OpDesc {
  readonly name: string;
  /** Type prefix and operation (`i32`, `add`) split at the first dot ('' when none). */
  readonly ty: string;
  readonly op: string;
  /** A plain memory load/store (not a SIMD lane access). */
  readonly mem: 'load' | 'store' | null;
  /** A plain load/store: the bytes it accesses (accessSize), else 0. */
  readonly size: number;
  readonly tail: boolean;
  /** A numeric operator or plain load/store of i32/i64/f32/f64 other than `*.const`: handled by
   *  translateNamed, not by any case of translateOperator's switch (a switch over ~150 strings
   *  is a chain of comparisons, which was the hottest line of translation). */
  readonly numeric: boolean;
  /** translateOperator's case (TK.Other: none, so translateNamed). */
  readonly kind: TK;
}
/** translateOperator's cases. Its switch is over these small integers, which V8 dispatches
 *  with a jump table; over opcode names it was a chain of string comparisons. */
const enum TK {
  Other,
  Nop,
  Unreachable,
  Block,
  Loop,
  If,
  Else,
  End,
  Br,
  BrIf,
  BrTable,
  Return,
  Call,
  CallIndirect,
  CallRef,
  ReturnCall,
  Drop,
  Select,
  LocalGet,
  LocalSet,
  LocalTee,
  GlobalGet,
  GlobalSet,
  TableGet,
  TableSet,
  TableSize,
  TableGrow,
  TableFill,
  TableCopy,
  TableInit,
  ElemDrop,
  MemorySize,
  MemoryGrow,
  MemoryFill,
  MemoryCopy,
  MemoryInit,
  DataDrop,
  I32Const,
  I64Const,
  F32Const,
  F64Const,
  V128Const,
  RefNull,
  RefIsNull,
  RefFunc,
  RefAsNonNull,
  RefEq,
  BrOnNull,
  BrOnNonNull,
  Throw,
  ThrowRef,
  TryTable,
  Try,
  Catch,
  Rethrow,
  Delegate,
}
const TK_BY_NAME = new Map<string, TK>([
  ['nop', TK.Nop], ['unreachable', TK.Unreachable], ['block', TK.Block], ['loop', TK.Loop],
  ['if', TK.If], ['else', TK.Else], ['end', TK.End], ['br', TK.Br],
  ['br_if', TK.BrIf], ['br_table', TK.BrTable], ['return', TK.Return], ['call', TK.Call],
  ['call_indirect', TK.CallIndirect], ['call_ref', TK.CallRef], ['return_call', TK.ReturnCall], ['return_call_indirect', TK.ReturnCall],
  ['return_call_ref', TK.ReturnCall], ['drop', TK.Drop], ['select', TK.Select], ['select_t', TK.Select],
  ['local.get', TK.LocalGet], ['local.set', TK.LocalSet], ['local.tee', TK.LocalTee], ['global.get', TK.GlobalGet],
  ['global.set', TK.GlobalSet], ['table.get', TK.TableGet], ['table.set', TK.TableSet], ['table.size', TK.TableSize],
  ['table.grow', TK.TableGrow], ['table.fill', TK.TableFill], ['table.copy', TK.TableCopy], ['table.init', TK.TableInit],
  ['elem.drop', TK.ElemDrop], ['memory.size', TK.MemorySize], ['memory.grow', TK.MemoryGrow], ['memory.fill', TK.MemoryFill],
  ['memory.copy', TK.MemoryCopy], ['memory.init', TK.MemoryInit], ['data.drop', TK.DataDrop], ['i32.const', TK.I32Const],
  ['i64.const', TK.I64Const], ['f32.const', TK.F32Const], ['f64.const', TK.F64Const], ['v128.const', TK.V128Const],
  ['ref.null', TK.RefNull], ['ref.is_null', TK.RefIsNull], ['ref.func', TK.RefFunc], ['ref.as_non_null', TK.RefAsNonNull],
  ['ref.eq', TK.RefEq], ['br_on_null', TK.BrOnNull], ['br_on_non_null', TK.BrOnNonNull], ['throw', TK.Throw],
  ['throw_ref', TK.ThrowRef], ['try_table', TK.TryTable], ['try', TK.Try], ['catch', TK.Catch],
  ['catch_all', TK.Catch], ['rethrow', TK.Rethrow], ['delegate', TK.Delegate],
]);
const NUMERIC_TYPES = new Set(['i32', 'i64', 'f32', 'f64']);
const DESC_SMALL: (OpDesc | undefined)[] = new Array<OpDesc | undefined>(256).fill(undefined);
const DESC_PREFIXED = new Map<number, OpDesc>();

function opDesc(code: number): OpDesc | undefined {
  let d = code < 256 ? DESC_SMALL[code] : DESC_PREFIXED.get(code);
  if (d !== undefined) return d;
  const info = opByCode.get(code);
  if (!info) return undefined;
  const name = info.name;
  const dot = name.indexOf('.');
  const lane = /_lane$/.test(name);
  const ty = dot < 0 ? '' : name.slice(0, dot);
  const op = name.slice(dot + 1);
  const mem = lane ? null : /\.load/.test(name) ? 'load' : /\.store/.test(name) ? 'store' : null;
  d = {
    name,
    ty,
    op,
    mem,
    size: mem === null ? 0 : accessSize(op, ty),
    tail: name === 'return_call' || name === 'return_call_indirect' || name === 'return_call_ref',
    numeric: NUMERIC_TYPES.has(ty) && op !== 'const',
    kind: TK_BY_NAME.get(name) ?? TK.Other,
  };
  if (code < 256) DESC_SMALL[code] = d;
  else DESC_PREFIXED.set(code, d);
  return d;
}

/** Regexes matching a whole identifier, cached by identifier (slot, local and register
 *  names recur across the module). */
const WHOLE_NAME_RE = new Map<string, RegExp>();
function wholeNameRe(x: string): RegExp {
  let re = WHOLE_NAME_RE.get(x);
  if (re === undefined) {
    re = new RegExp(`(^|[^\\w$.])${x.replace(/[[\]]/g, '\\$&')}(?![\\w$])`);
    WHOLE_NAME_RE.set(x, re);
  }
  return re;
}
const LOCAL_RE: RegExp[] = [];
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** A `\w` character (as in RegExp's `\b`). */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function localRe(x: number): RegExp {
  return LOCAL_RE[x] ?? (LOCAL_RE[x] = new RegExp(`\\b[lh]${x}\\b`));
}
/** Whether `e` names `${c}K` (K decimal digits, a whole identifier) with K !== d. Jumps from
 *  one `c` to the next with indexOf instead of visiting every character. */
function refsOtherSlotOf(e: string, d: number, c: 's' | 't'): boolean {
  const n = e.length;
  for (let i = e.indexOf(c); i >= 0; i = e.indexOf(c, i + 1)) {
    if (i > 0 && isWordChar(e.charCodeAt(i - 1))) continue;
    let j = i + 1;
    let k = 0;
    while (j < n) {
      const cj = e.charCodeAt(j);
      if (cj < 48 || cj > 57) break;
      k = k * 10 + (cj - 48);
      j++;
    }
    if (j === i + 1 || (j < n && isWordChar(e.charCodeAt(j)))) continue;
    if (k !== d) return true;
  }
  return false;
}

/** Names of slots (`sN`, `tN`) and locals (`lN`, `hN`), built once per index: they are
 *  asked for at nearly every instruction. */
const NAMES = { s: [] as string[], t: [] as string[], l: [] as string[], h: [] as string[] };
function nameOf(prefix: 's' | 't' | 'l' | 'h', i: number): string {
  const a = NAMES[prefix];
  return a[i] ?? (a[i] = prefix + i);
}

const MAX_PENDING = 160;
/** Most int32 operands in one untruncated JS sum (see addSub). */
const MAX_SUM_TERMS = 64;

const TRAP_MSG = {
  oob: 'out of bounds memory access',
  unreachable: 'unreachable',
  nullRef: 'null reference',
  nullFunc: 'null function reference',
} as const;

/** Renders a JS number literal exactly (the value must not be NaN). */
export function numberLiteral(x: number): string {
  if (Object.is(x, -0)) return '-0';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return String(x);
}

/** Module-wide constant pool: NaN literals and v128 constants need a helper call to build. */
export class ConstPool {
  readonly decls: string[] = [];
  private readonly map = new Map<string, string>();
  add(init: string): string {
    let name = this.map.get(init);
    if (name === undefined) {
      name = `K${this.decls.length}`;
      this.decls.push(`var ${name} = ${init};`);
      this.map.set(init, name);
    }
    return name;
  }
}

export class FuncTranslator {
  private out: string[] = [];
  private indent = 1;
  private stack: Entry[] = [];
  private frames: Frame[] = [];
  private reachable = true;
  private deadDepth = 0;
  private maxDepth = 0;
  private labelCounter = 0;
  private localTypes: ValType[] = [];
  private usesTmp = false;
  private usesQ = false;
  private maxHiDepth = 0;
  private usesCallee = false;
  private exnCounter = 0;
  /** Block chains of the function being translated: the state variable its loop switches
   *  on and the loop's label (see extendBlockRun). */
  private chains: { readonly v: string; readonly label: string }[] = [];
  /** Fuel / interrupt check points (checks.ts); null when the engine asks for none. */
  private checks: CheckPoints | null = null;
  /** The body contains return_call* (reachable or not): the function is trampolined. */
  private tailCalls = false;

  /**
   * 'interpreter' profile: i32 sums whose `| 0` a consumer may drop. Key: a pushed
   * `(${inner} | 0)`; value: inner, an exact JS sum of `terms` int32 operands. The relation
   * is purely textual (every i32 variable always holds an int32), so an entry never goes stale.
   */
  private sums = new Map<string, { inner: string; terms: number }>();

  /** Index in `out` of the last `sN = expr;` emitted by emitSlotAssign (-1: none), and expr. */
  private lastSlotAssign = -1;
  private lastSlotExpr = '';

  /** Split functions above outline.ts's size threshold (see there). */
  outlining = true;

  constructor(private readonly env: FuncEnvironment, private readonly pool: ConstPool) {}

  /**
   * Returns `function fN(l0, l1, ...) { ... }` for defined function `funcIdx`. `name` is the
   * JS function's name (default: its identity, env.callee); a trampolined function's body is
   * `${name}b` and is attached to the identity under TB.
   */
  translateFunction(funcIdx: number, body: FuncBody, name?: string): string {
    const type = this.env.funcType(funcIdx);
    this.out = [];
    this.indent = 1;
    this.stack = [];
    this.frames = [];
    this.reachable = true;
    this.deadDepth = 0;
    this.maxDepth = 0;
    this.labelCounter = 0;
    this.usesTmp = false;
    this.usesQ = false;
    this.maxHiDepth = 0;
    this.usesCallee = false;
    this.exnCounter = 0;
    this.chains = [];
    this.tailCalls = false;
    this.sums.clear();
    this.lastSlotAssign = -1;
    this.checks = this.env.checkOptions ? new CheckPoints(this.env.checkOptions) : null;
    if (this.checks && !this.checks.enabled) this.checks = null;
    this.openCheckRegion();
    this.localTypes = [...type.params, ...body.locals];
    this.frames.push(newFrame('func', 'L0', 0, [], type.results));
    // A body kept as bytes is read once, instruction by instruction, into one reused object
    // (translateOperator reads only the fields of the instruction's immediate kind).
    const m = this.env.module;
    if (body.start !== undefined && m.bodyStream !== undefined) {
      const stream = m.bodyStream(funcIdx - m.numImportedFuncs, true);
      const ins = stream.instr;
      while (stream.next()) this.translateOperator(ins);
    } else {
      const code = body.body;
      for (let i = 0; i < code.length; i++) this.translateOperator(code[i]);
    }
    // The function's final `end`.
    if (this.reachable) this.emitReturn();
    this.checks?.close(this.out);

    const params = paramList(type.params);
    const identity = this.env.callee(funcIdx);
    const self = name ?? identity;
    // Functions too large for V8's optimizing tier are split into nested regions.
    let head = this.head(type.params.length);
    let lines = this.out;
    if (this.outlining) {
      const o = outlineBody(lines, this.env.outlineThreshold);
      if (o !== null) {
        head += o.decls.join('\n') + '\n';
        lines = o.body;
      }
    }
    if (this.tailCalls) {
      // Trampolined: the body may return TAIL; the entry runs the pending tail calls.
      return `function ${self}b(${params}) {\n${head}${lines.join('\n')}\n}\n` +
        `function ${self}(${params}) { return runTail(${self}b(${params})); }\n${identity}[TB] = ${self}b;` +
        // The code of a lazy stub is what callIndirect returns (runtime/helpers.ts), so a
        // tail call through a table finds the body on it too.
        (self !== identity ? `\n${self}[TB] = ${self}b;` : '');
    }
    return `function ${self}(${params}) {\n${head}${lines.join('\n')}\n}`;
  }

  /** Whether the last translated function was trampolined (several statements, not one). */
  get trampolined(): boolean {
    return this.tailCalls;
  }

  private head(numParams: number): string {
    const decls: string[] = [];
    for (let i = numParams; i < this.localTypes.length; i++) {
      if (this.localTypes[i] === 'i64') decls.push(`l${i} = 0, h${i} = 0`);
      else decls.push(`l${i} = ${this.defaultValue(this.localTypes[i])}`);
    }
    for (let d = 0; d < this.maxDepth; d++) decls.push(`s${d}`);
    for (let d = 0; d < this.maxHiDepth; d++) decls.push(`t${d}`);
    if (this.usesTmp) decls.push('a');
    if (this.usesQ) decls.push('q');
    if (this.usesCallee) decls.push('fn');
    for (let i = 0; i < this.exnCounter; i++) decls.push(`x${i}`);
    if (this.exnCounter > 0) decls.push('dg = 0');
    for (const c of this.chains) decls.push(`${c.v} = 0`);
    return decls.length ? `let ${decls.join(', ')};\n` : '';
  }

  // ------------------------------------------------------------------ emission helpers

  /** Starts a fuel/interrupt check region (function body or loop body) here. */
  private openCheckRegion(): void {
    this.checks?.open(this.out, '');
  }

  private emit(line: string): void {
    // No indentation: it was a sixth of sql.js's generated source (capped at eight levels),
    // and every character costs V8 parse time. Format the source to read it.
    this.out.push(line);
  }

  private defaultValue(t: ValType): string {
    switch (t) {
      case 'i32': case 'f32': case 'f64': return '0';
      case 'i64': return '0n'; // boxed: only GC defaults use it (locals are word pairs)
      case 'v128': return this.pool.add('V128(0, 0, 0, 0)');
      default: return 'null';
    }
  }

  private trap(msg: string): string {
    return `trap(${JSON.stringify(msg)});`;
  }

  private slot(d: number): string {
    if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
    return nameOf('s', d);
  }

  /** Pushes an expression; `pure` ones may stay pending. */
  private push(e: string, pure: boolean, cond?: string): void {
    const d = this.stack.length;
    if (pure && e.length <= MAX_PENDING && !this.refsOtherSlot(e, d)) {
      this.stack.push(entry(e, undefined, true, cond));
      if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
      return;
    }
    const s = this.slot(d);
    if (e !== s) this.emitSlotAssign(s, e);
    this.stack.push(entry(s, undefined, false, undefined));
  }

  /** Emits `${s} = ${e};` and remembers it for localSet's forwarding. */
  private emitSlotAssign(s: string, e: string): void {
    this.emit(`${s} = ${e};`);
    this.lastSlotAssign = this.out.length - 1;
    this.lastSlotExpr = e;
  }

  /** The slot holding the high word of an i64 at depth d. */
  private hiSlot(d: number): string {
    if (d + 1 > this.maxHiDepth) this.maxHiDepth = d + 1;
    return nameOf('t', d);
  }

  /** Pushes an i64; `pure` ones may stay pending. */
  private pushPair(p: i64.Pair, pure: boolean): void {
    const d = this.stack.length;
    if (pure && p.lo.length + p.hi.length <= MAX_PENDING && !this.refsOtherSlot(p.lo, d) && !this.refsOtherSlot(p.hi, d)) {
      this.stack.push(entry(p.lo, p.hi, true, undefined));
      if (d + 1 > this.maxDepth) this.maxDepth = d + 1;
      return;
    }
    this.assignPair(this.slot(d), this.hiSlot(d), p.lo, p.hi);
    this.stack.push(entry(nameOf('s', d), nameOf('t', d), false, undefined));
  }

  /** Pushes an i64 produced by a helper/call expression that returns the low word and leaves
   *  the high word in the hi register. */
  private pushPairCall(call: string): void {
    const d = this.stack.length;
    this.emit(`${this.slot(d)} = ${call}; ${this.hiSlot(d)} = ${i64.HI_REG};`);
    this.stack.push(entry(nameOf('s', d), nameOf('t', d), false, undefined));
  }

  /** Pushes an i64 written by statements `f(lo, hi)` into the slot pair. */
  private pushPairStmt(f: (lo: string, hi: string) => string): void {
    const d = this.stack.length;
    this.emit(f(this.slot(d), this.hiSlot(d)));
    this.stack.push(entry(nameOf('s', d), nameOf('t', d), false, undefined));
  }

  /** Emits L = lo; H = hi; without either write changing the other's operand. */
  private assignPair(L: string, H: string, lo: string, hi: string): void {
    const re = wholeNameRe;
    const loSame = lo === L, hiSame = hi === H;
    if (loSame && hiSame) return;
    if (hiSame) { this.emit(`${L} = ${lo};`); return; }
    if (loSame) { this.emit(`${H} = ${hi};`); return; }
    if (!re(L).test(hi)) { this.emit(`${L} = ${lo}; ${H} = ${hi};`); return; }
    if (!re(H).test(lo)) { this.emit(`${H} = ${hi}; ${L} = ${lo};`); return; }
    this.usesQ = true;
    this.emit(`q = ${lo}; ${H} = ${hi}; ${L} = q;`);
  }

  /** Whether `e` names a slot `sK`/`tK` with K !== d (the matches of `\b[st](\d+)\b`, scanned by
   *  hand: this runs for every pushed expression). */
  private refsOtherSlot(e: string, d: number): boolean {
    return refsOtherSlotOf(e, d, 's') || refsOtherSlotOf(e, d, 't');
  }

  private materialize(d: number): void {
    const en = this.stack[d];
    if (!en.pending) return;
    const s = this.slot(d);
    if (en.hi !== undefined) {
      this.assignPair(s, this.hiSlot(d), en.e, en.hi);
      this.stack[d] = entry(s, nameOf('t', d), false, undefined);
      return;
    }
    if (en.e !== s) this.emit(`${s} = ${en.e};`);
    this.stack[d] = entry(s, undefined, false, undefined);
  }

  private flushAll(): void {
    for (let d = 0; d < this.stack.length; d++) this.materialize(d);
  }

  private pop(): string {
    const en = this.stack.pop();
    if (!en) throw new Error('operand stack underflow (module not validated?)');
    return en.e;
  }

  private popEntry(): Entry {
    const en = this.stack.pop();
    if (!en) throw new Error('operand stack underflow (module not validated?)');
    return en;
  }

  /** Pops a value as a boolean JS expression. */
  private popCond(): string {
    const en = this.popEntry();
    return en.cond ?? en.e;
  }

  /** Pops an operand usable several times (identifier or literal), materializing if needed. */
  private popSimple(): string {
    const d = this.stack.length - 1;
    const en = this.stack[d];
    if (!IDENT_OR_LITERAL.test(en.e)) this.materialize(d);
    return this.pop();
  }

  /** Pops n values, first-pushed first, i64s boxed as BigInt (for boundaries). */
  private popN(n: number): string[] {
    const r: string[] = new Array(n);
    for (let i = n - 1; i >= 0; i--) r[i] = this.popBoxed();
    return r;
  }

  /** Pops n call arguments, first-pushed first, i64s as two words (lo, hi). */
  private popArgs(n: number): string[] {
    const base = this.stack.length - n;
    if (base < 0) throw new Error('operand stack underflow (module not validated?)');
    const r: string[] = [];
    for (let i = base; i < this.stack.length; i++) {
      const en = this.stack[i];
      r.push(en.e);
      if (en.hi !== undefined) r.push(en.hi);
    }
    this.stack.length = base;
    return r;
  }

  /** Pops one value; an i64 is boxed as a BigInt. */
  private popBoxed(): string {
    const en = this.popEntry();
    return en.hi !== undefined ? i64.i64Box({ lo: en.e, hi: en.hi }) : en.e;
  }

  private popPair(): i64.Pair {
    const en = this.popEntry();
    if (en.hi === undefined) throw new Error('expected an i64 operand');
    return { lo: en.e, hi: en.hi };
  }

  /** Pops an i64 whose words are identifiers or literals. */
  private popPairSimple(): i64.Pair {
    const d = this.stack.length - 1;
    const en = this.stack[d];
    if (!IDENT_OR_LITERAL.test(en.e) || !IDENT_OR_LITERAL.test(en.hi ?? '')) this.materialize(d);
    return this.popPair();
  }

  private blockSig(bt: BlockType | undefined): { params: readonly ValType[]; results: readonly ValType[] } {
    if (bt === null || bt === undefined) return { params: [], results: [] };
    if (typeof bt === 'number') {
      const ft = this.env.typeAt(bt);
      return { params: ft.params, results: ft.results };
    }
    return { params: [], results: [bt] };
  }

  private newLabel(): string {
    return `L${++this.labelCounter}`;
  }

  /** Copies the top `n` entries into the slots of a branch target at height h (no pop). */
  private assignBranchValues(target: Frame): void {
    const n = target.kind === 'loop' ? target.params.length : target.results.length;
    this.moveTopTo(target.height, n);
  }

  /** Copies the top n entries into slots height.. (no pop). */
  private moveTopTo(height: number, n: number): void {
    const base = this.stack.length - n;
    for (let i = 0; i < n; i++) {
      const dst = this.slot(height + i);
      const src = this.stack[base + i];
      if (src.hi !== undefined) this.assignPair(dst, this.hiSlot(height + i), src.e, src.hi);
      else if (src.e !== dst) this.emit(`${dst} = ${src.e};`);
    }
  }

  private branchStatement(depth: number): string {
    const target = this.frames[this.frames.length - 1 - depth];
    if (target.kind === 'func') return this.returnStatement();
    target.branched = true;
    this.assignBranchValues(target);
    if (target.chain >= 0) {
      const c = this.chains[target.chain];
      return `{ ${c.v} = ${target.chainCase}; continue ${c.label}; }`;
    }
    return target.kind === 'loop' ? `continue ${target.label};` : `break ${target.label};`;
  }

  /** Emits the return of the function's results (top of stack) and returns nothing. */
  private returnStatement(): string {
    const results = this.frames[0].results;
    const n = results.length;
    const vals = this.stack.slice(this.stack.length - n);
    if (n === 0) return 'return;';
    for (let i = 1; i < n; i++) {
      const v = vals[i];
      if (v.hi !== undefined) this.emit(`rI32[${2 * i}] = ${v.e}; rI32[${2 * i + 1}] = ${v.hi};`);
      else this.emit(`${returnSlot(results[i], i)} = ${v.e};`);
    }
    // An i64 first result returns its low word; the high word goes to the hi register.
    if (vals[0].hi !== undefined) this.emit(`${i64.HI_REG} = ${vals[0].hi};`);
    return `return ${vals[0].e};`;
  }

  /** Tail-call arguments are call arguments: i64s as two words. */
  private emitTailCall(callee: string, args: string[]): void {
    args.forEach((a, i) => this.emit(`TA[${i}] = ${a};`));
    this.emit(`return tail(${callee}, ${args.length});`);
  }

  private emitReturn(): void {
    this.emit(this.returnStatement());
  }

  private setUnreachable(): void {
    this.reachable = false;
  }

  private localSet(x: number, v: Entry): void {
    const re = localRe(x);
    for (let d = 0; d < this.stack.length; d++) {
      const en = this.stack[d];
      if (en.pending && (re.test(en.e) || (en.hi !== undefined && re.test(en.hi)))) this.materialize(d);
    }
    const lx = nameOf('l', x);
    if (v.hi !== undefined) this.assignPair(lx, nameOf('h', x), v.e, v.hi);
    else if (!v.pending && this.lastSlotAssign === this.out.length - 1 && this.out[this.lastSlotAssign] === `${v.e} = ${this.lastSlotExpr};`) {
      // The value was stored to its (now popped, so dead) slot by the line just emitted:
      // store it to the local there instead (`s0 = load; l3 = s0;` → `l3 = load;`).
      this.out[this.lastSlotAssign] = `${lx} = ${this.lastSlotExpr};`;
      this.lastSlotAssign = -1;
    } else if (v.e !== lx) this.emit(`${lx} = ${v.e};`);
  }

  private pushLocal(x: number): void {
    if (this.localTypes[x] === 'i64') this.pushPair({ lo: nameOf('l', x), hi: nameOf('h', x) }, true);
    else this.push(nameOf('l', x), true);
  }

  /** Pushes call results: `call` is the call expression. */
  private pushCallResults(call: string, results: readonly ValType[]): void {
    const d = this.stack.length;
    if (results.length === 0) {
      this.emit(`${call};`);
      return;
    }
    if (results[0] === 'i64') this.pushPairCall(call);
    else {
      this.emitSlotAssign(this.slot(d), call);
      this.stack.push(entry(nameOf('s', d), undefined, false, undefined));
    }
    for (let i = 1; i < results.length; i++) {
      const s = this.slot(d + i);
      if (results[i] === 'i64') {
        this.emit(`${s} = rI32[${2 * i}]; ${this.hiSlot(d + i)} = rI32[${2 * i + 1}];`);
        this.stack.push(entry(s, `t${d + i}`, false, undefined));
      } else {
        this.emit(`${s} = ${returnSlot(results[i], i)};`);
        this.stack.push(entry(s, undefined, false, undefined));
      }
    }
  }

  // ------------------------------------------------------------------ memory

  /** Emits the effective-address computation and bounds check; returns the address text. */
  /**
   * The effective address of an access. For a 32-bit memory accessed through its DataView
   * (`viaDataView`), the DataView's own bounds check is the Wasm bounds check: u32 address +
   * u32 offset is below 2^33, and an access beyond the buffer throws a RangeError that every
   * boundary converts into the trap "out of bounds memory access" (runtime/objects.ts
   * toTrapValue), so the address is returned as an expression and nothing is emitted.
   * Otherwise (memory64, SIMD helpers on the Uint8Array) the check is explicit and the address
   * is left in the temporary `a`.
   */
  private effectiveAddress(m: MemoryNames, offset: number, size: number, viaDataView = false, twoWords = false): string {
    let base: string;
    if (m.is64) base = i64.i64ToAddress(this.popPair());
    else {
      const addr = this.pop();
      // No unsigned conversion for an address addrFacts proves to lie in [0, 2^31), nor,
      // without an offset, for a memory that stays below 2 GiB: there a negative int32 is a
      // u32 of at least 2^31, out of bounds either way, and the DataView rejects it with the
      // same RangeError. Not with an offset, nor for a two-word access (whose second word is
      // at address + 4): a negative address plus a few bytes could land in bounds.
      const signedOk = viaDataView && offset === 0 && !twoWords && m.below2GiB;
      base = signedOk || /^\d+$/.test(addr) || addrFacts(addr) !== null ? addr : `(${addr} >>> 0)`;
    }
    if (viaDataView && !m.is64) {
      if (offset === 0) return base;
      return /^\d+$/.test(base) ? String(Number(base) + offset) : `${base} + ${offset}`;
    }
    this.usesTmp = true;
    const ea = offset === 0 ? base : `${base} + ${offset}`;
    this.emit(`a = ${ea}; if (a > ${m.len} - ${size}) ${this.trap(TRAP_MSG.oob)}`);
    return 'a';
  }

  /**
   * For a 4-byte access whose address (top of the stack) is provably aligned and, with the
   * offset, inside the memory's declared minimum size (addrFacts): pops it and returns the
   * Int32Array index expression. Such an access cannot trap, so no check is needed. Else
   * null, with the stack untouched.
   */
  private wordIndex(m: MemoryNames, offset: number): string | null {
    if (m.i32 === null || m.is64 || !LITTLE_ENDIAN_HOST || offset % 4 !== 0) return null;
    const top = this.stack[this.stack.length - 1];
    if (!top) return null;
    const f = addrFacts(top.e);
    if (f === null || f.align < 2 || f.max + offset + 4 > m.minBytes) return null;
    this.pop();
    if (/^\d+$/.test(top.e)) return String((Number(top.e) + offset) / 4);
    // `(x << 2)` is non-negative and did not overflow (addrFacts), so its word index is x.
    const inner = unparen(top.e);
    const parts = inner === null ? null : splitTopLevel(inner);
    const index = parts === null ? `${top.e} >> 2`
      : parts[1] === '<<' && parts[2] === '2' ? parts[0]
      : maskedShiftIndex(parts) ?? `${top.e} >> 2`;
    return offset === 0 ? index : `(${index}) + ${offset / 4}`;
  }

  /** The address of a two-word (i64) access, in the temporary `a`. */
  private pairAddress(m: MemoryNames, offset: number, size: number): string {
    const ea = this.effectiveAddress(m, offset, size, true, true);
    if (ea === 'a') return ea;
    this.usesTmp = true;
    this.emit(`a = ${ea};`);
    return 'a';
  }

  private load(ins: Instr, name: string): void {
    const ma = ins.memarg!;
    const m = this.env.memory(ma.mem);
    const desc = opDesc(ins.op)!;
    const ty = desc.ty, kind = desc.op;
    const size = desc.size;
    if (ty === 'i64') {
      const pa = kind === 'load' ? this.pairAddress(m, ma.offset, size) : this.effectiveAddress(m, ma.offset, size, true);
      this.pushPairStmt((lo, hi) => i64.i64LoadWords(kind, m.dv, pa, lo, hi));
      return;
    }
    const w = (kind === 'load' && (ty === 'i32' || ty === 'f32')) ? this.wordIndex(m, ma.offset) : null;
    if (w !== null) {
      this.push(ty === 'f32' ? `f32FromBits(${m.i32}[${w}])` : `${m.i32}[${w}]`, false);
      return;
    }
    const ea = this.effectiveAddress(m, ma.offset, size, ty !== 'v128');
    let e: string;
    if (ty === 'v128') e = `SIMD.${kind === 'load' ? 'load' : kind}(${m.u8}, ${ea})`;
    else if (ty === 'f32') e = `f32FromBits(${m.dv}.getInt32(${ea}, 1))`;
    else if (ty === 'f64') e = `${m.dv}.getFloat64(${ea}, 1)`;
    else {
      switch (kind) {
        case 'load': e = `${m.dv}.getInt32(${ea}, 1)`; break;
        case 'load8_s': e = `${m.dv}.getInt8(${ea})`; break;
        case 'load8_u': e = `${m.dv}.getUint8(${ea})`; break;
        case 'load16_s': e = `${m.dv}.getInt16(${ea}, 1)`; break;
        case 'load16_u': e = `${m.dv}.getUint16(${ea}, 1)`; break;
        default: throw new Error(`unknown load ${name}`);
      }
    }
    this.push(e, false);
  }

  private store(ins: Instr, name: string): void {
    const ma = ins.memarg!;
    const m = this.env.memory(ma.mem);
    const desc = opDesc(ins.op)!;
    const ty = desc.ty, kind = desc.op;
    if (ty === 'i64') {
      const p = this.popPair();
      const size = desc.size;
      const ea64 = kind === 'store' ? this.pairAddress(m, ma.offset, size) : this.effectiveAddress(m, ma.offset, size, true);
      this.emit(i64.i64Store(kind, m.dv, ea64, p));
      return;
    }
    const v = this.pop();
    const w = (kind === 'store' && (ty === 'i32' || ty === 'f32')) ? this.wordIndex(m, ma.offset) : null;
    if (w !== null) {
      this.emit(ty === 'f32' ? `${m.i32}[${w}] = f32ToBits(${v});` : `${m.i32}[${w}] = ${v};`);
      return;
    }
    const ea = this.effectiveAddress(m, ma.offset, desc.size, ty !== 'v128');
    if (ty === 'v128') this.emit(`SIMD.store(${m.u8}, ${ea}, ${v});`);
    else if (ty === 'f32') this.emit(`${m.dv}.setInt32(${ea}, f32ToBits(${v}), 1);`);
    else if (ty === 'f64') this.emit(`${m.dv}.setFloat64(${ea}, ${v}, 1);`);
    else if (kind === 'store') this.emit(`${m.dv}.setInt32(${ea}, ${v}, 1);`);
    else if (kind === 'store8') this.emit(`${m.dv}.setInt8(${ea}, ${v});`);
    else if (kind === 'store16') this.emit(`${m.dv}.setInt16(${ea}, ${v}, 1);`);
    else throw new Error(`unknown store ${name}`);
  }

  /** An address-typed operand (i32 or i64 per memory/table) as a JS number expression. */
  private addrOperand(is64: boolean): string {
    if (is64) return i64.i64ToAddress(this.popPair());
    return `(${this.pop()} >>> 0)`;
  }

  /** Pushes a number-valued expression (an address, size or -1) as an address-typed value. */
  private pushAddress(e: string, is64: boolean): void {
    if (!is64) { this.push(e, false); return; }
    this.usesQ = true;
    this.emit(`q = ${e};`);
    this.pushPairStmt((lo, hi) => i64.addressToI64Words('q', lo, hi));
  }

  // ------------------------------------------------------------------ the operator switch

  translateOperator(ins: Instr): void {
    const desc = opDesc(ins.op);
    if (!desc) throw new Error(`unknown opcode ${ins.op}`);
    if (desc.tail) this.tailCalls = true;
    if (this.reachable) {
      this.checks?.count();
      // Numeric operators, loads and stores (most instructions) go straight to their
      // translation; the large switch below is entered only for the others.
      if (desc.numeric) this.translateNamed(desc, ins);
      else this.translateOther(desc, ins);
      return;
    }
    // Dead code: skipped, tracking only block structure.
    switch (desc.kind) {
      case TK.Block: case TK.Loop: case TK.If: case TK.TryTable: case TK.Try:
        this.deadDepth++;
        return;
      case TK.End:
        if (this.deadDepth > 0) { this.deadDepth--; return; }
        break;
      case TK.Else: case TK.Catch:
        if (this.deadDepth > 0) return;
        break;
      case TK.Delegate:
        if (this.deadDepth > 0) { this.deadDepth--; return; }
        break;
      default:
        return;
    }
    this.checks?.count();
    this.translateOther(desc, ins);
  }

  /** Every instruction but the numeric ones (translateNamed), reachable or ending dead code. */
  private translateOther(desc: OpDesc, ins: Instr): void {
    const name = desc.name;
    switch (desc.kind) {
      // ------------------------------------------------------------ control
      case TK.Nop: return;
      case TK.Unreachable:
        this.emit(this.trap(TRAP_MSG.unreachable));
        this.setUnreachable();
        return;
      case TK.Block: case TK.Loop: {
        const sig = this.blockSig(ins.bt);
        this.flushAll();
        const label = this.newLabel();
        this.frames.push(newFrame(desc.kind === TK.Block ? 'block' : 'loop', label, this.stack.length - sig.params.length, sig.params, sig.results, this.out.length));
        this.emit(name === 'block' ? `${label}: {` : `${label}: for (;;) {`);
        this.indent++;
        if (name === 'loop') this.openCheckRegion();
        else this.extendBlockRun();
        return;
      }
      case TK.If: {
        const sig = this.blockSig(ins.bt);
        const c = this.popCond();
        this.flushAll();
        const label = this.newLabel();
        this.frames.push(newFrame('if', label, this.stack.length - sig.params.length, sig.params, sig.results));
        this.emit(`${label}: if (${c}) {`);
        this.indent++;
        return;
      }
      case TK.Else: {
        const f = this.frames[this.frames.length - 1];
        this.endOfArm(f);
        f.hasElse = true;
        this.indent--;
        this.emit('} else {');
        this.indent++;
        this.resetStackTo(f.height, f.params);
        this.reachable = true;
        return;
      }
      case TK.End: {
        const f = this.frames[this.frames.length - 1];
        if (f.kind === 'func') {
          // The function's final end is implicit in FuncBody; an explicit one ends it too.
          if (this.reachable) this.emitReturn();
          this.setUnreachable();
          return;
        }
        this.endBlock(f);
        return;
      }
      case TK.Br:
        this.emit(this.branchStatement(ins.idx!));
        this.setUnreachable();
        return;
      case TK.BrIf: {
        const c = this.popCond();
        const mark = this.out.length;
        this.indent++;
        const stmt = this.branchStatement(ins.idx!);
        this.indent--;
        const assigns = this.out.splice(mark);
        if (assigns.length === 0) this.emit(`if (${c}) ${stmt}`);
        else {
          this.emit(`if (${c}) {`);
          this.out.push(...assigns);
          this.emit(`  ${stmt}`);
          this.emit('}');
        }
        return;
      }
      case TK.BrTable: {
        const idx = this.pop();
        const labels = ins.labels!;
        const groups = new Map<number, number[]>();
        labels.forEach((l, i) => {
          if (l === ins.idx) return;
          const g = groups.get(l);
          if (g) g.push(i); else groups.set(l, [i]);
        });
        if (groups.size === 0) {
          this.emit(this.branchStatement(ins.idx!));
          this.setUnreachable();
          return;
        }
        this.emit(`switch (${idx}) {`);
        this.indent++;
        for (const [l, cases] of groups) {
          this.emit(cases.map((c) => `case ${c}:`).join(' '));
          this.indent++;
          this.emit(this.branchStatement(l));
          this.indent--;
        }
        this.emit('default:');
        this.indent++;
        this.emit(this.branchStatement(ins.idx!));
        this.indent -= 2;
        this.emit('}');
        this.setUnreachable();
        return;
      }
      case TK.Return:
        this.emitReturn();
        this.setUnreachable();
        return;
      case TK.Call: {
        const ft = this.env.funcType(ins.idx!);
        const args = this.popArgs(ft.params.length);
        this.pushCallResults(`${this.env.directCallee(ins.idx!)}(${args.join(', ')})`, ft.results);
        return;
      }
      case TK.CallIndirect: {
        const ft = this.env.typeAt(ins.idx!);
        const t = this.env.table(ins.idx2!);
        const i = this.addrOperand(t.is64);
        const args = this.popArgs(ft.params.length);
        this.pushCallResults(`callIndirect(${t.elems}, ${i}, ${this.env.canonicalTypeId(ins.idx!)})(${args.join(', ')})`, ft.results);
        return;
      }
      case TK.CallRef: {
        const ft = this.env.typeAt(ins.idx!);
        const f = this.popSimple();
        const args = this.popArgs(ft.params.length);
        this.emit(`if (${f} === null) ${this.trap(TRAP_MSG.nullFunc)}`);
        this.pushCallResults(`${f}(${args.join(', ')})`, ft.results);
        return;
      }
      case TK.ReturnCall: {
        // The function is trampolined (see translateFunction): a tail call stores its
        // arguments in TA and returns the TAIL sentinel to the caller's runTail loop, so the
        // JS stack does not grow.
        let ft: FuncType;
        let callee: string;
        if (name === 'return_call') {
          ft = this.env.funcType(ins.idx!);
          const args = this.popArgs(ft.params.length);
          callee = this.env.callee(ins.idx!);
          this.emitTailCall(callee, args);
        } else if (name === 'return_call_indirect') {
          ft = this.env.typeAt(ins.idx!);
          const t = this.env.table(ins.idx2!);
          const i = this.addrOperand(t.is64);
          const args = this.popArgs(ft.params.length);
          this.usesCallee = true;
          this.emit(`fn = callIndirect(${t.elems}, ${i}, ${this.env.canonicalTypeId(ins.idx!)});`);
          this.emitTailCall('fn', args);
        } else {
          ft = this.env.typeAt(ins.idx!);
          const f = this.popSimple();
          const args = this.popArgs(ft.params.length);
          this.emit(`if (${f} === null) ${this.trap(TRAP_MSG.nullFunc)}`);
          this.emitTailCall(f, args);
        }
        this.setUnreachable();
        return;
      }
      case TK.Drop:
        this.pop();
        return;
      case TK.Select: {
        const top = this.stack[this.stack.length - 2];
        if (top.hi !== undefined) {
          const c = this.popSimple();
          const b = this.popPair();
          const a = this.popPair();
          this.pushPair({ lo: `(${c} ? ${a.lo} : ${b.lo})`, hi: `(${c} ? ${a.hi} : ${b.hi})` }, true);
          return;
        }
        const c = this.popCond();
        const b = this.pop();
        const a = this.pop();
        this.push(`(${c} ? ${a} : ${b})`, true);
        return;
      }

      // ------------------------------------------------------------ variables
      case TK.LocalGet:
        this.pushLocal(ins.idx!);
        return;
      case TK.LocalSet:
        this.localSet(ins.idx!, this.popEntry());
        return;
      case TK.LocalTee: {
        this.localSet(ins.idx!, this.popEntry());
        this.pushLocal(ins.idx!);
        return;
      }
      case TK.GlobalGet:
        if (this.env.globalType(ins.idx!) === 'i64') {
          const w = this.env.globalI64Words(ins.idx!);
          this.pushPairStmt((lo, hi) => `${lo} = ${w.lo}; ${hi} = ${w.hi};`);
        } else this.push(this.env.globalGet(ins.idx!), false);
        return;
      case TK.GlobalSet:
        if (this.env.globalType(ins.idx!) === 'i64') {
          const w = this.env.globalI64Words(ins.idx!);
          const v = this.popPair();
          this.emit(`${w.lo} = ${v.lo}; ${w.hi} = ${v.hi};`);
        } else this.emit(this.env.globalSet(ins.idx!, this.pop()));
        return;

      // ------------------------------------------------------------ tables
      case TK.TableGet: {
        const t = this.env.table(ins.idx!);
        const i = this.addrOperand(t.is64);
        this.push(`tableGet(${t.elems}, ${i})`, false);
        return;
      }
      case TK.TableSet: {
        const t = this.env.table(ins.idx!);
        const v = this.pop();
        const i = this.addrOperand(t.is64);
        this.emit(`tableSet(${t.elems}, ${i}, ${v});`);
        return;
      }
      case TK.TableSize: {
        const t = this.env.table(ins.idx!);
        this.pushAddress(`${t.elems}.length`, t.is64);
        return;
      }
      case TK.TableGrow: {
        const t = this.env.table(ins.idx!);
        const n = this.addrOperand(t.is64);
        const v = this.pop();
        this.pushAddress(`tableGrow(${t.obj}, ${v}, ${n})`, t.is64);
        return;
      }
      case TK.TableFill: {
        const t = this.env.table(ins.idx!);
        const n = this.addrOperand(t.is64);
        const v = this.pop();
        const i = this.addrOperand(t.is64);
        this.emit(`tableFill(${t.elems}, ${i}, ${v}, ${n});`);
        return;
      }
      case TK.TableCopy: {
        const dt = this.env.table(ins.idx!);
        const st = this.env.table(ins.idx2!);
        const n = this.addrOperand(dt.is64 && st.is64);
        const s = this.addrOperand(st.is64);
        const d = this.addrOperand(dt.is64);
        this.emit(`tableCopy(${dt.elems}, ${st.elems}, ${d}, ${s}, ${n});`);
        return;
      }
      case TK.TableInit: {
        const t = this.env.table(ins.idx2!);
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(t.is64);
        this.emit(`tableInit(${t.elems}, ${this.env.elemSegment(ins.idx!)}, ${d}, ${s}, ${n});`);
        return;
      }
      case TK.ElemDrop:
        this.emit(this.env.dropElem(ins.idx!));
        return;

      // ------------------------------------------------------------ memory
      case TK.MemorySize: {
        const m = this.env.memory(ins.idx!);
        const pages = `(${m.len} / ${2 ** m.pageSizeLog2})`;
        this.pushAddress(m.is64 ? pages : `(${pages} | 0)`, m.is64);
        return;
      }
      case TK.MemoryGrow: {
        const m = this.env.memory(ins.idx!);
        const n = this.addrOperand(m.is64);
        this.pushAddress(`memGrow(${m.obj}, ${n})`, m.is64);
        return;
      }
      case TK.MemoryFill: {
        const m = this.env.memory(ins.idx!);
        const n = this.addrOperand(m.is64);
        const v = this.pop();
        const d = this.addrOperand(m.is64);
        this.emit(`memFill(${m.obj}, ${d}, ${v}, ${n});`);
        return;
      }
      case TK.MemoryCopy: {
        const dm = this.env.memory(ins.idx!);
        const sm = this.env.memory(ins.idx2!);
        const n = this.addrOperand(dm.is64 && sm.is64);
        const s = this.addrOperand(sm.is64);
        const d = this.addrOperand(dm.is64);
        this.emit(`memCopy(${dm.obj}, ${sm.obj}, ${d}, ${s}, ${n});`);
        return;
      }
      case TK.MemoryInit: {
        const m = this.env.memory(ins.idx2!);
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(m.is64);
        this.emit(`memInit(${m.obj}, ${this.env.dataSegment(ins.idx!)}, ${d}, ${s}, ${n});`);
        return;
      }
      case TK.DataDrop:
        this.emit(this.env.dropData(ins.idx!));
        return;

      // ------------------------------------------------------------ constants
      case TK.I32Const:
        this.push(String(ins.value as number), true);
        return;
      case TK.I64Const:
        this.pushPair(i64.i64Const(ins.value as bigint), true);
        return;
      case TK.F32Const: {
        const bits = (ins.value as number) >>> 0;
        if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) this.push(this.pool.add(`f32FromBits(${bits})`), true);
        else this.push(numberLiteral(f32Value(bits)), true);
        return;
      }
      case TK.F64Const: {
        const bits = BigInt.asUintN(64, ins.value as bigint);
        const x = f64Value(bits);
        if (Number.isNaN(x)) this.push(this.pool.add(`f64FromBits(0x${bits.toString(16)}n)`), true);
        else this.push(numberLiteral(x), true);
        return;
      }
      case TK.V128Const: {
        const b = ins.bytes!;
        const w = new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 16));
        this.push(this.pool.add(`V128(${w[0]}, ${w[1]}, ${w[2]}, ${w[3]})`), true);
        return;
      }

      // ------------------------------------------------------------ references
      case TK.RefNull:
        this.push('null', true);
        return;
      case TK.RefIsNull: {
        const v = this.pop();
        this.push(`(${v} === null ? 1 : 0)`, true, `${v} === null`);
        return;
      }
      case TK.RefFunc:
        this.push(this.env.callee(ins.idx!), true);
        return;
      case TK.RefAsNonNull: {
        const v = this.popSimple();
        this.emit(`if (${v} === null) ${this.trap(TRAP_MSG.nullRef)}`);
        this.push(v, true);
        return;
      }
      case TK.RefEq: {
        const b = this.pop();
        const a = this.pop();
        this.push(`(${a} === ${b} ? 1 : 0)`, true, `${a} === ${b}`);
        return;
      }
      case TK.BrOnNull: {
        const v = this.popSimple();
        const mark = this.out.length;
        this.indent++;
        const stmt = this.branchStatement(ins.idx!);
        this.indent--;
        const assigns = this.out.splice(mark);
        this.emit(`if (${v} === null) {`);
        this.out.push(...assigns);
        this.emit(`  ${stmt}`);
        this.emit('}');
        this.push(v, true);
        return;
      }
      case TK.BrOnNonNull: {
        const v = this.popSimple();
        this.push(v, true);
        const mark = this.out.length;
        this.indent++;
        const stmt = this.branchStatement(ins.idx!);
        this.indent--;
        const assigns = this.out.splice(mark);
        this.pop();
        this.emit(`if (${v} !== null) {`);
        this.out.push(...assigns);
        this.emit(`  ${stmt}`);
        this.emit('}');
        return;
      }

      // ------------------------------------------------------------ exceptions
      case TK.Throw: {
        const ft = this.env.typeAt(this.tagTypeIdx(ins.idx!));
        const args = this.popN(ft.params.length);
        // Arguments, not an array literal: a literal of numbers may become a double array,
        // which quiets signalling NaNs.
        this.emit(`throwException(${[this.env.tag(ins.idx!), ...args].join(', ')});`);
        this.setUnreachable();
        return;
      }
      case TK.ThrowRef: {
        const v = this.popSimple();
        this.emit(`if (${v} === null) ${this.trap(TRAP_MSG.nullRef)}`);
        this.emit(`throw ${v};`);
        this.setUnreachable();
        return;
      }
      case TK.TryTable: {
        this.tryTable(ins);
        return;
      }
      case TK.Try: {
        const sig = this.blockSig(ins.bt);
        this.flushAll();
        const label = this.newLabel();
        const exnVar = `x${this.exnCounter++}`;
        this.frames.push(newFrame('try', label, this.stack.length - sig.params.length, sig.params, sig.results, -1, exnVar));
        this.emit(`${label}: try {`);
        this.indent++;
        return;
      }
      case TK.Catch: {
        const f = this.frames[this.frames.length - 1];
        this.endOfArm(f);
        this.indent--;
        if (!f.inCatch) {
          // The first clause opens the JS catch; later clauses chain as else-ifs.
          this.emit(`} catch (${f.exnVar}_) {`);
          this.indent++;
          this.emitCatchPrologue(f.exnVar);
          f.inCatch = true;
          this.emit(name === 'catch' ? `if (${f.exnVar}.tag === ${this.env.tag(ins.idx!)}) {` : '{');
        } else {
          this.emit(name === 'catch' ? `} else if (${f.exnVar}.tag === ${this.env.tag(ins.idx!)}) {` : '} else {');
        }
        if (name === 'catch_all') f.hasCatchAll = true;
        this.indent++;
        this.resetStackTo(f.height, []);
        if (name === 'catch') {
          const ft = this.env.typeAt(this.tagTypeIdx(ins.idx!));
          ft.params.forEach((t, i) => {
            if (t === 'i64') this.pushPairCall(i64.i64UnboxCall(`${f.exnVar}.payload[${i}]`));
            else this.push(`${f.exnVar}.payload[${i}]`, false);
          });
        }
        this.reachable = true;
        return;
      }
      case TK.Rethrow: {
        const f = this.frames[this.frames.length - 1 - ins.idx!];
        this.emit(`throw ${f.exnVar};`);
        this.setUnreachable();
        return;
      }
      case TK.Delegate: {
        // try ... delegate l: an exception leaving the body is rethrown as if from the
        // block at label l (counted from outside this try): the handlers of the try blocks
        // in between must not see it. Every try/try_table here has a JS catch that first
        // skips `dg` pending handlers, so the delegate sets dg to the number in between.
        const f = this.frames[this.frames.length - 1];
        this.endOfArm(f);
        this.frames.pop();
        const targetIdx = this.frames.length - 1 - ins.idx!;
        let skip = 0;
        for (let k = targetIdx + 1; k < this.frames.length; k++) {
          if (this.frames[k].kind === 'try' || this.frames[k].kind === 'try_table') skip++;
        }
        this.indent--;
        this.emit(`} catch (${f.exnVar}_) {`);
        this.emit(`  if (dg > 0) { dg--; throw ${f.exnVar}_; }`);
        this.emit(`  dg = ${skip}; throw wrapTrap(${f.exnVar}_);`);
        this.emit('}');
        this.afterBlock(f);
        return;
      }
    }
    this.translateNamed(desc, ins);
  }

  /** First statements of every JS catch generated for try/try_table. */
  private emitCatchPrologue(x: string): void {
    this.emit(`if (dg > 0) { dg--; throw ${x}_; }`);
    this.emit(`${x} = wrapTrap(${x}_);`);
    this.emit(`if (isTrap(${x})) throw ${x};`);
  }

  private tagTypeIdx(tag: number): number {
    const m = this.env.module;
    let k = 0;
    for (const imp of m.imports) {
      if (imp.desc.kind === 'tag') {
        if (k === tag) return imp.desc.type.typeIdx;
        k++;
      }
    }
    return m.tags[tag - k].typeIdx;
  }

  private tryTable(ins: Instr): void {
    const sig = this.blockSig(ins.bt);
    this.flushAll();
    const label = this.newLabel();
    const exnVar = `x${this.exnCounter++}`;
    const height = this.stack.length - sig.params.length;
    // Branch targets of the catch clauses are resolved relative to the enclosing frames,
    // i.e. before this frame is pushed.
    const handlers: string[] = [];
    for (const c of ins.catches ?? []) {
      const target = this.frames[this.frames.length - 1 - c.label];
      // Build the values pushed for this clause on a scratch stack.
      const saved = this.stack;
      const savedOut = this.out;
      const savedIndent = this.indent;
      this.stack = saved.slice(0, height);
      this.out = [];
      this.indent = 0;
      if (c.kind === CatchKind.Catch || c.kind === CatchKind.CatchRef) {
        const ft = this.env.typeAt(this.tagTypeIdx(c.tag!));
        ft.params.forEach((t, i) => {
          const v = `${exnVar}.payload[${i}]`;
          if (t === 'i64') {
            const p = i64.i64UnboxPure(v);
            this.stack.push(entry(p.lo, p.hi, true, undefined));
          } else this.stack.push(entry(v, undefined, true, undefined));
        });
      }
      if (c.kind === CatchKind.CatchRef || c.kind === CatchKind.CatchAllRef) this.stack.push(entry(exnVar, undefined, true, undefined));
      const stmt = target.kind === 'func' ? this.returnStatement() : this.branchStatement(c.label);
      const body = [...this.out.map((l) => l.trim()), stmt].join(' ');
      this.stack = saved;
      this.out = savedOut;
      this.indent = savedIndent;
      const cond = c.kind === CatchKind.Catch || c.kind === CatchKind.CatchRef ? `${exnVar}.tag === ${this.env.tag(c.tag!)}` : 'true';
      handlers.push(`if (${cond}) { ${body} }`);
    }
    this.frames.push(newFrame('try_table', label, height, sig.params, sig.results, -1, exnVar, handlers));
    // The try_table block: the body runs in a JS try; the catch dispatches to clause targets.
    this.emit(`${label}: {`);
    this.indent++;
    this.emit('try {');
    this.indent++;
  }

  /** At else/catch/end of a block arm: moves the arm's results into the block's slots. */
  private endOfArm(f: Frame): void {
    if (!this.reachable) return;
    f.armFallsThrough = true;
    this.moveTopTo(f.height, f.results.length);
    if (f.kind === 'try_table' || f.kind === 'try') {
      // Leaving the protected region normally: break out of the whole construct.
      this.emit(`break ${f.label};`);
      f.branched = true;
    }
  }

  private resetStackTo(height: number, types: readonly ValType[]): void {
    this.stack.length = height;
    for (let i = 0; i < types.length; i++) {
      const s = this.slot(height + i);
      if (types[i] === 'i64') this.stack.push(entry(s, this.hiSlot(height + i), false, undefined));
      else this.stack.push(entry(s, undefined, false, undefined));
    }
  }

  /**
   * The block just opened (top frame) continues a run of blocks each opened first thing in
   * the one before. At CHAIN_MIN blocks the run becomes a block chain: their openers are
   * replaced by
   *     kC = 0;  LC: for (;;) {  switch (kC) {  case 0:
   * the end of the chain's block i is `case i:` (so falling out of a block falls into the
   * code after it), a branch to it is `{ kC = i; continue LC; }`, and the end of the
   * outermost closes the switch and leaves the loop. Every block of the chain is then at
   * the switch's top level, however long the chain.
   */
  private extendBlockRun(): void {
    const n = this.frames.length;
    const f = this.frames[n - 1];
    const prev = this.frames[n - 2];
    f.run = 1;
    if (prev.kind !== 'block' || prev.openLine < 0 || f.openLine !== prev.openLine + 1) return;
    f.run = prev.run + 1;
    if (prev.chain >= 0) {
      f.chain = prev.chain;
      f.chainCase = prev.chainCase + 1;
      this.out[f.openLine] = '';
      return;
    }
    if (f.run < CHAIN_MIN) return;
    const c = this.chains.length;
    const chain = { v: `k${c}`, label: this.newLabel() };
    this.chains.push(chain);
    const base = n - CHAIN_MIN;
    for (let j = 0; j < CHAIN_MIN; j++) {
      const g = this.frames[base + j];
      g.chain = c;
      g.chainCase = j + 1;
      this.out[g.openLine] = '';
    }
    // The run's openers are CHAIN_MIN consecutive lines: room for the chain's four.
    const at = this.frames[base].openLine;
    this.out[at] = `${chain.v} = 0;`;
    this.out[at + 1] = `${chain.label}: for (;;) {`;
    this.out[at + 2] = `switch (${chain.v}) {`;
    this.out[at + 3] = 'case 0:';
  }

  private endBlock(f: Frame): void {
    if (f.chain >= 0) {
      this.endOfArm(f);
      this.indent--;
      this.emit(`case ${f.chainCase}:`);
      if (f.chainCase === 1) {
        this.emit('}');
        this.emit(`break ${this.chains[f.chain].label};`);
        this.emit('}');
      }
      this.frames.pop();
      this.afterBlock(f);
      return;
    }
    if (f.kind === 'loop') this.checks?.close(this.out);
    this.endOfArm(f);
    if ((f.kind === 'block' || f.kind === 'loop') && !f.branched && f.openLine >= 0) {
      // No branch targets it: its body runs straight through, so it needs no JS block or
      // loop. Besides shorter code, this keeps the JS nesting depth down: V8's parser recurses
      // once per nested statement and overflows its stack at about 2,500 levels.
      this.out[f.openLine] = '';
      this.indent--;
      this.frames.pop();
      this.afterBlock(f);
      return;
    }
    if (f.kind === 'loop' && this.reachable) this.emit(`break ${f.label};`);
    this.indent--;
    if (f.kind === 'try_table') {
      this.emit(`} catch (${f.exnVar}_) {`);
      this.indent++;
      this.emitCatchPrologue(f.exnVar);
      for (const h of f.handlers) this.emit(h);
      this.emit(`throw ${f.exnVar};`);
      this.indent -= 2;
      this.emit('}');
      this.emit('}');
    } else if (f.kind === 'try') {
      if (f.inCatch) {
        this.emit(f.hasCatchAll ? '}' : `} else throw ${f.exnVar};`);
        this.indent--;
        this.emit('}');
      } else {
        // No clauses: still a JS catch, so delegate's handler counting stays exact.
        this.emit(`} catch (${f.exnVar}_) {`);
        this.emit(`  if (dg > 0) { dg--; } throw ${f.exnVar}_;`);
        this.emit('}');
      }
    } else {
      this.emit('}');
    }
    this.frames.pop();
    this.afterBlock(f);
  }

  private afterBlock(f: Frame): void {
    const endReachable = this.reachable || f.armFallsThrough || (f.kind !== 'loop' && f.branched) || (f.kind === 'if' && !f.hasElse) || f.kind === 'try' || f.kind === 'try_table';
    this.resetStackTo(f.height, f.results);
    this.reachable = endReachable;
  }

  // ------------------------------------------------------------------ numeric operators

  private translateNamed(desc: OpDesc, ins: Instr): void {
    const name = desc.name;
    if (desc.mem !== null) {
      if (desc.mem === 'load') return this.load(ins, name);
      return this.store(ins, name);
    }
    const ty = desc.ty;
    const op = desc.op;
    switch (ty) {
      case 'i32': if (this.i32Op(op)) return; break;
      case 'i64': if (this.i64Op(op)) return; break;
      case 'f32': if (this.floatOp(op, true)) return; break;
      case 'f64': if (this.floatOp(op, false)) return; break;
    }
    if (this.gcOp(name, ins)) return;
    if (this.simdOp(name, ins)) return;
    // Not supported yet: fails when executed, not when translated.
    this.emit(`unsupported(${JSON.stringify(name)});`);
    this.setUnreachable();
  }

  private binary(f: (a: string, b: string) => string, cond?: (a: string, b: string) => string): void {
    const b = this.pop();
    const a = this.pop();
    this.push(f(a, b), true, cond?.(a, b));
  }
  private unary(f: (a: string) => string, cond?: (a: string) => string): void {
    const a = this.pop();
    this.push(f(a), true, cond?.(a));
  }
  private compare(op: string): void {
    const b = this.pop();
    const a = this.pop();
    const c = `${a} ${op} ${b}`;
    this.push(`(${c} ? 1 : 0)`, true, c);
  }

  /**
   * i32.add / i32.sub. In the 'interpreter' profile, where every `| 0` is one more bytecode
   * to dispatch, a sum of sums is one JS sum truncated once: `(a + b + c | 0)`, not
   * `((a + b | 0) + c | 0)`. Both give the same int32 as long as the untruncated sum is exact,
   * which holds for up to 2^21 int32 terms (|sum| < 2^52); MAX_SUM_TERMS stays far below.
   */
  private addSub(op: '+' | '-'): void {
    const b = this.pop();
    const a = this.pop();
    if (this.env.profile !== 'interpreter') {
      this.push(`(${a} ${op} ${b} | 0)`, true);
      return;
    }
    const sa = this.sums.get(a), sb = this.sums.get(b);
    const terms = (sa?.terms ?? 1) + (sb?.terms ?? 1);
    if (terms > MAX_SUM_TERMS) {
      this.push(`(${a} ${op} ${b} | 0)`, true);
      return;
    }
    const inner = `${sa ? sa.inner : a} ${op} ${sb ? `(${sb.inner})` : b}`;
    const e = `(${inner} | 0)`;
    this.sums.set(e, { inner, terms });
    this.push(e, true);
  }

  /** An i32 operand of an operator that applies ToInt32/ToUint32 itself: a tracked sum
   *  without its `| 0` (see addSub). */
  private truncatedOperand(e: string): string {
    const s = this.sums.get(e);
    return s ? `(${s.inner})` : e;
  }

  /** Bitwise i32 operator: both operands are converted with ToInt32/ToUint32 by JS. */
  private bitwise(f: (a: string, b: string) => string): void {
    const b = this.truncatedOperand(this.pop());
    const a = this.truncatedOperand(this.pop());
    this.push(f(a, b), true);
  }

  private i32Op(op: string): boolean {
    switch (op) {
      case 'add': this.addSub('+'); return true;
      case 'sub': this.addSub('-'); return true;
      case 'mul': this.binary((a, b) => `imul(${a}, ${b})`); return true;
      case 'and': this.bitwise((a, b) => `(${a} & ${b})`); return true;
      case 'or': this.bitwise((a, b) => `(${a} | ${b})`); return true;
      case 'xor': this.bitwise((a, b) => `(${a} ^ ${b})`); return true;
      case 'shl': this.bitwise((a, b) => `(${a} << ${b})`); return true;
      case 'shr_s': this.bitwise((a, b) => `(${a} >> ${b})`); return true;
      // A shift by a constant 1..31 leaves a non-negative int32: no `| 0` needed. Only in
      // the 'interpreter' profile, where it saves a bytecode; TurboFan types both the same.
      case 'shr_u': this.bitwise((a, b) => (this.env.profile === 'interpreter' && /^-?\d+$/.test(b) && (Number(b) & 31) !== 0 ? `(${a} >>> ${Number(b) & 31})` : `(${a} >>> ${b} | 0)`)); return true;
      case 'rotl': case 'rotr': {
        // Inline: helper calls are not inlined into large functions by TurboFan.
        const b = this.popSimple();
        const a = this.popSimple();
        if (/^-?\d+$/.test(b)) {
          const k = op === 'rotl' ? Number(b) & 31 : -Number(b) & 31;
          this.push(k === 0 ? a : `(${a} << ${k} | ${a} >>> ${32 - k})`, true);
        } else if (op === 'rotl') this.push(`(${a} << ${b} | ${a} >>> (32 - ${b}))`, true);
        else this.push(`(${a} >>> ${b} | ${a} << (32 - ${b}))`, true);
        return true;
      }
      case 'div_s': case 'div_u': case 'rem_s': case 'rem_u': {
        const b = this.popSimple();
        const a = this.popSimple();
        this.emit(`if (${b} === 0) ${this.trap('integer divide by zero')}`);
        if (op === 'div_s') this.emit(`if (${b} === -1 && ${a} === -2147483648) ${this.trap('integer overflow')}`);
        const e = op === 'div_s' ? `(${a} / ${b} | 0)` : op === 'rem_s' ? `(${a} % ${b} | 0)`
          : op === 'div_u' ? `(${asU32(a)} / ${asU32(b)} | 0)` : `(${asU32(a)} % ${asU32(b)} | 0)`;
        this.push(e, false);
        return true;
      }
      case 'eqz': this.unary((a) => `(${a} === 0 ? 1 : 0)`, (a) => `${a} === 0`); return true;
      case 'eq': this.compare('==='); return true;
      case 'ne': this.compare('!=='); return true;
      case 'lt_s': this.compare('<'); return true;
      case 'gt_s': this.compare('>'); return true;
      case 'le_s': this.compare('<='); return true;
      case 'ge_s': this.compare('>='); return true;
      case 'lt_u': case 'gt_u': case 'le_u': case 'ge_u': {
        const o = { lt_u: '<', gt_u: '>', le_u: '<=', ge_u: '>=' }[op];
        const b = this.pop();
        const a = this.pop();
        const c = `${asU32(a)} ${o} ${asU32(b)}`;
        this.push(`(${c} ? 1 : 0)`, true, c);
        return true;
      }
      case 'clz': this.unary((a) => `clz32(${a})`); return true;
      case 'ctz': this.unary((a) => `ctz32(${a})`); return true;
      case 'popcnt': this.unary((a) => `popcnt32(${a})`); return true;
      case 'extend8_s': this.unary((a) => `(${a} << 24 >> 24)`); return true;
      case 'extend16_s': this.unary((a) => `(${a} << 16 >> 16)`); return true;
      case 'wrap_i64': this.push(i64.i32WrapI64(this.popPair()), true); return true;
      case 'trunc_f32_s': case 'trunc_f64_s': this.push(`truncI32S(${this.pop()})`, false); return true;
      case 'trunc_f32_u': case 'trunc_f64_u': this.push(`truncI32U(${this.pop()})`, false); return true;
      case 'trunc_sat_f32_s': case 'trunc_sat_f64_s': this.unary((a) => `truncSatI32S(${a})`); return true;
      case 'trunc_sat_f32_u': case 'trunc_sat_f64_u': this.unary((a) => `truncSatI32U(${a})`); return true;
      case 'reinterpret_f32': this.unary((a) => `f32ToBits(${a})`); return true;
      default: return false;
    }
  }

  private i64Op(op: string): boolean {
    switch (op) {
      case 'add': case 'sub': case 'mul': case 'and': case 'or': case 'xor':
      case 'shl': case 'shr_s': case 'shr_u': case 'rotl': case 'rotr': {
        if (op === 'mul' && this.env.profile === 'interpreter') {
          // Under Ignition every Math.imul is a call: compute the low product once, for
          // both words. (TurboFan shares the repeated product by itself.)
          const b = this.popPairSimple();
          const a = this.popPairSimple();
          this.usesQ = true;
          this.pushPairStmt((lo, hi) => `q = imul(${a.lo}, ${b.lo}); ${hi} = ${i64.i64MulHigh(a, b, 'q')}; ${lo} = q;`);
          return true;
        }
        const simple = i64.i64BinaryNeedsSimple(op);
        const b = simple ? this.popPairSimple() : this.popPair();
        const a = simple ? this.popPairSimple() : this.popPair();
        const r = i64.i64Binary(op, a, b);
        if (r !== null) this.pushPair(r, true);
        else this.pushPairCall(i64.i64ShiftCall(op, a, b.lo));
        return true;
      }
      case 'eq': case 'ne': case 'lt_s': case 'gt_s': case 'le_s': case 'ge_s':
      case 'lt_u': case 'gt_u': case 'le_u': case 'ge_u': {
        const b = this.popPairSimple();
        const a = this.popPairSimple();
        const c = i64.i64Compare(op, a, b)!;
        this.push(`(${c} ? 1 : 0)`, true, c);
        return true;
      }
      case 'eqz': {
        const c = i64.i64Eqz(this.popPair());
        this.push(`(${c} ? 1 : 0)`, true, c);
        return true;
      }
      case 'clz': case 'ctz': case 'popcnt': case 'extend8_s': case 'extend16_s': case 'extend32_s': {
        const a = op === 'popcnt' ? this.popPair() : this.popPairSimple();
        this.pushPair(i64.i64Unary(op, a)!, true);
        return true;
      }
      case 'div_s': case 'div_u': case 'rem_s': case 'rem_u': {
        const b = this.popPair();
        const a = this.popPair();
        this.pushPairCall(i64.i64DivRemCall(op, a, b));
        return true;
      }
      case 'extend_i32_s': this.pushPair(i64.i64ExtendI32S(this.popSimple()), true); return true;
      case 'extend_i32_u': this.pushPair(i64.i64ExtendI32U(this.pop()), true); return true;
      case 'trunc_f32_s': case 'trunc_f64_s': this.pushPairCall(i64.i64TruncCall(this.pop(), true, false)); return true;
      case 'trunc_f32_u': case 'trunc_f64_u': this.pushPairCall(i64.i64TruncCall(this.pop(), false, false)); return true;
      case 'trunc_sat_f32_s': case 'trunc_sat_f64_s': this.pushPairCall(i64.i64TruncCall(this.pop(), true, true)); return true;
      case 'trunc_sat_f32_u': case 'trunc_sat_f64_u': this.pushPairCall(i64.i64TruncCall(this.pop(), false, true)); return true;
      case 'reinterpret_f64': this.pushPairCall(i64.i64ReinterpretF64Call(this.pop())); return true;
      default: return false;
    }
  }

  private floatOp(op: string, f32: boolean): boolean {
    const r = (e: string): string => (f32 ? `fround(${e})` : `(${e})`);
    switch (op) {
      case 'add': this.binary((a, b) => r(`${a} + ${b}`)); return true;
      case 'sub': this.binary((a, b) => r(`${a} - ${b}`)); return true;
      case 'mul': this.binary((a, b) => r(`${a} * ${b}`)); return true;
      case 'div': this.binary((a, b) => r(`${a} / ${b}`)); return true;
      case 'min': this.binary((a, b) => (f32 ? `fround(fmin(${a}, ${b}))` : `fmin(${a}, ${b})`)); return true;
      case 'max': this.binary((a, b) => (f32 ? `fround(fmax(${a}, ${b}))` : `fmax(${a}, ${b})`)); return true;
      case 'copysign': this.binary((a, b) => `${f32 ? 'f32' : 'f64'}copysign(${a}, ${b})`); return true;
      case 'abs': this.unary((a) => `${f32 ? 'f32' : 'f64'}abs(${a})`); return true;
      case 'neg': this.unary((a) => `${f32 ? 'f32' : 'f64'}neg(${a})`); return true;
      case 'sqrt': this.unary((a) => r(`sqrt(${a})`)); return true;
      case 'ceil': this.unary((a) => r(`fceil(${a})`)); return true;
      case 'floor': this.unary((a) => r(`ffloor(${a})`)); return true;
      case 'trunc': this.unary((a) => r(`ftrunc(${a})`)); return true;
      case 'nearest': this.unary((a) => r(`nearest(${a})`)); return true;
      case 'eq': this.compare('==='); return true;
      case 'ne': this.compare('!=='); return true;
      case 'lt': this.compare('<'); return true;
      case 'gt': this.compare('>'); return true;
      case 'le': this.compare('<='); return true;
      case 'ge': this.compare('>='); return true;
      case 'convert_i32_s': this.unary((a) => (f32 ? `fround(${a})` : `(+${a})`)); return true;
      case 'convert_i32_u': this.unary((a) => (f32 ? `fround(${a} >>> 0)` : `(${a} >>> 0)`)); return true;
      case 'convert_i64_s': this.push((f32 ? i64.f32ConvertI64S : i64.f64ConvertI64S)(this.popPair()), true); return true;
      case 'convert_i64_u': this.push((f32 ? i64.f32ConvertI64U : i64.f64ConvertI64U)(this.popPair()), true); return true;
      case 'demote_f64': this.unary((a) => `fround(${a})`); return true;
      case 'promote_f32': this.unary((a) => `(+${a})`); return true;
      case 'reinterpret_i32': this.unary((a) => `f32FromBits(${a})`); return true;
      case 'reinterpret_i64': this.push(i64.f64ReinterpretI64(this.popPair()), true); return true;
      default: return false;
    }
  }


  // ------------------------------------------------------------------ GC (runtime/gc.ts)

  private compositeAt(t: number): CompositeType {
    return this.env.module.types[t].comp;
  }

  /** A predicate for one target type, built once per instance (runtime/gc.ts refTestFn). */
  private refTestFn(h: HeapType, nullable: boolean): string {
    return this.pool.add(`refTestFn(${this.heapLiteral(h)}, ${nullable})`);
  }

  private heapLiteral(h: HeapType): string {
    return typeof h === 'number' ? String(this.env.canonicalTypeId(h)) : JSON.stringify(h);
  }

  /** Conditional branch keeping the top value on the stack (br_on_cast and friends). */
  private condBranchKeep(cond: string, depth: number): void {
    const mark = this.out.length;
    this.indent++;
    const stmt = this.branchStatement(depth);
    this.indent--;
    const assigns = this.out.splice(mark);
    this.emit(`if (${cond}) {`);
    this.out.push(...assigns);
    this.emit(`  ${stmt}`);
    this.emit('}');
  }

  private gcOp(name: string, ins: Instr): boolean {
    switch (name) {
      case 'struct.new': case 'struct.new_default': {
        const st = this.compositeAt(ins.idx!) as StructType;
        const id = this.env.canonicalTypeId(ins.idx!);
        // The type's own allocator (runtime/gc.ts structLayout), bound once per instance: named
        // parameters straight into the fields (packed ones are wrapped there).
        if (name === 'struct.new_default') {
          this.push(`${this.pool.add(`structLayout(${id}).createDefault`)}()`, false);
          return true;
        }
        const args = this.popN(st.fields.length);
        this.push(`${this.pool.add(`structLayout(${id}).create`)}(${args.join(', ')})`, false);
        return true;
      }
      case 'struct.get': case 'struct.get_s': case 'struct.get_u': {
        const st = this.compositeAt(ins.idx!) as StructType;
        const ft = st.fields[ins.idx2!].type;
        const r = this.pop();
        // Field i is the property f<i>; packed fields are stored sign-extended.
        if (ft === 'i64') this.pushPairCall(i64.i64UnboxCall(`structRef(${r}).f${ins.idx2}`));
        else this.push(packedRead(`structRef(${r}).f${ins.idx2}`, ft, name.endsWith('_u')), false);
        return true;
      }
      case 'struct.set': {
        const st = this.compositeAt(ins.idx!) as StructType;
        const ft = st.fields[ins.idx2!].type;
        const v = this.popBoxed();
        const r = this.pop();
        const packed = ft === 'i8' ? `(${v} << 24 >> 24)` : ft === 'i16' ? `(${v} << 16 >> 16)` : v;
        this.emit(`structRef(${r}).f${ins.idx2} = ${packed};`);
        return true;
      }
      case 'array.new': case 'array.new_default': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const n = this.addrOperand(false);
        const init = name === 'array.new' ? this.popBoxed() : this.defaultValue(unpacked(at.field.type));
        this.push(`arrayNew(${this.env.canonicalTypeId(ins.idx!)}, ${JSON.stringify(elemKindOf(at.field.type))}, ${init}, ${n})`, false);
        return true;
      }
      case 'array.new_fixed': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const args = this.popN(ins.idx2!);
        this.push(`arrayFixed(${[String(this.env.canonicalTypeId(ins.idx!)), JSON.stringify(elemKindOf(at.field.type)), ...args].join(', ')})`, false);
        return true;
      }
      case 'array.new_data': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        this.push(`arrayNewData(${this.env.canonicalTypeId(ins.idx!)}, ${JSON.stringify(elemKindOf(at.field.type))}, ${this.env.dataSegment(ins.idx2!)}, ${s}, ${n})`, false);
        return true;
      }
      case 'array.new_elem': {
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        this.push(`arrayNewElem(${this.env.canonicalTypeId(ins.idx!)}, ${this.env.elemSegment(ins.idx2!)}, ${s}, ${n})`, false);
        return true;
      }
      case 'array.get': case 'array.get_s': case 'array.get_u': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const i = this.addrOperand(false);
        const a = this.pop();
        const e = `arrayGet(${a}, ${i})`;
        if (at.field.type === 'i64') this.pushPairCall(i64.i64UnboxCall(e));
        else this.push(name === 'array.get_u' ? packedRead(e, at.field.type, true) : e, false);
        return true;
      }
      case 'array.set': {
        const v = this.popBoxed();
        const i = this.addrOperand(false);
        const a = this.pop();
        this.emit(`arraySet(${a}, ${i}, ${v});`);
        return true;
      }
      case 'array.len':
        this.push(`arrayLen(${this.pop()})`, false);
        return true;
      case 'array.fill': {
        const n = this.addrOperand(false);
        const v = this.popBoxed();
        const i = this.addrOperand(false);
        const a = this.pop();
        this.emit(`arrayFill(${a}, ${i}, ${v}, ${n});`);
        return true;
      }
      case 'array.copy': {
        const n = this.addrOperand(false);
        const si = this.addrOperand(false);
        const sa = this.pop();
        const di = this.addrOperand(false);
        const da = this.pop();
        this.emit(`arrayCopy(${da}, ${di}, ${sa}, ${si}, ${n});`);
        return true;
      }
      case 'array.init_data': {
        const at = this.compositeAt(ins.idx!) as ArrayType;
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(false);
        const a = this.pop();
        this.emit(`arrayInitData(${a}, ${JSON.stringify(elemKindOf(at.field.type))}, ${this.env.dataSegment(ins.idx2!)}, ${d}, ${s}, ${n});`);
        return true;
      }
      case 'array.init_elem': {
        const n = this.addrOperand(false);
        const s = this.addrOperand(false);
        const d = this.addrOperand(false);
        const a = this.pop();
        this.emit(`arrayInitElem(${a}, ${this.env.elemSegment(ins.idx2!)}, ${d}, ${s}, ${n});`);
        return true;
      }
      case 'ref.i31':
        this.unary((a) => `(${a} << 1 >> 1)`);
        return true;
      case 'i31.get_s':
        this.push(`i31(${this.pop()})`, false);
        return true;
      case 'i31.get_u':
        this.push(`(i31(${this.pop()}) & 0x7fffffff)`, false);
        return true;
      case 'any.convert_extern':
        this.push(`internalize(${this.pop()})`, false);
        return true;
      case 'extern.convert_any':
        this.push(`externalize(${this.pop()})`, false);
        return true;
      case 'ref.test': case 'ref.test_null': {
        const v = this.pop();
        const c = `${this.refTestFn(ins.heap!, name.endsWith('_null'))}(${v})`;
        this.push(`(${c} ? 1 : 0)`, false);
        return true;
      }
      case 'ref.cast': case 'ref.cast_null': {
        const v = this.pop();
        this.push(`refCast(${v}, ${this.heapLiteral(ins.heap!)}, ${name.endsWith('_null')})`, false);
        return true;
      }
      case 'br_on_cast': case 'br_on_cast_fail': {
        const rt2 = ins.types![1] as RefType;
        const d = this.stack.length - 1;
        this.materialize(d);
        const v = this.stack[d].e;
        const test = `${this.refTestFn(rt2.heap, rt2.nullable)}(${v})`;
        this.condBranchKeep(name === 'br_on_cast' ? test : `!${test}`, ins.idx!);
        return true;
      }
      default:
        return false;
    }
  }

  // ------------------------------------------------------------------ SIMD (runtime/simd.ts)

  private simdOp(name: string, ins: Instr): boolean {
    const info = opByCode.get(ins.op)!;
    if (info.prefix !== 0xfd) return false;
    const fn = `SIMD.${name.replace(/^v128\./, 'v128_').replace(/\./g, '_')}`;
    if (name.endsWith('_lane') && (name.startsWith('v128.load') || name.startsWith('v128.store'))) {
      // Loads/stores with a lane immediate.
      const m = this.env.memory(ins.memarg!.mem);
      const [, kind] = name.split('.');
      const size = laneAccessSize(kind);
      const v = this.popBoxed();
      const ea = this.effectiveAddress(m, ins.memarg!.offset, size);
      if (kind.startsWith('store')) this.emit(`SIMD.${kind}(${m.u8}, ${ea}, ${v}, ${ins.lane});`);
      else this.push(`SIMD.${kind}(${m.u8}, ${ea}, ${v}, ${ins.lane})`, false);
      return true;
    }
    if (name === 'i8x16.shuffle') {
      const lanes = this.pool.add(`new Uint8Array([${Array.from(ins.bytes!).join(', ')}])`);
      const b = this.pop();
      const a = this.pop();
      this.push(`${fn}(${a}, ${b}, ${lanes})`, false);
      return true;
    }
    if (!info.sig) return false;
    const n = info.sig.split('>')[0].length;
    const args = this.popN(n);
    if (name.includes('_lane')) args.push(String(ins.lane)); // extract_lane(_s/_u), replace_lane
    // SIMD helpers allocate and may throw on bugs; keep them as statements in order.
    if (name === 'i64x2.extract_lane') this.pushPairCall(i64.i64UnboxCall(`${fn}(${args.join(', ')})`));
    else this.push(`${fn}(${args.join(', ')})`, false);
    return true;
  }
}

function unpacked(t: StorageType): ValType {
  return t === 'i8' || t === 'i16' ? 'i32' : t;
}

function elemKindOf(t: StorageType): string {
  return typeof t === 'object' ? 'ref' : t;
}

/** Reads a (possibly packed) field value: packed fields hold an i32 masked on read. */
function packedRead(e: string, t: StorageType, unsigned: boolean): string {
  if (t === 'i8') return unsigned ? `(${e} & 0xff)` : `(${e} << 24 >> 24)`;
  if (t === 'i16') return unsigned ? `(${e} & 0xffff)` : `(${e} << 16 >> 16)`;
  return e;
}

/** The return-area slot for result i (i >= 1) of type t. */
export function returnSlot(t: ValType, i: number): string {
  switch (t) {
    case 'i32': return `rI32[${2 * i}]`;
    case 'i64': return `rI64[${i}]`;
    case 'f32': case 'f64': return `rF64[${i}]`;
    default: return `rRef[${i}]`;
  }
}

const ACCESS_SIZE = new Map<string, number>();
function accessSize(kind: string, ty: string): number {
  const key = `${ty}.${kind}`;
  let n = ACCESS_SIZE.get(key);
  if (n === undefined) {
    n = computeAccessSize(kind, ty);
    ACCESS_SIZE.set(key, n);
  }
  return n;
}

function computeAccessSize(kind: string, ty: string): number {
  const m = /(8|16|32|64)/.exec(kind.replace(/^load|^store/, ''));
  if (m && !/x/.test(kind) && !/splat|zero/.test(kind)) return Number(m[1]) / 8;
  if (/x/.test(kind)) return 8; // load8x8 etc.
  if (/splat|zero/.test(kind)) return Number(/(8|16|32|64)/.exec(kind)![1]) / 8;
  switch (ty) {
    case 'i32': case 'f32': return 4;
    case 'i64': case 'f64': return 8;
    case 'v128': return 16;
  }
  return 0;
}

function laneAccessSize(kind: string): number {
  return Number(/(8|16|32|64)/.exec(kind)![1]) / 8;
}

const cvt = new DataView(new ArrayBuffer(8));
function f32Value(bits: number): number {
  cvt.setUint32(0, bits);
  return cvt.getFloat32(0);
}
function f64Value(bits: bigint): number {
  cvt.setBigUint64(0, bits);
  return cvt.getFloat64(0);
}

export type { FuncType };
