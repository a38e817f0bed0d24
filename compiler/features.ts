// The proposals a module may use: each one's switch, and which opcodes belong to which. The
// validator rejects a module that uses a switched-off proposal (runtime/engine.ts `features`).
// Defaults: everything of WebAssembly 3.0 on; custom descriptors, not part of 3.0, off.

import { PREFIX_ATOMIC, PREFIX_GC, PREFIX_MISC, PREFIX_SIMD, type OpInfo } from './opcodes';

export interface Features {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly threads: boolean;
  readonly exceptions: boolean;
  /** Typed function references and GC. */
  readonly gc: boolean;
  readonly tailCall: boolean;
  readonly memory64: boolean;
  readonly multiMemory: boolean;
  /** Reference types: several tables, table instructions on any table. */
  readonly referenceTypes: boolean;
  readonly customPageSizes: boolean;
  readonly extendedConst: boolean;
  readonly wideArithmetic: boolean;
  readonly customDescriptors: boolean;
}

export type FeatureName = keyof Features;

export const DEFAULT_FEATURES: Features = {
  simd: true,
  relaxedSimd: true,
  threads: true,
  exceptions: true,
  gc: true,
  tailCall: true,
  memory64: true,
  multiMemory: true,
  referenceTypes: true,
  customPageSizes: true,
  extendedConst: true,
  wideArithmetic: true,
  customDescriptors: false,
};

/** `given` over the defaults; unknown keys are ignored. */
export function resolveFeatures(given: Partial<Record<string, unknown>> | undefined): Features {
  if (given === undefined) return DEFAULT_FEATURES;
  const f: Record<string, boolean> = { ...DEFAULT_FEATURES };
  for (const k of Object.keys(DEFAULT_FEATURES)) if (typeof given[k] === 'boolean') f[k] = given[k] as boolean;
  return f as unknown as Features;
}

/** True when every proposal is on (the validator then has nothing to check per instruction). */
export function allOn(f: Features): boolean {
  for (const k of Object.keys(f) as FeatureName[]) if (!f[k]) return false;
  return true;
}

const DESCRIPTOR_OPS = new Set([
  'struct.new_desc',
  'struct.new_default_desc',
  'ref.get_desc',
  'ref.cast_desc_eq',
  'ref.cast_desc_eq_null',
  'br_on_cast_desc_eq',
  'br_on_cast_desc_eq_fail',
]);
const EXCEPTION_OPS = new Set(['try', 'catch', 'throw', 'rethrow', 'throw_ref', 'delegate', 'catch_all', 'try_table']);
const GC_SINGLE_OPS = new Set([
  'call_ref',
  'return_call_ref',
  'ref.eq',
  'ref.as_non_null',
  'br_on_null',
  'br_on_non_null',
]);
const TAIL_OPS = new Set(['return_call', 'return_call_indirect', 'return_call_ref']);
const WIDE_OPS = new Set(['i64.add128', 'i64.sub128', 'i64.mul_wide_s', 'i64.mul_wide_u']);

/** The proposal an opcode belongs to, or null for those of WebAssembly 2.0 without switches. */
export function opcodeFeature(op: OpInfo): FeatureName | null {
  switch (op.prefix) {
    case PREFIX_SIMD:
      return /relaxed/.test(op.name) ? 'relaxedSimd' : 'simd';
    case PREFIX_ATOMIC:
      return 'threads';
    case PREFIX_GC:
      return DESCRIPTOR_OPS.has(op.name) ? 'customDescriptors' : 'gc';
    case PREFIX_MISC:
      return WIDE_OPS.has(op.name) ? 'wideArithmetic' : null;
  }
  if (EXCEPTION_OPS.has(op.name)) return 'exceptions';
  if (TAIL_OPS.has(op.name)) return 'tailCall';
  if (GC_SINGLE_OPS.has(op.name)) return 'gc';
  return null;
}
