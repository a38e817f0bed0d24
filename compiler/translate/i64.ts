// i64 expression emission. An i64 value is carried as two int32 JS values (lo, hi): the low
// and high 32-bit words, each a signed int32 number. Every piece of generated code that
// depends on that representation is produced here; the translator only moves word pairs.
//
// Conventions:
//   - operands are JS expression strings; functions documented "(simple)" need operands
//     that are identifiers or literals (safe to repeat), the translator materializes others;
//   - `Pair` results are pure expressions (no effects, no traps) over their operands;
//   - helpers that produce an i64 (division, variable shifts, float truncation, ...) return
//     the low word and leave the high word in the hi register `hiReg()` (rI32[1], which is
//     also where a function's first i64 result returns its high word); the caller reads it
//     right after the call, before anything else can overwrite it.
// BigInt appears only at the boundaries (GC fields, exception payloads, SIMD lane moves),
// through `i64Box` / `i64Unbox`.

import { use } from './bindings';
import { isIntLiteral } from './exprs';
import type { MemoryNames } from './env';
export interface Pair {
  lo: string;
  hi: string;
}

/** Where helpers and callees leave the high word of an i64 result. */
export function hiReg(): string {
  return `${use('rI32')}[1]`;
}

const TWO32 = 4294967296;

export function i64Const(v: bigint): Pair {
  const u = BigInt.asUintN(64, v);
  return { lo: String(Number(BigInt.asIntN(32, u))), hi: String(Number(BigInt.asIntN(32, u >> 32n))) };
}

const isLit = isIntLiteral;
/** `a + b` without a literal 0 term (a constant's high word is often 0). */
const sumOf = (a: string, b: string): string => (b === '0' ? a : a === '0' ? b : `${a} + ${b}`);
const u32 = (e: string): string => (isLit(e) ? String(Number(e) >>> 0) : `(${e} >>> 0)`);

/** High word of the unsigned 64-bit product P of two int32 words, as an int32 expression,
 *  given `lo`, an expression for P's exact low word (Math.imul). The double product
 *  x = fl(ua * ub) is within 2^10 of P, and so is fl(x - lo); divided by 2^32 that is within
 *  2^-20 of the high word, so adding 0.5 and truncating gives it exactly. (simple) */
function mulHighU32(a: string, b: string, lo: string): string {
  return `((${u32(a)} * ${u32(b)} - (${lo} >>> 0)) / 4294967296 + 0.5 | 0)`;
}

/** High word of a * b (mod 2^64) when `lo` holds its low word, imul(a.lo, b.lo). (simple) */
export function i64MulHigh(a: Pair, b: Pair, lo: string): string {
  const cross = (x: string, y: string): string | null => (x === '0' || y === '0' ? null : `${use('imul')}(${x}, ${y})`);
  const terms = [mulHighU32(a.lo, b.lo, lo), cross(a.lo, b.hi), cross(a.hi, b.lo)].filter(
    (t): t is string => t !== null,
  );
  return `(${terms.join(' + ')} | 0)`;
}

/** Pure binary operators (no trap). Returns null for an unknown name or a variable shift. */
export function i64Binary(name: string, a: Pair, b: Pair): Pair | null {
  switch (name) {
    case 'add':
      return {
        lo: `(${a.lo} + ${b.lo} | 0)`,
        hi: `(${sumOf(a.hi, b.hi)} + ((${a.lo} + ${b.lo} | 0) >>> 0 < ${u32(a.lo)} ? 1 : 0) | 0)`,
      };
    case 'sub':
      return {
        lo: `(${a.lo} - ${b.lo} | 0)`,
        hi: `(${b.hi === '0' ? a.hi : `${a.hi} - ${b.hi}`} - (${u32(a.lo)} < ${u32(b.lo)} ? 1 : 0) | 0)`,
      };
    case 'mul': {
      const lo = `${use('imul')}(${a.lo}, ${b.lo})`;
      return { lo, hi: i64MulHigh(a, b, lo) };
    }
    case 'and':
      return { lo: `(${a.lo} & ${b.lo})`, hi: `(${a.hi} & ${b.hi})` };
    case 'or':
      return { lo: `(${a.lo} | ${b.lo})`, hi: `(${a.hi} | ${b.hi})` };
    case 'xor':
      return { lo: `(${a.lo} ^ ${b.lo})`, hi: `(${a.hi} ^ ${b.hi})` };
    case 'shl':
    case 'shr_s':
    case 'shr_u':
    case 'rotl':
    case 'rotr':
      return isLit(b.lo) ? constShift(name, a, Number(b.lo) & 63) : null;
    default:
      return null;
  }
}

