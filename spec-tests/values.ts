// Matching actual Wasm values (as the runtime's API returns them) against the expectations
// of a WAST script, and converting script constants into API values.
//
// Every comparison is bit-exact: f32 values through f32ToBits, f64 through f64ToBits, so a
// NaN payload or the sign of zero is never lost to JS number equality.
//
// Reference classification comes from the runtime (refKind/hostRef); it is passed in as a
// RefOracle so this module depends only on runtime/vm/values.ts and can be tested alone.

import { f32FromBits, f32ToBits, f64FromBits, f64ToBits, isNaNBits } from '../runtime/vm/values';
import type { LanePattern, WastConst, WastExpected } from '../compiler/text/wast-types';

export type RefKind = 'null' | 'func' | 'extern' | 'i31' | 'struct' | 'array' | 'exn' | 'host';

/** The runtime's view of references: classification and stable host references. */
export interface RefOracle {
  refKind(v: unknown): RefKind;
  hostRef(n: number): object;
}

/** Script constant -> API value (see the runtime API's WasmValue). */
export function constToValue(c: WastConst, refs: RefOracle): unknown {
  switch (c.type) {
    case 'i32':
      return c.value | 0;
    case 'i64':
      return BigInt.asIntN(64, c.value);
    case 'f32':
      return f32FromBits(c.bits);
    case 'f64':
      return f64FromBits(c.bits);
    case 'v128':
      return new Uint8Array(c.bytes);
    case 'ref.null':
      return null;
    case 'ref.extern':
    case 'ref.host':
      return refs.hostRef(c.value);
  }
}

// ---------------------------------------------------------------- NaN patterns

const F32_EXP = 0x7f800000;
const F32_QUIET = 0x00400000;
const F32_CANONICAL = 0x7fc00000; // without the sign bit

/** Canonical NaN: exponent all ones, quiet bit set, rest of the payload zero; either sign. */
export function isCanonicalNanF32(bits: number): boolean {
  return (bits & 0x7fffffff) >>> 0 === F32_CANONICAL;
}
/** Arithmetic NaN: exponent all ones and the quiet bit set; any payload, either sign. */
export function isArithmeticNanF32(bits: number): boolean {
  return (bits & (F32_EXP | F32_QUIET)) >>> 0 === (F32_EXP | F32_QUIET) >>> 0;
}

const F64_ABS = 0x7fffffffffffffffn;
const F64_EXP_QUIET = 0x7ff8000000000000n;

export function isCanonicalNanF64(bits: bigint): boolean {
  return (BigInt.asUintN(64, bits) & F64_ABS) === F64_EXP_QUIET;
}
export function isArithmeticNanF64(bits: bigint): boolean {
  return (BigInt.asUintN(64, bits) & F64_EXP_QUIET) === F64_EXP_QUIET;
}

// ---------------------------------------------------------------- formatting

const hex32 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0');
const hex64 = (n: bigint): string => '0x' + BigInt.asUintN(64, n).toString(16).padStart(16, '0');

/** A short, unambiguous rendering of an actual value for failure messages. */
export function formatValue(v: unknown, refs?: RefOracle): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') {
    // The number alone hides NaN payloads, so show both the f64 and f32 views when relevant.
    if (Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff && !Object.is(v, -0)) return String(v);
    return `${v} (f64 ${hex64(f64ToBits(v))}, f32 ${hex32(f32ToBits(v))})`;
  }
  if (isNaNBits(v))
    return `NaN (f64 ${hex64(f64ToBits(v as unknown as number))}, f32 ${hex32(f32ToBits(v as unknown as number))})`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return 'v128 ' + Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (refs) {
    try {
      return `<ref ${refs.refKind(v)}>`;
    } catch {
      // Fall through to a generic rendering.
    }
  }
  return `<${typeof v}>`;
}

function formatLane(p: LanePattern): string {
  if (typeof p === 'object') return `nan:${p.nan}`;
  return String(p);
}

export function formatExpected(e: WastExpected): string {
  switch (e.type) {
    case 'i32':
      return `(i32.const ${e.value})`;
    case 'i64':
      return `(i64.const ${e.value})`;
    case 'f32':
      return 'nan' in e ? `(f32.const nan:${e.nan})` : `(f32.const ${hex32(e.bits)})`;
    case 'f64':
      return 'nan' in e ? `(f64.const nan:${e.nan})` : `(f64.const ${hex64(e.bits)})`;
    case 'v128':
      if ('shape' in e) return `(v128.const ${e.shape} ${e.lanes.map(formatLane).join(' ')})`;
      return `(v128.const ${Array.from(e.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')})`;
    case 'ref.null':
      return e.heap === undefined ? '(ref.null)' : `(ref.null ${e.heap})`;
    case 'ref.extern':
      return e.value === undefined ? '(ref.extern)' : `(ref.extern ${e.value})`;
    case 'ref.host':
      return `(ref.host ${e.value})`;
    case 'either':
      return `(either ${e.options.map(formatExpected).join(' ')})`;
    default:
      return `(${e.type})`;
  }
}

// ---------------------------------------------------------------- matching

interface Shape {
  readonly lanes: number;
  readonly bytes: number;
  readonly float: boolean;
}
const SHAPES: Readonly<Record<string, Shape>> = {
  i8x16: { lanes: 16, bytes: 1, float: false },
  i16x8: { lanes: 8, bytes: 2, float: false },
  i32x4: { lanes: 4, bytes: 4, float: false },
  i64x2: { lanes: 2, bytes: 8, float: false },
  f32x4: { lanes: 4, bytes: 4, float: true },
  f64x2: { lanes: 2, bytes: 8, float: true },
};

