// The helper object that generated code receives. The compiler never imports runtime/, so
// this file only names what generated code may use; runtime/helpers.ts implements it.
// Generated code destructures every name below once, in the module prelude.

/** Names generated code may reference, in prelude order. */
export const HELPER_NAMES = [
  // traps and type ids
  'trap', 'unsupported', 'TY', 'funcSubtype',
  // float bit carriers (runtime/values.ts semantics)
  'f32FromBits', 'f32ToBits', 'f64FromBits', 'f64ToBits',
  'f32neg', 'f32abs', 'f32copysign', 'f64neg', 'f64abs', 'f64copysign',
  'fmin', 'fmax', 'nearest', 'fceil', 'ffloor', 'ftrunc',
  // integer helpers
  'ctz32', 'popcnt32', 'rotl32', 'rotr32',
  'truncI32S', 'truncI32U',
  'truncSatI32S', 'truncSatI32U',
  // i64 as (lo, hi) int32 words: helpers producing an i64 return the low word and leave the
  // high word in rI32[1] (the hi register); see compiler/translate/i64.ts
  'i64shl', 'i64shrS', 'i64shrU', 'i64rotl', 'i64rotr', 'i64divS', 'i64divU', 'i64remS', 'i64remU',
  'truncI64S', 'truncI64U', 'truncSatI64', 'truncSatU64', 'i64ToF32', 'u64ToF32',
  'f64ToWords', 'f64FromWords', 'i64Box', 'i64Unbox', 'i64Lo', 'i64Hi',
  // memories, tables, segments
  'memGrow', 'memFill', 'memCopy', 'memInit',
  'tableGet', 'tableSet', 'tableGrow', 'tableFill', 'tableCopy', 'tableInit', 'callIndirect',
  'EMPTY_ELEM', 'EMPTY_DATA',
  // multi-value return area: slot i is rI32[2i] / rF64[i] / rRef[i]; an i64 result i is the
  // words rI32[2i], rI32[2i+1]; rI32[1] is the hi register
  'rI32', 'rI64', 'rF64', 'rRef',
  // v128
  'V128', 'v128Load', 'v128Store', 'SIMD',
  // tail calls: argument registers, request, driver loop, body-function key
  'TA', 'tail', 'runTail', 'TB',
  // GC (runtime/gc.ts)
  'structNew', 'structRef', 'arrayNew', 'arrayFixed', 'arrayNewData', 'arrayNewElem', 'arrayGet', 'arraySet',
  'arrayLen', 'arrayFill', 'arrayCopy', 'arrayInitData', 'arrayInitElem', 'i31', 'externalize', 'internalize',
  'refTest', 'refCast', 'structLayout', 'refTestFn',
  // exceptions
  'WasmException', 'throwException', 'isTrap', 'wrapTrap',
  // lazy translation: compiles a function's source on its first call (translate/index.ts);
  // CC keys a lazy stub's translated code
  'lazyCompile', 'CC',
] as const;

export type HelperName = (typeof HELPER_NAMES)[number];

/** The helper object's type, as far as the compiler cares: every name must be present. */
export type TranslatedHelpers = Record<HelperName, unknown>;