/** Which operands of i64Binary(name) must be simple. */
export function i64BinaryNeedsSimple(name: string): boolean {
  return name !== 'and' && name !== 'or' && name !== 'xor';
}

function constShift(name: string, a: Pair, k: number): Pair {
  if (name === 'rotr') return constShift('rotl', a, (64 - k) & 63);
  if (k === 0) return a;
  switch (name) {
    case 'shl':
      if (k < 32) return { lo: `(${a.lo} << ${k})`, hi: `(${a.hi} << ${k} | ${a.lo} >>> ${32 - k})` };
      return { lo: '0', hi: k === 32 ? a.lo : `(${a.lo} << ${k - 32})` };
    case 'shr_u':
      if (k < 32) return { lo: `(${a.lo} >>> ${k} | ${a.hi} << ${32 - k})`, hi: `(${a.hi} >>> ${k})` };
      return { lo: k === 32 ? a.hi : `(${a.hi} >>> ${k - 32})`, hi: '0' };
    case 'shr_s':
      if (k < 32) return { lo: `(${a.lo} >>> ${k} | ${a.hi} << ${32 - k})`, hi: `(${a.hi} >> ${k})` };
      return { lo: k === 32 ? a.hi : `(${a.hi} >> ${k - 32})`, hi: `(${a.hi} >> 31)` };
    default: {
      // rotl
      if (k === 32) return { lo: a.hi, hi: a.lo };
      const [x, y, j] = k < 32 ? [a.lo, a.hi, k] : [a.hi, a.lo, k - 32];
      return { lo: `(${x} << ${j} | ${y} >>> ${32 - j})`, hi: `(${y} << ${j} | ${x} >>> ${32 - j})` };
    }
  }
}

/**
 * A variable shift (not a rotate) as pure expressions over simple operands: `n` is the
 * count's low word, of which only the low six bits count. JS masks shift counts to five
 * bits, so `n & 32` picks the word a value moves across, and the bits crossing from the
 * other word shift by 32 - (n & 31) as `>>> 1 >>> ~n` (or `<< 1 << ~n`), which is 0 when
 * n & 31 is 0. Null for the rotates.
 */
export function i64VarShift(name: string, a: Pair, n: string): Pair | null {
  switch (name) {
    case 'shl':
      return {
        lo: `(${n} & 32 ? 0 : ${a.lo} << ${n})`,
        hi: `(${n} & 32 ? ${a.lo} << ${n} : ${a.hi} << ${n} | ${a.lo} >>> 1 >>> ~${n})`,
      };
    case 'shr_u':
      return {
        lo: `(${n} & 32 ? ${a.hi} >>> ${n} | 0 : ${a.lo} >>> ${n} | ${a.hi} << 1 << ~${n})`,
        hi: `(${n} & 32 ? 0 : ${a.hi} >>> ${n} | 0)`,
      };
    case 'shr_s':
      return {
        lo: `(${n} & 32 ? ${a.hi} >> ${n} : ${a.lo} >>> ${n} | ${a.hi} << 1 << ~${n})`,
        hi: `(${n} & 32 ? ${a.hi} >> 31 : ${a.hi} >> ${n})`,
      };
    default:
      return null;
  }
}

