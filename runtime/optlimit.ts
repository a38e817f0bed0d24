// Host-dependent translation settings: V8's optimization size limit and the outliner's
// threshold, and the code-generation profile.
//
// V8 never optimizes a function whose bytecode exceeds `--max-optimized-bytecode-size`
// (60 KiB in Node 20). The translator keeps functions under that limit by outlining
// (compiler/translate/outline.ts), but outlined regions reach the function's locals through
// closure context slots, which costs a big interpreter loop (SQLite's VDBE) most of its
// speed: sql.js's insert workload runs about 2.5 times faster when that function stays whole
// and V8 optimizes it. So under Node, where `v8.setFlagsFromString` exists, the runtime
// raises the limit once, before the first translation, and passes the outliner a threshold
// scaled to match; functions still above it are outlined as before.
//
// The flag is process-wide: it lets V8 optimize any function up to RAISED_LIMIT bytes of
// bytecode (compile time and memory grow with size, on V8's background compiler thread).
// Engine option `raiseOptimizationLimit: false`, or JETWASM_RAISE_OPT_LIMIT=0 in the
// environment, leaves V8's flags alone; hosts without the API (browsers) keep the default.

import type { I64Lowering } from '../compiler/translate/env';
import { outlineLimits } from '../compiler/translate/outline';
import { hostEnv } from './host-env';
import { hostHasJit, hostPrefersBigInt } from './jit-probe';

/** V8's default `--max-optimized-bytecode-size` (Node 20), which outlineLimits.threshold fits. */
const DEFAULT_LIMIT = 60 * 1024;
/** The raised limit, in bytes of bytecode. */
export const RAISED_LIMIT = 1024 * 1024;

let state: 'untried' | 'raised' | 'unavailable' = 'untried';

function envOptsOut(): boolean {
  const v = hostEnv('JETWASM_RAISE_OPT_LIMIT');
  return v === '0' || v === 'false';
}

function tryRaise(): boolean {
  if (state === 'untried') {
    state = 'unavailable';
    try {
      // A plain `require` would make bundlers pull in (or fail on) node:v8; the lookup
      // through `module` keeps this a run-time question.
      const req =
        typeof module !== 'undefined' && typeof module.require === 'function' ? module.require.bind(module) : null;
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

/**
 * The outline threshold (source characters) for an engine: for 'interpreter' code, whose
 * host has no optimizing compiler to fit, outline.ts's interpreterThreshold (V8's limit is
 * left alone); otherwise outline.ts's default, scaled up when V8's limit is (or can now be)
 * raised and the engine does not opt out.
 */
export function outlineThresholdFor(config: {
  readonly raiseOptimizationLimit?: unknown;
  readonly codegen?: unknown;
}): number {
  if (codegenProfileFor(config) === 'interpreter') return outlineLimits.interpreterThreshold;
  if (config.raiseOptimizationLimit === false || envOptsOut()) return outlineLimits.threshold;
  if (!tryRaise()) return outlineLimits.threshold;
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

export function codegenProfileFor(config: { readonly codegen?: unknown }): 'jit' | 'interpreter' {
  if (config.codegen === 'jit' || config.codegen === 'interpreter') return config.codegen;
  // The environment can choose for engines that do not (e.g. to run the spec suite on both).
  const env = hostEnv('JETWASM_CODEGEN');
  if (env === 'jit' || env === 'interpreter') return env;
  return hostHasJit() ? 'jit' : 'interpreter';
}
