// Host-dependent translation settings: V8's optimization size limit and the outliner's
// threshold, and the code-generation profile.
//
// V8 never optimizes a function whose bytecode exceeds `--max-optimized-bytecode-size`
// (60 KiB in Node 20). The translator keeps functions under that limit by outlining
// (compiler/translate/outline.ts), but outlined regions reach the function's locals through
// closure context slots, which costs a big interpreter loop (SQLite's VDBE) most of its
// speed: sql.js's insert workload runs about 2.5 times faster when that function stays whole
// and V8 optimizes it. So under Node, where `v8.setFlagsFromString` exists, the translator
// gets a threshold scaled to a raised limit, and the runtime raises the limit once, before
// code with a function above the default threshold first runs (`raiseForCode`): V8 checks
// the limit when it decides to optimize a function, and one it found too big it never
// tries again. Most modules have no such function, and loading node:v8 would cost their
// first compile more than the rest of a small module's work; code that goes through a
// serialized module raises it in any case (`raiseForCodeCache`).
//
// The flag is process-wide: it lets V8 optimize any function up to RAISED_LIMIT bytes of
// bytecode (compile time and memory grow with size, on V8's background compiler thread).
// Engine option `raiseOptimizationLimit: false`, or JETWASM_RAISE_OPT_LIMIT=0 in the
// environment, leaves V8's flags alone; hosts without the API (browsers) keep the default.

import type { TranslatedModule } from '../compiler/translate';
import type { I64Lowering, MemoryAccessForm } from '../compiler/translate/env';
import { outlineLimits } from '../compiler/translate/outline';
import { hostEnv } from './host-env';
import { hostHasJit, hostPrefersArraysFirst, hostPrefersBigInt } from './jit-probe';

/** V8's default `--max-optimized-bytecode-size` (Node 20), which outlineLimits.threshold fits. */
const DEFAULT_LIMIT = 60 * 1024;
/** The raised limit, in bytes of bytecode. */
export const RAISED_LIMIT = 1024 * 1024;

let state: 'untried' | 'raised' | 'unavailable' = 'untried';

function envOptsOut(): boolean {
  const v = hostEnv('JETWASM_RAISE_OPT_LIMIT');
  return v === '0' || v === 'false';
}

/** Node's `require`, where the runtime was loaded as a CommonJS module; null elsewhere. */
function hostRequire(): ((id: string) => unknown) | null {
  // A plain `require` would make bundlers pull in (or fail on) node:v8; the lookup through
  // `module` keeps this a run-time question.
  return typeof module !== 'undefined' && typeof module.require === 'function' ? module.require.bind(module) : null;
}

/** Whether the limit is raised or can be: under Node, answered without loading node:v8. */
function raiseAvailable(): boolean {
  if (state !== 'untried') return state === 'raised';
  const g = globalThis as { process?: { versions?: { node?: unknown } } };
  return hostRequire() !== null && typeof g.process?.versions?.node === 'string';
}

function tryRaise(): boolean {
  if (state === 'untried') {
    state = 'unavailable';
    try {
      const req = hostRequire();
      const v8 = req ? (req('v8') as { setFlagsFromString?: (f: string) => void }) : null;
      if (v8 && typeof v8.setFlagsFromString === 'function') {
        v8.setFlagsFromString(`--max-optimized-bytecode-size=${RAISED_LIMIT}`);
        state = 'raised';
      }
    } catch {
      state = 'unavailable';
    }
  }
  return state === 'raised';
}

/** 'raised' once this process raised V8's limit, 'unavailable' if it could not, else 'untried'. */
export function optimizationLimitState(): 'untried' | 'raised' | 'unavailable' {
  return state;
}

/** Whether code made under these settings may hold functions only the raised limit lets V8 optimize. */
function keepsBigFunctions(s: { readonly codegen: string; readonly outlineThreshold: number }): boolean {
  return s.codegen === 'jit' && s.outlineThreshold > outlineLimits.threshold;
}

/**
 * `t` as the runtime runs it: when its settings kept functions whole that V8's default
 * limit does not optimize, raises the limit before such a function's code first runs (the
 * factory's source, or a lazily translated function's as it is handed out). Returns `t` or
 * a copy whose `lazySource` checks each function.
 */