/** Helper call for a variable shift/rotate (returns lo, high word in hiReg()). */
export function i64ShiftCall(name: string, a: Pair, n: string): string {
  const fn = { shl: 'i64shl', shr_s: 'i64shrS', shr_u: 'i64shrU', rotl: 'i64rotl', rotr: 'i64rotr' }[name];
  return `${use(fn!)}(${a.lo}, ${a.hi}, ${n})`;
}

/** The low words of a and b compared unsigned by `op`. */
function loCompare(a: Pair, b: Pair, op: string): string {
  return `${u32(a.lo)} ${op} ${u32(b.lo)}`;
}

/** a `op` b where the high words `ha`, `hb` are compared by `strict` (signed or unsigned
 *  forms of the high words) and, when equal, the low words unsigned by `op`. */
function pairCompare(a: Pair, b: Pair, ha: string, hb: string, op: string, strict: string): string {
  return `(${ha} ${strict} ${hb} || ${a.hi} === ${b.hi} && ${loCompare(a, b, op)})`;
}

/** Comparisons, producing a JS boolean expression. (simple) */
export function i64Compare(name: string, a: Pair, b: Pair): string | null {
  // Plain functions, not closures over a and b: the translator compares i64 often, and a
  // closure made per call costs more than the comparison's text.
  switch (name) {
    case 'eq':
      return `(${a.lo} === ${b.lo} && ${a.hi} === ${b.hi})`;
    case 'ne':
      return `(${a.lo} !== ${b.lo} || ${a.hi} !== ${b.hi})`;
    case 'lt_s':
      return pairCompare(a, b, a.hi, b.hi, '<', '<');
    case 'gt_s':
      return pairCompare(a, b, a.hi, b.hi, '>', '>');
    case 'le_s':
      return pairCompare(a, b, a.hi, b.hi, '<=', '<');
    case 'ge_s':
      return pairCompare(a, b, a.hi, b.hi, '>=', '>');
    // Against a high word of 0 (a constant below 2^32), no unsigned high word is below it
    // and any other is above it.
    case 'lt_u':
      if (b.hi === '0') return `(${a.hi} === 0 && ${loCompare(a, b, '<')})`;
      return pairCompare(a, b, u32(a.hi), u32(b.hi), '<', '<');
    case 'gt_u':
      if (b.hi === '0') return `(${a.hi} !== 0 || ${loCompare(a, b, '>')})`;
      return pairCompare(a, b, u32(a.hi), u32(b.hi), '>', '>');
    case 'le_u':
      if (b.hi === '0') return `(${a.hi} === 0 && ${loCompare(a, b, '<=')})`;
      return pairCompare(a, b, u32(a.hi), u32(b.hi), '<=', '<');
    case 'ge_u':
      if (b.hi === '0') return `(${a.hi} !== 0 || ${loCompare(a, b, '>=')})`;
      return pairCompare(a, b, u32(a.hi), u32(b.hi), '>=', '>');
    default:
      return null;
  }
}

export const i64Eqz = (a: Pair): string => `(${a.lo} | ${a.hi}) === 0`;

/** Unary operators producing an i64. (simple) */
export function i64Unary(name: string, a: Pair): Pair | null {
  switch (name) {
    case 'clz':
      return { lo: `(${a.hi} === 0 ? 32 + ${use('clz32')}(${a.lo}) : ${use('clz32')}(${a.hi}))`, hi: '0' };
    case 'ctz':
      return { lo: `(${a.lo} === 0 ? 32 + ${use('ctz32')}(${a.hi}) : ${use('ctz32')}(${a.lo}))`, hi: '0' };
    case 'popcnt':
      return { lo: `(${use('popcnt32')}(${a.lo}) + ${use('popcnt32')}(${a.hi}))`, hi: '0' };
    case 'extend8_s':
      return { lo: `(${a.lo} << 24 >> 24)`, hi: `(${a.lo} << 24 >> 31)` };
    case 'extend16_s':
      return { lo: `(${a.lo} << 16 >> 16)`, hi: `(${a.lo} << 16 >> 31)` };
    case 'extend32_s':
      return { lo: a.lo, hi: `(${a.lo} >> 31)` };
    default:
      return null;
  }
}

