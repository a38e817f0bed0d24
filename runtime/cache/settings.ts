// The engine settings that change generated code. Compile products are shared, serialized
// and cached only between engines whose settings are equal.

import type { CheckOptions } from '../../compiler/translate';
import { compilationMode, type EngineConfig } from '../engine';
import { checkOptionsOf } from '../limits';
import { codegenProfileFor, i64LoweringFor, memoryAccessFor, outlineThresholdFor } from '../optlimit';
import { NAN_CARRIERS } from '../../vmctx/nan';
import type { I64Lowering } from '../../compiler/translate/env';

export interface CodeSettings {
  readonly compilation: 'lazy' | 'eager';
  readonly codegen: 'jit' | 'interpreter';
  readonly outlineThreshold: number;
  readonly fuel: boolean;
  readonly interrupt: boolean;
  /** The engine's `features` option, keys sorted. */
  readonly features: Readonly<Record<string, unknown>>;
  /** Present where generated code is the NaN-carrier variant (vmctx/nan.ts). */
  readonly nanCarriers?: true;
  /** Present where 'interpreter' code carries i64 values as BigInts (optlimit.ts). */
  readonly i64?: 'bigint' | 'bigint-always';
  /** Present where 'interpreter' code reads memories through typed arrays first (optlimit.ts). */
  readonly memoryAccess?: 'arrays-first';
}

/** The settings of an engine, as they are now (environment variables included). Under Node,
 *  the outline threshold assumes V8's raised optimization limit unless the engine opts out;
 *  the limit itself is raised when code that needs it is about to run (optlimit.ts). */
export function codeSettings(engine: { readonly config: EngineConfig }): CodeSettings {
  const c = engine.config;
  const checks = checkOptionsOf(engine);
  const features: Record<string, unknown> = {};
  const f = c.features;
  if (typeof f === 'object' && f !== null) {
    for (const k of Object.keys(f).sort()) features[k] = (f as Record<string, unknown>)[k];
  }
  return {
    compilation: compilationMode(c),
    codegen: codegenProfileFor(c),
    outlineThreshold: outlineThresholdFor(c),
    fuel: checks?.fuel === true,
    interrupt: checks?.interrupt === true,
    features,
    ...(NAN_CARRIERS ? { nanCarriers: true as const } : {}),
    ...i64Setting(i64LoweringFor(c)),
    ...(memoryAccessFor(c) === 'arrays-first' ? { memoryAccess: 'arrays-first' as const } : {}),
  };
}

function i64Setting(l: I64Lowering): { i64?: 'bigint' | 'bigint-always' } {
  return l === 'pairs' ? {} : { i64: l };
}

/** A string equal for equal settings. */
export function settingsKey(s: CodeSettings): string {
  const key: unknown[] = [s.compilation, s.codegen, s.outlineThreshold, s.fuel, s.interrupt, s.features];
  if (s.nanCarriers === true) key.push('nan-carriers');
  if (s.i64 !== undefined) key.push(`i64-${s.i64}`);
  if (s.memoryAccess !== undefined) key.push(`memory-${s.memoryAccess}`);
  return JSON.stringify(key);
}

export function checkOptionsFrom(s: CodeSettings): CheckOptions | undefined {
  return s.fuel || s.interrupt ? { fuel: s.fuel, interrupt: s.interrupt } : undefined;
}