export function raiseForCode(
  t: TranslatedModule,
  s: { readonly codegen: string; readonly outlineThreshold: number },
): TranslatedModule {
  if (state !== 'untried' || !keepsBigFunctions(s)) return t;
  if (t.source.length > outlineLimits.threshold) {
    tryRaise();
    return t;
  }
  const inner = t.lazySource;
  if (inner === undefined) return t;
  return {
    ...t,
    lazySource: (i) => {
      const lz = inner(i);
      if (state === 'untried' && lz.body.length > outlineLimits.threshold) tryRaise();
      return lz;
    },
  };
}

/**
 * Raises the limit for a serialized module made or loaded under these settings, whatever
 * its functions: V8 accepts a code cache only under the flags it was made with, so the
 * processes that write and read a module's cache must agree on this flag.
 */
export function raiseForCodeCache(s: { readonly codegen: string; readonly outlineThreshold: number }): void {
  if (keepsBigFunctions(s)) tryRaise();
}

/**
 * The outline threshold (source characters) for an engine: for 'interpreter' code, whose
 * host has no optimizing compiler to fit, outline.ts's interpreterThreshold (V8's limit is
 * left alone); otherwise outline.ts's default, scaled up when V8's limit is raised or can be
 * (raiseForCode raises it) and the engine does not opt out.
 */
export function outlineThresholdFor(config: {
  readonly raiseOptimizationLimit?: unknown;
  readonly codegen?: unknown;
}): number {
  if (codegenProfileFor(config) === 'interpreter') return outlineLimits.interpreterThreshold;
  if (config.raiseOptimizationLimit === false || envOptsOut()) return outlineLimits.threshold;
  if (!raiseAvailable()) return outlineLimits.threshold;
  return outlineLimits.threshold * (RAISED_LIMIT / DEFAULT_LIMIT);
}

/**
 * The code-generation profile for an engine: its `codegen` option, else JETWASM_CODEGEN in
 * the environment, else 'jit' where the host runs JavaScript with a JIT compiler and
 * 'interpreter' where it does not (runtime/jit-probe.ts: V8's flags under Node, a brief
 * timing probe elsewhere). Hosts without a JIT are why this runtime is used there: Safari's
 * Lockdown Mode, `node --jitless`, JavaScriptCore with --useJIT=false (which keeps its
 * WebAssembly, so its presence says nothing).
 */
export function i64LoweringFor(config: { readonly codegen?: unknown; readonly i64?: unknown }): I64Lowering {
  if (codegenProfileFor(config) !== 'interpreter') return 'pairs';
  const isLowering = (v: unknown): v is I64Lowering => v === 'pairs' || v === 'bigint' || v === 'bigint-always';
  if (isLowering(config.i64)) return config.i64;
  const env = hostEnv('JETWASM_I64');
  if (isLowering(env)) return env;
  // A host with a JIT gets 'interpreter' code only when asked for it, and its optimizing
  // compiler would decide the probe: word pairs, as there.
  return !hostHasJit() && hostPrefersBigInt() ? 'bigint' : 'pairs';
}

/**
 * How 'interpreter' code reaches memories (compiler/translate/env.ts MemoryAccessForm): the
 * engine's `memoryAccess` option, else JETWASM_MEMORY_ACCESS in the environment, else what
 * the host's interpreter runs faster (runtime/jit-probe.ts); 'dataview' for 'jit' code and
 * on hosts with a JIT.
 */
export function memoryAccessFor(config: {
  readonly codegen?: unknown;
  readonly memoryAccess?: unknown;
}): MemoryAccessForm {
  if (codegenProfileFor(config) !== 'interpreter') return 'dataview';
  const isForm = (v: unknown): v is MemoryAccessForm => v === 'dataview' || v === 'arrays-first';
  if (isForm(config.memoryAccess)) return config.memoryAccess;
  const env = hostEnv('JETWASM_MEMORY_ACCESS');
  if (isForm(env)) return env;
  return !hostHasJit() && hostPrefersArraysFirst() ? 'arrays-first' : 'dataview';
}

export function codegenProfileFor(config: { readonly codegen?: unknown }): 'jit' | 'interpreter' {
  if (config.codegen === 'jit' || config.codegen === 'interpreter') return config.codegen;
  // The environment can choose for engines that do not (e.g. to run the spec suite on both).
  const env = hostEnv('JETWASM_CODEGEN');
  if (env === 'jit' || env === 'interpreter') return env;
  return hostHasJit() ? 'jit' : 'interpreter';
}