/** Trapping division/remainder helper call (returns lo, high word in hiReg()). */
export function i64DivRemCall(name: string, a: Pair, b: Pair): string {
  const fn = { div_s: 'i64divS', div_u: 'i64divU', rem_s: 'i64remS', rem_u: 'i64remU' }[name];
  if (!fn) throw new Error(`i64DivRem: ${name}`);
  return `${use(fn)}(${a.lo}, ${a.hi}, ${b.lo}, ${b.hi})`;
}

// ---- conversions between i32 and i64
/** (simple) */
export const i64ExtendI32S = (a: string): Pair => ({ lo: a, hi: `(${a} >> 31)` });
export const i64ExtendI32U = (a: string): Pair => ({ lo: a, hi: '0' });
export const i32WrapI64 = (a: Pair): string => a.lo;

// ---- conversions between floats and i64: a single rounding of the exact value.
// hi * 2^32 is exact (at most 32 significant bits), so the one addition rounds once.
export const f64ConvertI64S = (a: Pair): string => `(${a.hi} * ${TWO32} + ${u32(a.lo)})`;
export const f64ConvertI64U = (a: Pair): string => `(${u32(a.hi)} * ${TWO32} + ${u32(a.lo)})`;
export const f32ConvertI64S = (a: Pair): string => `${use('i64ToF32')}(${a.lo}, ${a.hi})`;
export const f32ConvertI64U = (a: Pair): string => `${use('u64ToF32')}(${a.lo}, ${a.hi})`;
/** Float -> i64 helper calls (trapping or saturating; return lo, high word in hiReg()). */
export const i64TruncCall = (x: string, signed: boolean, sat: boolean): string =>
  `${use(sat ? (signed ? 'truncSatI64' : 'truncSatU64') : signed ? 'truncI64S' : 'truncI64U')}(${x})`;

// ---- bit casts
export const i64ReinterpretF64Call = (a: string): string => `${use('f64ToWords')}(${a})`;
export const f64ReinterpretI64 = (a: Pair): string => `${use('f64FromWords')}(${a.lo}, ${a.hi})`;

// ---- boxing at boundaries that hold i64 as BigInt
export const i64Box = (a: Pair): string => `${use('i64Box')}(${a.lo}, ${a.hi})`;
/** Helper call unboxing a BigInt (returns lo, high word in hiReg()). */
export const i64UnboxCall = (b: string): string => `${use('i64Unbox')}(${b})`;
/** Pure unboxing expressions (for places that cannot emit statements). */
export const i64UnboxPure = (b: string): Pair => ({ lo: `${use('i64Lo')}(${b})`, hi: `${use('i64Hi')}(${b})` });

