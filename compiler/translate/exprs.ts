// Generated expressions as text: reading them (enclosing parentheses, top-level operators,
// address ranges, which slots an expression names), the operand stack's entries, names of
// slots and locals, number literals and the module-wide constant pool.

import type { ValType } from '../ir';
import { TRAP } from '../../vmctx/traps';
import { use } from './bindings';

/** True on little-endian hosts, where an Int32Array reads memory's little-endian words. */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `e` without one pair of enclosing parentheses, when they enclose all of it; else null. */
export function unparen(e: string): string | null {
  const n = e.length;
  if (n < 2 || e.charCodeAt(0) !== 40 || e.charCodeAt(n - 1) !== 41) return null;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = e.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0 && i !== n - 1) return null;
  }
  return e.slice(1, -1);
}

/** An i32 expression read as unsigned: an integer literal is converted here, not at run time. */
export function asU32(e: string): string {
  return isIntLiteral(e) ? String(Number(e) >>> 0) : `(${e} >>> 0)`;
}

/** The binary and conditional operators splitTopLevel knows, as the translator prints them. */
const SPLIT_OPS = new Set([
  '&',
  '<<',
  '>>>',
  '>>',
  '|',
  '^',
  '+',
  '-',
  '*',
  '===',
  '!==',
  '<=',
  '>=',
  '<',
  '>',
  '?',
  ':',
  '&&',
  '||',
]);

/**
 * `e` as `[left, op, right]` when it has exactly one operator outside parentheses and
 * brackets (an operator is one of SPLIT_OPS with a space on each side), else null. Read by
 * character: a regular expression per space cost more than the rest of the scan.
 */
