// Numeric literals of the text format (spec 6.3.1): integers with optional sign, `0x`
// hex and `_` separators; floats in decimal or hex with exact round-to-nearest-even,
// `inf`, `nan`, `nan:0x...`. Every failure throws CompileError('malformed').

import { malformed } from '../errors';

const DEC_NUM = /^[0-9](_?[0-9])*$/;
const HEX_NUM = /^[0-9a-fA-F](_?[0-9a-fA-F])*$/;

/** Parses an unsigned integer literal (no sign) as a bigint, or undefined if not one. */
export function parseNatBig(text: string): bigint | undefined {
  if (text.startsWith('0x')) {
    const d = text.slice(2);
    if (!HEX_NUM.test(d)) return undefined;
    return BigInt('0x' + d.replace(/_/g, ''));
  }
  if (!DEC_NUM.test(text)) return undefined;
  return BigInt(text.replace(/_/g, ''));
}

/** Parses a `nat` as a JS number if it is a u32 literal; undefined if not a nat. Throws if too big. */
export function parseU32(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if (!(c >= 48 && c <= 57)) return undefined;
  if (text.length < 10 && /^[0-9]+$/.test(text)) return Number(text);
  const v = parseNatBig(text);
  if (v === undefined) return undefined;
  if (v > 0xffffffffn) throw malformed('constant out of range');
  return Number(v);
}

/** True when the token looks like a nat (starts with a digit). */
export const looksNat = (text: string): boolean => {
  const c = text.charCodeAt(0);
  return c >= 48 && c <= 57;
};

/**
 * Parses a (possibly signed) integer literal into the two's-complement value range of
 * `bits` bits: accepts -2^(bits-1) .. 2^bits-1. Returns the value as a bigint in
 * unsigned form (0 .. 2^bits-1), or throws.
 */
export function parseIntBits(text: string, bits: number): bigint {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const v = parseNatBig(s);
  if (v === undefined) throw malformed('unknown operator');
  const lim = 1n << BigInt(bits);
  if (neg) {
    if (v > lim >> 1n) throw malformed(`i${bits} constant out of range`);
    return v === 0n ? 0n : lim - v;
  }
  if (v >= lim) throw malformed(`i${bits} constant out of range`);
  return v;
}

/** i32 literal → int32 number. Fast path for short decimals. */
export function parseI32(text: string): number {
  if (text.length < 10 && /^[+-]?[0-9]+$/.test(text)) {
    return Number(text) | 0;
  }
  return Number(BigInt.asIntN(32, parseIntBits(text, 32)));
}

/** i64 literal → signed bigint. */
export function parseI64(text: string): bigint {
  return BigInt.asIntN(64, parseIntBits(text, 64));
}

interface FloatFormat {
  readonly mant: number; // significand bits including the hidden bit
  readonly expBits: number;
  readonly bias: number;
}
const F32: FloatFormat = { mant: 24, expBits: 8, bias: 127 };
const F64: FloatFormat = { mant: 53, expBits: 11, bias: 1023 };

const bitLen = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

/**
 * Rounds the positive rational num/den to the nearest representable value of `fmt`
 * (ties to even) and returns its bit pattern without the sign, or throws when it
 * rounds to infinity.
 */
function roundRational(num: bigint, den: bigint, fmt: FloatFormat): bigint {
  if (num === 0n) return 0n;
  const p = fmt.mant;
  const emin = 1 - fmt.bias;
  const emax = fmt.bias;
  // e = floor(log2(num/den))
  let e = bitLen(num) - bitLen(den);
  if (e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den) e--;
  const ee = Math.max(e, emin);
  const shift = p - 1 - ee;
  let n2 = num;
  let d2 = den;
  if (shift >= 0) n2 <<= BigInt(shift);
  else d2 <<= BigInt(-shift);
  let q = n2 / d2;
  const r2 = (n2 - q * d2) * 2n;
  if (r2 > d2 || (r2 === d2 && (q & 1n) === 1n)) q++;
  let exp = ee;
  const hidden = 1n << BigInt(p - 1);
  if (q >= hidden << 1n) {
    q >>= 1n;
    exp++;
  }
  if (exp > emax) throw malformed('constant out of range');
  if (q < hidden) return q; // subnormal (exp == emin)
  return (BigInt(exp + fmt.bias) << BigInt(p - 1)) | (q - hidden);
}

