// The helpers generated code uses where NaNs need carriers (vmctx/nan.ts,
// compiler/translate/nan.ts): they replace the plain helpers of the same names, and add
// f64Load/f64Store. Each keeps the invariants of runtime/vm/values.ts: a bit-preserving
// operation returns a carrier exactly when its result is a NaN the host would change, and a
// helper that tests for NaN with `x !== x` (false for a carrier) gets `+x`, which is NaN.

import { NaNBits, boxF64Words, carrierWords, f32FromBits, f32ToBits } from './values';
import { rI32 } from '../objects';

function f64neg(x: number): number {
  if (typeof x === 'number' && x === x) return -x;
  const w = carrierWords(x);
  return boxF64Words(w[0], w[1] ^ 0x80000000);
}
function f64abs(x: number): number {
  if (typeof x === 'number' && x === x) return Math.abs(x);
  const w = carrierWords(x);
  return boxF64Words(w[0], w[1] & 0x7fffffff);
}
function f64copysign(a: number, b: number): number {
  const sign = carrierWords(b)[1] & 0x80000000;
  const w = carrierWords(a);
  return boxF64Words(w[0], (w[1] & 0x7fffffff) | sign);
}
function f32neg(x: number): number {
  return typeof x === 'number' && x === x ? -x : f32FromBits(f32ToBits(x) ^ 0x80000000);
}
function f32abs(x: number): number {
  return typeof x === 'number' && x === x ? Math.abs(x) : f32FromBits(f32ToBits(x) & 0x7fffffff);
}
/** The helpers' convention: the low word returned, the high word in rI32[1]. */
function f64ToWords(x: number): number {
  const w = carrierWords(x);
  rI32[1] = w[1];
  return w[0];
}
function f64Load(dv: DataView, ea: number): number {
  return boxF64Words(dv.getInt32(ea, true), dv.getInt32(ea + 4, true));
}
function f64Store(dv: DataView, ea: number, v: number): void {
  if (typeof v === 'number') {
    dv.setFloat64(ea, v, true);
    return;
  }
  // Both words are checked before either is written: a store out of bounds changes nothing.
  if (ea + 8 > dv.byteLength) dv.getFloat64(ea, true);
  dv.setInt32(ea, (v as unknown as NaNBits).lo, true);
  dv.setInt32(ea + 4, (v as unknown as NaNBits).hi, true);
}

type Unary = (x: number) => unknown;
type Binary = (a: number, b: number) => unknown;
const numeric1 =
  (f: Unary): Unary =>
  (x: number) =>
    f(+x);
const numeric2 =
  (f: Binary): Binary =>
  (a: number, b: number) =>
    f(+a, +b);

/**
 * The carrier variants of `base`'s float helpers, to be spread over it. `base` supplies the
 * plain helpers that only need their operands as numbers.
 */
export function carrierHelpers(base: Record<string, unknown>): Record<string, unknown> {
  const h = (n: string): Unary => base[n] as Unary;
  return {
    f64neg,
    f64abs,
    f64copysign,
    f32neg,
    f32abs,
    f64ToWords,
    f64FromWords: boxF64Words,
    f64Load,
    f64Store,
    fmin: numeric2(base.fmin as Binary),
    fmax: numeric2(base.fmax as Binary),
    nearest: numeric1(h('nearest')),
    fceil: numeric1(h('fceil')),
    ffloor: numeric1(h('ffloor')),
    ftrunc: numeric1(h('ftrunc')),
    truncI32S: numeric1(h('truncI32S')),
    truncI32U: numeric1(h('truncI32U')),
    truncSatI32S: numeric1(h('truncSatI32S')),
    truncSatI32U: numeric1(h('truncSatI32U')),
    truncI64S: numeric1(h('truncI64S')),
    truncI64U: numeric1(h('truncI64U')),
    truncSatI64: numeric1(h('truncSatI64')),
    truncSatU64: numeric1(h('truncSatU64')),
  };
}
