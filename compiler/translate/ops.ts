// The translator's view of each opcode: its name split into type and operation, whether it
// is a plain load or store and of how many bytes, and which case of FuncTranslator's
// operator switch handles it. Computed once per opcode from compiler/opcodes.ts.

import { opByCode, PREFIX_ATOMIC, PREFIX_GC, PREFIX_SIMD, OpClass, type OpInfo } from '../opcodes';

/** What the translator needs from an opcode's name, parsed once per opcode (not per
 *  instruction: name parsing with regexes was a measurable part of translation time). */
export interface OpDesc {
  readonly name: string;
  /** Type prefix and operation (`i32`, `add`) split at the first dot ('' when none). */
  readonly ty: string;
  readonly op: string;
  /** A plain memory load/store (not a SIMD lane access). */
  readonly mem: 'load' | 'store' | null;
  /** A plain load/store: the bytes it accesses (accessSize), else 0. */
  readonly size: number;
  readonly tail: boolean;
  /** An instruction of the threads proposal (prefix 0xFE): memory.atomic.*, *.atomic.*. */
  readonly atomic: boolean;
  /** A numeric operator or plain load/store of i32/i64/f32/f64 other than `*.const`: handled by
   *  translateNamed, not by any case of translateOperator's switch (a switch over ~150 strings
   *  is a chain of comparisons, which was the hottest line of translation). */
  readonly numeric: boolean;
  /** The opcode's class: translateOther's case (none for numeric and the rest, which
   *  translateNamed handles). */
  readonly kind: OpClass;
  /** What the instruction does to BigInt mode's balance (FuncTranslator.estimateBig). */
  readonly bigEstimate: BigEstimate;
}

/** An instruction's part in BigInt mode's balance, as bigOperator and the stack's
 *  conversions would translate it (compiler/translate/i64.ts "BigInt mode"). */
export const enum BigEstimate {
  /** No i64 operand or result. */
  None,
  /** Outside the mode: exceptions, GC, SIMD, atomics, tail calls. */
  Uncovered,
  Mul,
  /** add, sub and plain 8-byte loads and stores: cheaper on BigInts. */
  Gain,
  /** eqz and comparisons: about the same. */
  Even,
  /** Bitwise operators, shifts, rotates, wrap and extend: a new BigInt each. */
  Cost1,
  /** Narrower loads and stores: one conversion. */
  Cost2,
  /** Everything else: word-pair translation between conversions. */
  Cost4,
  /** Calls, global accesses, returns: a conversion per i64 that crosses. */
  Call,
  Global,
  Return,
}

/** The classes whose estimate the instruction's class decides alone. */
const CLASS_ESTIMATE: ReadonlyMap<OpClass, BigEstimate> = new Map([
  ...[
    OpClass.Try,
    OpClass.TryTable,
    OpClass.Catch,
    OpClass.CatchAll,
    OpClass.Delegate,
    OpClass.Rethrow,
    OpClass.Throw,
    OpClass.ThrowRef,
  ].map((c) => [c, BigEstimate.Uncovered] as const),
  ...[OpClass.Call, OpClass.CallIndirect, OpClass.CallRef].map((c) => [c, BigEstimate.Call] as const),
  [OpClass.GlobalGet, BigEstimate.Global],
  [OpClass.GlobalSet, BigEstimate.Global],
  [OpClass.Return, BigEstimate.Return],
]);

/** The estimate class of an instruction, from its class and signature (`II>I`: two i64
 *  operands, one i64 result; `i` is i32). */
function bigEstimateOf(info: OpInfo, ty: string, op: string, mem: OpDesc['mem'], tail: boolean): BigEstimate {
  if (tail || info.prefix === PREFIX_ATOMIC || info.prefix === PREFIX_GC || info.prefix === PREFIX_SIMD)
    return BigEstimate.Uncovered;
  const byClass = CLASS_ESTIMATE.get(info.cls);
  if (byClass !== undefined) return byClass;
  const sig = info.sig;
  if (sig === undefined || !sig.includes('I')) return BigEstimate.None;
  if (mem !== null) return ty === 'i64' && (op === 'load' || op === 'store') ? BigEstimate.Gain : BigEstimate.Cost2;
  if (ty !== 'i64') return op === 'wrap_i64' ? BigEstimate.Cost1 : BigEstimate.Cost4;
  if (op === 'mul') return BigEstimate.Mul;
  if (op === 'add' || op === 'sub') return BigEstimate.Gain;
  // eqz and the comparisons: an i32 result.
  if (sig.endsWith('>i')) return BigEstimate.Even;
  // One BigInt operation each: the bitwise operators, shifts and rotates (every other
  // binary i64 operator but division and remainder), and extension from i32.
  if ((sig === 'II>I' && !op.startsWith('div') && !op.startsWith('rem')) || sig === 'i>I') return BigEstimate.Cost1;
  return BigEstimate.Cost4;
}

export const NUMERIC_TYPES = new Set(['i32', 'i64', 'f32', 'f64']);

export const DESC_SMALL: (OpDesc | undefined)[] = new Array<OpDesc | undefined>(256).fill(undefined);

export const DESC_PREFIXED = new Map<number, OpDesc>();

export function opDesc(code: number): OpDesc | undefined {
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
  const tail = name === 'return_call' || name === 'return_call_indirect' || name === 'return_call_ref';
  d = {
    name,
    ty,
    op,
    mem,
    size: mem === null ? 0 : accessSize(op, ty),
    tail,
    atomic: code >>> 16 === PREFIX_ATOMIC,
    numeric: NUMERIC_TYPES.has(ty) && op !== 'const',
    kind: info.cls,
    bigEstimate: bigEstimateOf(info, ty, op, mem, tail),
  };
  if (code < 256) DESC_SMALL[code] = d;
  else DESC_PREFIXED.set(code, d);
  return d;
}

export const ACCESS_SIZE = new Map<string, number>();

export function accessSize(kind: string, ty: string): number {
  const key = `${ty}.${kind}`;
  let n = ACCESS_SIZE.get(key);
  if (n === undefined) {
    n = computeAccessSize(kind, ty);
    ACCESS_SIZE.set(key, n);
  }
  return n;
}

export function computeAccessSize(kind: string, ty: string): number {
  const m = /(8|16|32|64)/.exec(kind.replace(/^load|^store/, ''));
  if (m && !/x/.test(kind) && !/splat|zero/.test(kind)) return Number(m[1]) / 8;
  if (/x/.test(kind)) return 8; // load8x8 etc.
  if (/splat|zero/.test(kind)) return Number(/(8|16|32|64)/.exec(kind)![1]) / 8;
  switch (ty) {
    case 'i32':
    case 'f32':
      return 4;
    case 'i64':
    case 'f64':
      return 8;
    case 'v128':
      return 16;
  }
  return 0;
}
