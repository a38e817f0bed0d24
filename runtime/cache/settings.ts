// The engine settings that change generated code. Compile products are shared, serialized
// and cached only between engines whose settings are equal.

import type { CheckOptions } from '../../compiler/translate';
import { compilationMode, type EngineConfig } from '../engine';
import { checkOptionsOf } from '../limits';
import { codegenProfileFor, outlineThresholdFor } from '../optlimit';
import { NAN_CARRIERS } from '../../vmctx/nan';

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
}

/** The settings of an engine, as they are now (environment variables included). Under Node,
 *  computing the outline threshold raises V8's optimization limit (optlimit.ts) unless the
 *  engine opts out, as translation would. */
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
  };
}

/** A string equal for equal settings. */
export function settingsKey(s: CodeSettings): string {
  const key = [s.compilation, s.codegen, s.outlineThreshold, s.fuel, s.interrupt, s.features];
  return JSON.stringify(s.nanCarriers === true ? [...key, 'nan-carriers'] : key);
}

export function checkOptionsFrom(s: CodeSettings): CheckOptions | undefined {
  return s.fuel || s.interrupt ? { fuel: s.fuel, interrupt: s.interrupt } : undefined;
}