const DEC_FLOAT = /^([0-9](?:_?[0-9])*)(?:\.((?:[0-9](?:_?[0-9])*)?))?(?:[eE]([+-]?[0-9](?:_?[0-9])*))?$/;
const HEX_FLOAT =
  /^0x([0-9a-fA-F](?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?))?(?:[pP]([+-]?[0-9](?:_?[0-9])*))?$/;

function parseFloatBits(text: string, fmt: FloatFormat): bigint {
  let s = text;
  let sign = 0n;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = 1n;
    s = s.slice(1);
  }
  const totalBits = BigInt(fmt.mant - 1 + fmt.expBits);
  const signBit = sign << totalBits;
  const expAll = ((1n << BigInt(fmt.expBits)) - 1n) << BigInt(fmt.mant - 1);
  if (s === 'inf') return signBit | expAll;
  if (s === 'nan') return signBit | expAll | (1n << BigInt(fmt.mant - 2));
  if (s.startsWith('nan:0x')) {
    const v = parseNatBig(s.slice(4));
    if (v === undefined) throw malformed('unknown operator');
    if (v === 0n || v >= 1n << BigInt(fmt.mant - 1)) throw malformed('constant out of range');
    return signBit | expAll | v;
  }
  let m: RegExpExecArray | null;
  if ((m = HEX_FLOAT.exec(s))) {
    const intPart = m[1].replace(/_/g, '');
    const frac = (m[2] ?? '').replace(/_/g, '');
    const exp = m[3] === undefined ? 0 : expValue(m[3]);
    const mant = BigInt('0x' + intPart + frac);
    const e2 = exp - 4 * frac.length;
    return signBit | scaled(mant, e2, 2n, fmt);
  }
  if ((m = DEC_FLOAT.exec(s))) {
    const intPart = m[1].replace(/_/g, '');
    const frac = (m[2] ?? '').replace(/_/g, '');
    const exp = m[3] === undefined ? 0 : expValue(m[3]);
    if (fmt === F64) {
      // JS number parsing of a decimal string is correctly rounded to f64.
      const v = Number(`${intPart}.${frac || '0'}e${exp}`);
      if (!Number.isFinite(v)) throw malformed('constant out of range');
      const dv = new DataView(new ArrayBuffer(8));
      dv.setFloat64(0, v);
      return signBit | dv.getBigUint64(0);
    }
    const mant = BigInt(intPart + frac);
    return signBit | scaled(mant, exp - frac.length, 10n, fmt);
  }
  throw malformed('unknown operator');
}

/** Exponents are clamped: anything beyond ±100000 over/underflows every format anyway. */
function expValue(t: string): number {
  const v = Number(t.replace(/_/g, ''));
  return Math.max(-100000, Math.min(100000, v));
}

function scaled(mant: bigint, e: number, base: bigint, fmt: FloatFormat): bigint {
  if (mant === 0n) return 0n;
  // Clamp absurd exponents relative to the mantissa size so BigInt powers stay small.
  const digits = base === 2n ? bitLen(mant) : mant.toString().length;
  const limit = base === 2n ? 1200 : 400;
  if (e + digits > limit) throw malformed('constant out of range');
  if (e + digits < -limit - (base === 2n ? 200 : 60)) return 0n; // far below the smallest subnormal
  if (e >= 0) return roundRational(mant * base ** BigInt(e), 1n, fmt);
  return roundRational(mant, base ** BigInt(-e), fmt);
}

/** f32 literal → uint32 bit pattern. */
export function parseF32(text: string): number {
  return Number(parseFloatBits(text, F32));
}

/** f64 literal → uint64 bit pattern. */
export function parseF64(text: string): bigint {
  return parseFloatBits(text, F64);
}