/** Lane i of a v128 as an unsigned integer: number for lanes up to 32 bits, bigint for 64. */
function readLane(v: Uint8Array, shape: Shape, i: number): number | bigint {
  const dv = new DataView(v.buffer, v.byteOffset, 16);
  const at = i * shape.bytes;
  switch (shape.bytes) {
    case 1:
      return dv.getUint8(at);
    case 2:
      return dv.getUint16(at, true);
    case 4:
      return dv.getUint32(at, true);
    default:
      return dv.getBigUint64(at, true);
  }
}

function laneMatches(actual: number | bigint, pattern: LanePattern, shape: Shape): boolean {
  if (typeof pattern === 'object') {
    if (!shape.float) return false;
    if (shape.bytes === 4) {
      const bits = actual as number;
      return pattern.nan === 'canonical' ? isCanonicalNanF32(bits) : isArithmeticNanF32(bits);
    }
    const bits = actual as bigint;
    return pattern.nan === 'canonical' ? isCanonicalNanF64(bits) : isArithmeticNanF64(bits);
  }
  if (shape.bytes === 8) return BigInt.asUintN(64, BigInt(pattern)) === actual;
  const mask = shape.bytes === 4 ? 0xffffffff : (1 << (shape.bytes * 8)) - 1;
  const want = shape.bytes === 4 ? Number(pattern) >>> 0 : Number(pattern) & mask;
  return want === actual;
}

function isV128(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === 16;
}

function safeKind(v: unknown, refs: RefOracle): RefKind | undefined {
  if (v === null) return 'null';
  try {
    return refs.refKind(v);
  } catch {
    return undefined;
  }
}

function matchF32Bits(bits: number, e: WastExpected): boolean {
  if ('nan' in e) return e.nan === 'canonical' ? isCanonicalNanF32(bits) : isArithmeticNanF32(bits);
  return 'bits' in e && typeof e.bits === 'number' && bits >>> 0 === e.bits >>> 0;
}

/** Does one actual value match one expectation? */
export function matchValue(actual: unknown, e: WastExpected, refs: RefOracle): boolean {
  switch (e.type) {
    case 'i32':
      return typeof actual === 'number' && actual === (e.value | 0);
    case 'i64':
      return typeof actual === 'bigint' && actual === BigInt.asIntN(64, e.value);
    case 'f32': {
      // A non-NaN f32 result must already be rounded to f32: an unrounded f64 that happens
      // to round to the expected bits would hide a missing Math.fround in generated code.
      if (isNaNBits(actual)) return matchF32Bits(f32ToBits(actual as unknown as number), e);
      if (typeof actual !== 'number' || (actual === actual && Math.fround(actual) !== actual)) return false;
      return matchF32Bits(f32ToBits(actual), e);
    }
    case 'f64': {
      // A NaNBits carrier stands for a NaN the host cannot hold in a number (runtime/vm/values.ts).
      if (typeof actual !== 'number' && !isNaNBits(actual)) return false;
      const bits = f64ToBits(actual as number);
      if ('nan' in e) return e.nan === 'canonical' ? isCanonicalNanF64(bits) : isArithmeticNanF64(bits);
      return bits === BigInt.asUintN(64, e.bits);
    }
    case 'v128': {
      if (!isV128(actual)) return false;
      if ('shape' in e) {
        const shape = SHAPES[e.shape];
        if (!shape || e.lanes.length !== shape.lanes) return false;
        for (let i = 0; i < shape.lanes; i++) {
          if (!laneMatches(readLane(actual, shape, i), e.lanes[i], shape)) return false;
        }
        return true;
      }
      if (e.bytes.length !== 16) return false;
      for (let i = 0; i < 16; i++) if (actual[i] !== e.bytes[i]) return false;
      return true;
    }
    case 'ref.null':
      // Any null matches, whatever heap type the script names: the API has one null.
      return safeKind(actual, refs) === 'null';
    case 'ref.extern':
      if (e.value === undefined) {
        const k = safeKind(actual, refs);
        return k !== undefined && k !== 'null';
      }
      return actual !== null && actual === refs.hostRef(e.value);
    case 'ref.host':
      return actual !== null && actual === refs.hostRef(e.value);
    case 'ref.func':
      return safeKind(actual, refs) === 'func';
    case 'ref.struct':
      return safeKind(actual, refs) === 'struct';
    case 'ref.array':
      return safeKind(actual, refs) === 'array';
    case 'ref.i31':
      return safeKind(actual, refs) === 'i31';
    case 'ref.exn':
      return safeKind(actual, refs) === 'exn';
    case 'ref.eq': {
      const k = safeKind(actual, refs);
      return k === 'i31' || k === 'struct' || k === 'array';
    }
    case 'ref.any': {
      // Any non-null reference in the `any` hierarchy, including internalised host values.
      const k = safeKind(actual, refs);
      return k === 'i31' || k === 'struct' || k === 'array' || k === 'host' || k === 'extern';
    }
    case 'either':
      return e.options.some((o) => matchValue(actual, o, refs));
  }
}

/**
 * Checks a whole result list. Returns undefined on a match, otherwise a message naming the
 * first mismatch (or the count mismatch).
 */
export function matchResults(
  actual: readonly unknown[],
  expected: readonly WastExpected[],
  refs: RefOracle,
): string | undefined {
  if (actual.length !== expected.length) {
    return `expected ${expected.length} result(s), got ${actual.length}: [${actual.map((v) => formatValue(v, refs)).join(', ')}]`;
  }
  for (let i = 0; i < expected.length; i++) {
    if (!matchValue(actual[i], expected[i], refs)) {
      const which = expected.length > 1 ? `result ${i}: ` : '';
      return `${which}expected ${formatExpected(expected[i])}, got ${formatValue(actual[i], refs)}`;
    }
  }
  return undefined;
}