// ---- memory: `at` gives the callee of a DataView method (MemoryNames.call), `ea` an
// effective address (simple for the two-word forms). Loads are statements writing the
// destination words. A two-word store writes the high word (the higher address) first: if
// the access is out of bounds that write throws before any byte changes, so a trapping store
// leaves memory untouched.
export function i64LoadWords(kind: string, at: MemoryNames['call'], ea: string, lo: string, hi: string): string {
  switch (kind) {
    case 'load':
      return `${lo} = ${at('getInt32')}(${ea}, 1); ${hi} = ${at('getInt32')}(${ea} + 4, 1);`;
    case 'load8_s':
      return `${lo} = ${at('getInt8')}(${ea}); ${hi} = ${lo} >> 31;`;
    case 'load8_u':
      return `${lo} = ${at('getUint8')}(${ea}); ${hi} = 0;`;
    case 'load16_s':
      return `${lo} = ${at('getInt16')}(${ea}, 1); ${hi} = ${lo} >> 31;`;
    case 'load16_u':
      return `${lo} = ${at('getUint16')}(${ea}, 1); ${hi} = 0;`;
    case 'load32_s':
      return `${lo} = ${at('getInt32')}(${ea}, 1); ${hi} = ${lo} >> 31;`;
    case 'load32_u':
      return `${lo} = ${at('getInt32')}(${ea}, 1); ${hi} = 0;`;
    default:
      throw new Error(`i64Load: ${kind}`);
  }
}
export function i64Store(kind: string, at: MemoryNames['call'], ea: string, v: Pair): string {
  switch (kind) {
    case 'store':
      return `${at('setInt32')}(${ea} + 4, ${v.hi}, 1); ${at('setInt32')}(${ea}, ${v.lo}, 1);`;
    case 'store8':
      return `${at('setInt8')}(${ea}, ${v.lo});`;
    case 'store16':
      return `${at('setInt16')}(${ea}, ${v.lo}, 1);`;
    case 'store32':
      return `${at('setInt32')}(${ea}, ${v.lo}, 1);`;
    default:
      throw new Error(`i64Store: ${kind}`);
  }
}

/** An i64 used as a memory64/table64 address, as a JS number: exact below 2^53, and
 *  anything larger rounds to a value still beyond every memory's and table's bounds. */
export const i64ToAddress = (a: Pair): string => `(${u32(a.hi)} * ${TWO32} + ${u32(a.lo)})`;
/** Statements turning a non-negative number or -1 (simple `n`) into words. */
export const addressToI64Words = (n: string, lo: string, hi: string): string =>
  `${hi} = ${n} < 0 ? -1 : ${n} / ${TWO32} | 0; ${lo} = ${n} | 0;`;

// ---------------------------------------------------------------- wide arithmetic
//
// i64.add128 / i64.sub128 / i64.mul_wide_s / i64.mul_wide_u produce two i64 values (the low
// and high halves of a 128-bit result). Each is one statement block over simple operands
// that reads every operand before it writes any of the result words `r` (lo0, hi0, lo1,
// hi1), so results may go to the operands' own slots. Sums of two unsigned words and a
// carry, and products of 16-bit limbs with their column sums, stay below 2^53 and are exact
// as doubles.

const CARRY = 'c > 4294967295 ? 1 : 0';

/** i64.add128 or i64.sub128 of (aLo, aHi) and (bLo, bHi), into words `r`. (simple) */
export function i128AddSub(sub: boolean, aLo: Pair, aHi: Pair, bLo: Pair, bHi: Pair, r: readonly string[]): string {
  const a = [aLo.lo, aLo.hi, aHi.lo];
  const b = [bLo.lo, bLo.hi, bHi.lo];
  const parts: string[] = [];
  // c: the running sum (or difference) of one word column; its carry (borrow) goes on.
  for (let i = 0; i < 3; i++) {
    const prev = i === 0 ? '' : sub ? ` - (c < 0 ? 1 : 0)` : ` + (${CARRY})`;
    parts.push(`c${i} = c = ${u32(a[i])} ${sub ? '-' : '+'} ${u32(b[i])}${prev};`);
  }
  const top = sub ? `${aHi.hi} - ${bHi.hi} - (c < 0 ? 1 : 0)` : `${aHi.hi} + ${bHi.hi} + (${CARRY})`;
  return `{ let c, c0, c1, c2; ${parts.join(' ')} ${r[3]} = ${top} | 0; ${r[0]} = c0 | 0; ${r[1]} = c1 | 0; ${r[2]} = c2 | 0; }`;
}