export function splitTopLevel(e: string): [string, string, string] | null {
  const n = e.length;
  let depth = 0;
  let at = -1;
  let opEnd = -1;
  for (let i = 0; i < n; i++) {
    const c = e.charCodeAt(i);
    if (c === 40 || c === 91) depth++;
    else if (c === 41 || c === 93) depth--;
    else if (depth === 0 && c === 32) {
      // The token up to the next space: an operator has at most three characters.
      let j = i + 1;
      while (j < n && j - i <= 3 && e.charCodeAt(j) !== 32) j++;
      if (j > i + 1 && j < n && e.charCodeAt(j) === 32 && SPLIT_OPS.has(e.slice(i + 1, j))) {
        if (at >= 0) return null;
        at = i;
        opEnd = j;
        i = j;
      }
    }
  }
  if (at < 0) return null;
  return [e.slice(0, at), e.slice(at + 1, opEnd), e.slice(opEnd + 1)];
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
  if (isDecimal(e)) {
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
  if (op === '&' && isDecimal(y)) return addrFacts(y);
  if (op === '<<' && isDecimal(y) && Number(y) < 31) {
    const k = Number(y),
      f = addrFacts(x);
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
export function maskedShiftIndex([x, op, m]: [string, string, string]): string | null {
  if (op !== '&' || !isDecimal(m) || Number(m) % 4 !== 0) return null;
  const inner = unparen(x);
  const xs = inner === null ? null : splitTopLevel(inner);
  if (xs === null || xs[1] !== '>>>' || !isDecimal(xs[2])) return null;
  const k = Number(xs[2]) + 2;
  if (k > 31) return null;
  const mask = Number(m) / 4;
  const shifted = `${xs[0]} >>> ${k}`;
  return mask >= 2 ** (32 - k) - 1 ? `(${shifted})` : `(${shifted} & ${mask})`;
}

export interface Entry {
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
export function entry(e: string, hi: string | undefined, pending: boolean, cond: string | undefined): Entry {
  return { e, hi, pending, cond };
}

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

// The classes of the character loops below, by code unit: a table read instead of a call
// per character (without a JIT each call is a cost of its own). Code units from 128 up are
// in none (the read is undefined, and undefined & k is 0).
const DIGIT = 1;
/** `\w`, `$` and `.`: an identifier, a member chain or a plain number. */
const IDENT = 2;
/** `\w`, `.`, `+` and `-`: the rest of a number with an exponent. */
const NUMBER = 4;
const CHAR_CLASS = ((): Uint8Array => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const w = isWordChar(c);
    t[c] =
      (isDigit(c) ? DIGIT : 0) |
      (w || c === 36 || c === 46 ? IDENT : 0) |
      (w || c === 46 || c === 43 || c === 45 ? NUMBER : 0);
  }
  return t;
})();

/**
 * Whether `e` is one identifier or literal, so usable several times (the language of
 * `/^(?:-?[\w$.]+|-?\d[\w.+-]*n?)$/`). The tests of this file run for nearly every
 * instruction; without a JIT a regular expression runs in V8's regexp interpreter, so they
 * are written as character loops.
 */
export function isIdentOrLiteral(e: string): boolean {
  const cls = CHAR_CLASS;
  const n = e.length;
  const i = n > 0 && e.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i >= n) return false;
  let j = i;
  while (j < n && (cls[e.charCodeAt(j)] & IDENT) !== 0) j++;
  if (j === n) return true;
  // A number with an exponent sign (`1e+21`, `-5e-324`): a digit first, then [\w.+-].
  if ((cls[e.charCodeAt(i)] & DIGIT) === 0) return false;
  for (j = i + 1; j < n; j++) if ((cls[e.charCodeAt(j)] & NUMBER) === 0) return false;
  return true;
}

/** Whether `e` is a decimal integer literal without sign (`/^\d+$/`). */
export function isDecimal(e: string): boolean {
  const cls = CHAR_CLASS;
  const n = e.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if ((cls[e.charCodeAt(i)] & DIGIT) === 0) return false;
  return true;
}

/** Whether `e` is a decimal integer literal, perhaps negative (`/^-?\d+$/`). */
export function isIntLiteral(e: string): boolean {
  return e.charCodeAt(0) === 45 /* - */ ? isDecimal(e.slice(1)) : isDecimal(e);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A `\w` character (as in RegExp's `\b`). */
export function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Whether `e` names `x` as a whole: not inside a longer identifier, not as a property (after
 * a `.`). `x` is a local, slot or slab-element name. indexOf jumps between the occurrences,
 * of which there are rarely more than one: cheaper than a regex, interpreted or not.
 */
export function namesWhole(e: string, x: string): boolean {
  const n = e.length;
  for (let i = e.indexOf(x); i >= 0; i = e.indexOf(x, i + 1)) {
    if (i > 0) {
      const c = e.charCodeAt(i - 1);
      if (isWordChar(c) || c === 36 /* $ */ || c === 46 /* . */) continue;
    }
    const j = i + x.length;
    if (j < n) {
      const c = e.charCodeAt(j);
      if (isWordChar(c) || c === 36) continue;
    }
    return true;
  }
  return false;
}

/** Whether `e` names local `x` (either word, `lX` or `hX`). */
export function namesLocal(e: string, x: number): boolean {
  return namesWhole(e, nameOf('l', x)) || namesWhole(e, nameOf('h', x));
}

/** Whether `e` names `${c}K` (K decimal digits, a whole identifier) with K !== d. Jumps from
 *  one `c` to the next with indexOf instead of visiting every character. */
export function refsOtherSlotOf(e: string, d: number, c: 's' | 't'): boolean {
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
export const NAMES = { s: [] as string[], t: [] as string[], l: [] as string[], h: [] as string[] };

export function nameOf(prefix: 's' | 't' | 'l' | 'h', i: number): string {
  const a = NAMES[prefix];
  return a[i] ?? (a[i] = prefix + i);
}

export const MAX_PENDING = 160;

/** Most int32 operands in one untruncated JS sum (see addSub). */
export const MAX_SUM_TERMS = 64;

/** The traps generated code raises inline (vmctx/traps.ts has every message). */
export const TRAP_MSG = {
  oob: TRAP.memoryOutOfBounds,
  unreachable: TRAP.unreachable,
  nullRef: TRAP.nullReference,
  nullFunc: TRAP.indirectCallToNull,
  divByZero: TRAP.integerDivisionByZero,
  overflow: TRAP.integerOverflow,
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

/** The return-area slot for result i (i >= 1) of type t. */
export function returnSlot(t: ValType, i: number): string {
  switch (t) {
    case 'i32':
      return `${use('rI32')}[${2 * i}]`;
    case 'i64':
      return `${use('rI64')}[${i}]`;
    case 'f32':
    case 'f64':
      return `${use('rF64')}[${i}]`;
    default:
      return `${use('rRef')}[${i}]`;
  }
}

export const cvt = new DataView(new ArrayBuffer(8));

export function f32Value(bits: number): number {
  cvt.setUint32(0, bits);
  return cvt.getFloat32(0);
}

export function f64Value(bits: bigint): number {
  cvt.setBigUint64(0, bits);
  return cvt.getFloat64(0);
}
