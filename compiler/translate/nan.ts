// The carrier variant of the translation, used where the host canonicalises NaNs
// (vmctx/nan.ts): there an f32/f64 value in generated code is a JS number or, for a NaN the
// host would change, a NaNBits carrier (runtime/vm/values.ts). Everything that only moves values
// (locals, parameters, results, select, block parameters, exception payloads) is unchanged,
// and arithmetic on a carrier yields the canonical NaN through its valueOf. What differs:
//   - f64 loads and stores go through the helpers f64Load/f64Store, which read and write the
//     bits (a DataView's getFloat64 would hand back an already canonicalised number, and
//     setFloat64 of a carrier would store the canonical NaN);
//   - eq/ne compare `+a` with `+b`: a carrier is identical to itself, a NaN is not equal to
//     anything;
//   - a NaN test before an f32 store is `v === +v`, false for carriers as for NaNs;
//   - float globals are cells (vmctx slabKindOf), imported ones read through `.value`;
//   - the bit-preserving helpers (neg, abs, copysign, reinterpretation) and the helpers that
//     test `x !== x` are the carrier-aware ones of runtime/vm/nan.ts.
// Where NaNs keep their bits, none of this is emitted: the translation is byte for byte the
// plain one.

import { use } from './bindings';
export { NAN_CARRIERS } from '../../vmctx/nan';

/** Helpers only the carrier variant uses, appended to the prelude's helper bindings. */
export const NAN_HELPER_NAMES = ['f64Load', 'f64Store'] as const;

/** An f64 load in the carrier variant. */
export const f64LoadCarrier = (dv: string, ea: string): string => `${use('f64Load')}(${dv}, ${ea})`;

/** An f64 store in the carrier variant. */
export const f64StoreCarrier = (dv: string, ea: string, v: string): string => `${use('f64Store')}(${dv}, ${ea}, ${v});`;

/** A float eq/ne comparison in the carrier variant. */
export const floatEqualityCarrier = (a: string, op: string, b: string): string => `+(${a}) ${op} +(${b})`;