/** i64.mul_wide_s / _u of `a` and `b`: the 128-bit product, into words `r`. (simple) */
export function i128MulWide(signed: boolean, a: Pair, b: Pair, r: readonly string[]): string {
  const x = [`${a.lo} & 65535`, `${a.lo} >>> 16`, `${a.hi} & 65535`, `${a.hi} >>> 16`];
  const y = [`${b.lo} & 65535`, `${b.lo} >>> 16`, `${b.hi} & 65535`, `${b.hi} >>> 16`];
  const out: string[] = [
    `{ let x0 = ${x[0]}, x1 = ${x[1]}, x2 = ${x[2]}, x3 = ${x[3]}, y0 = ${y[0]}, y1 = ${y[1]}, y2 = ${y[2]}, y3 = ${y[3]}, t = 0, z0, z1, z2, z3, z4, z5, z6, z7;`,
  ];
  // Column k of the schoolbook product of the 16-bit limbs, plus the carry from column k-1.
  for (let k = 0; k <= 6; k++) {
    const terms: string[] = [];
    for (let i = Math.max(0, k - 3); i <= Math.min(3, k); i++) terms.push(`x${i} * y${k - i}`);
    out.push(`t = ${k === 0 ? '' : `(t - z${k - 1}) / 65536 + `}${terms.join(' + ')}; z${k} = t % 65536;`);
  }
  out.push('z7 = (t - z6) / 65536;');
  out.push('let w2 = z4 | z5 << 16, w3 = z6 | z7 << 16;');
  if (signed) {
    // The signed product's high half is the unsigned one's minus b if a < 0 and minus a if b < 0.
    out.push(
      `if (${a.hi} < 0) { t = (w2 >>> 0) - ${u32(b.lo)}; w3 = w3 - ${b.hi} - (t < 0 ? 1 : 0) | 0; w2 = t | 0; }`,
    );
    out.push(
      `if (${b.hi} < 0) { t = (w2 >>> 0) - ${u32(a.lo)}; w3 = w3 - ${a.hi} - (t < 0 ? 1 : 0) | 0; w2 = t | 0; }`,
    );
  }
  out.push(`${r[0]} = z0 | z1 << 16; ${r[1]} = z2 | z3 << 16; ${r[2]} = w2; ${r[3]} = w3; }`);
  return out.join(' ');
}

// ---------------------------------------------------------------- BigInt mode
//
// A function translated in BigInt mode (FuncEnvironment.i64BigInt) carries each i64 as one
// BigInt in [0, 2^64): its locals, operand slots and block results hold BigInts, and word
// pairs appear only where the calling convention or a pair-only translation wants them
// (calls, returns, globals, the operators below do not cover). Under V8's interpreter each
// BigInt operator is one bytecode with a native handler, where a word pair needs a dozen;
// under JavaScriptCore's interpreter BigInt arithmetic is the slower one, so the mode is a
// per-host choice (runtime/optlimit.ts). Results are masked with M64 (no
// BigInt.asUintN call), where a consumer needs them reduced (stack.ts bigRaw); `big` and
// `num` are the prelude's bindings of BigInt and Number.

const M64 = '18446744073709551615n';
/** 2^63: `(x ^ S63) - S63` is x read as signed; `x ^ S63` orders signed values unsigned. */
const S63 = '9223372036854775808n';
const BIG_LIT = /^\d+n$/;

/** An i64 constant as a BigInt literal in [0, 2^64). */
export function bigLiteral(v: bigint): string {
  return `${BigInt.asUintN(64, v)}n`;
}

/** A BigInt expression reduced to [0, 2^64). */
export const bigMask = (e: string): string => `(${e} & ${M64})`;

/** The words of the BigInt i64 `x`. (simple) */
export function bigWords(x: string): Pair {
  if (BIG_LIT.test(x)) return i64Const(BigInt(x.slice(0, -1)));
  return { lo: `(${use('num')}(${x} & 4294967295n) | 0)`, hi: `(${use('num')}(${x} >> 32n) | 0)` };
}

/** The BigInt of the word pair `p`. */
export function bigOfWords(p: Pair): string {
  if (isLit(p.lo) && isLit(p.hi)) return bigLiteral((BigInt(Number(p.hi)) << 32n) | BigInt(Number(p.lo) >>> 0));
  const lo = `${use('big')}(${u32(p.lo)})`;
  return p.hi === '0' ? lo : `(${use('big')}(${u32(p.hi)}) << 32n | ${lo})`;
}

/** The shift count of a BigInt operand, masked to six bits. */
const bigCount = (b: string): string => (BIG_LIT.test(b) ? `${BigInt(b.slice(0, -1)) & 63n}n` : `(${b} & 63n)`);

/** Binary operators in BigInt mode; null for the others. The rotates need `a` simple. */
export function bigBinary(name: string, a: string, b: string): string | null {
  switch (name) {
    case 'add':
      return `((${a} + ${b}) & ${M64})`;
    case 'sub':
      return `((${a} - ${b}) & ${M64})`;
    case 'mul':
      return `((${a} * ${b}) & ${M64})`;
    case 'and':
      return `(${a} & ${b})`;
    case 'or':
      return `(${a} | ${b})`;
    case 'xor':
      return `(${a} ^ ${b})`;
    case 'shl':
      return `((${a} << ${bigCount(b)}) & ${M64})`;
    case 'shr_u':
      return `(${a} >> ${bigCount(b)})`;
    case 'shr_s':
      return `((((${a} ^ ${S63}) - ${S63}) >> ${bigCount(b)}) & ${M64})`;
    case 'rotl':
    case 'rotr': {
      const k = bigCount(b);
      // A rotate by 0 shifts the other part by 64, which leaves nothing of it.
      const rest = BIG_LIT.test(k) ? `${64n - BigInt(k.slice(0, -1))}n` : `(64n - ${k})`;
      const [l, r] = name === 'rotl' ? [k, rest] : [rest, k];
      return `(((${a} << ${l}) | (${a} >> ${r})) & ${M64})`;
    }
    default:
      return null;
  }
}

/** Whether the low 64 bits of bigBinary(name)'s result depend only on its operands' low
 *  64 bits (so unreduced operands may feed it, and its mask may be left to a consumer). */
export const bigModular = (name: string): boolean =>
  name === 'add' || name === 'sub' || name === 'mul' || name === 'shl' || name === 'rotl' || name === 'rotr';

/** bigBinary of a bigModular operator without the final mask: right modulo 2^64 for reduced
 *  operands, and no wider than 128 bits. */
export function bigBinaryUnreduced(name: string, a: string, b: string): string {
  const masked = bigBinary(name, a, b)!;
  // bigBinary writes these as `(<expr> & M64)`: the expression is what is inside.
  return masked.slice(1, masked.length - ` & ${M64})`.length);
}

/** Whether bigBinary(name) needs its first operand simple. */
export const bigBinaryNeedsSimple = (name: string): boolean => name === 'rotl' || name === 'rotr';

/** Comparisons in BigInt mode, as a JS boolean expression; null for the others. */
export function bigCompare(name: string, a: string, b: string): string | null {
  const signed = (x: string): string =>
    BIG_LIT.test(x) ? bigLiteral(BigInt(x.slice(0, -1)) ^ (1n << 63n)) : `(${x} ^ ${S63})`;
  const ops: Record<string, string> = { eq: '===', ne: '!==', lt: '<', gt: '>', le: '<=', ge: '>=' };
  const [rel, sign] = name.split('_');
  const op = ops[rel];
  if (op === undefined) return null;
  return sign === 's' ? `${signed(a)} ${op} ${signed(b)}` : `${a} ${op} ${b}`;
}

/** i32.wrap_i64 of a BigInt. */
export const bigWrap = (a: string): string => `(${use('num')}(${a} & 4294967295n) | 0)`;
/** i64.extend_i32_s / _u of an i32. */
export const bigExtendI32 = (x: string, signed: boolean): string =>
  signed ? `(${use('big')}(${x}) & ${M64})` : `${use('big')}(${x} >>> 0)`;
