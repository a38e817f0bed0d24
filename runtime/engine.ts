// The Engine: the configuration modules are compiled under (translation mode, code-generation
// profile, fuel and interrupt checks, caching) and the engine-wide interrupt state (the
// epoch). Modules belong to the engine that compiled them; stores to the engine they were
// created for, and a store instantiates only its engine's modules.

import { resolveFeatures, type Features } from '../compiler/features';
import { hostEnv } from './host-env';
import { EngineInterrupts } from './limits';

/**
 * Proposal switches (compiler/features.ts): a module using a proposal switched off is a
 * CompileError. Default: all of WebAssembly 3.0 on, custom descriptors off.
 */
export type WasmFeatures = Partial<Features>;

export type EngineOptions = {
  /** Feature switches (all on by default). */
  readonly features?: WasmFeatures;
  /** 'lazy' translates each function on its first call; 'eager' translates a whole module
   *  before its first instantiation returns. Default: the JETWASM_COMPILATION environment
   *  variable (Node), else lazy (see `compilationMode`). */
  readonly compilation?: 'lazy' | 'eager';
  /** Charge fuel at function entries and loop heads (runtime/limits.ts); stores start with
   *  `initialFuel` (default 0). Off: generated code has no fuel checks. */
  readonly consumeFuel?: boolean;
  readonly initialFuel?: number;
  /** Poll epoch and time deadlines at function entries and loop heads. Off: no checks. */
  readonly epochInterruption?: boolean;
  /** The epoch counter (element 0), e.g. over a SharedArrayBuffer so another agent can
   *  advance it with Atomics.add while a guest runs. */
  readonly epochCounter?: Int32Array;
  /** Under Node, raise V8's optimized-bytecode-size limit so big functions are optimized
   *  whole instead of being outlined (runtime/optlimit.ts; process-wide). Default true. */
  readonly raiseOptimizationLimit?: boolean;
  /** Tune generated code for V8's optimizing compiler ('jit') or for a host without one
   *  ('interpreter'); default: 'interpreter' when the host has no native WebAssembly. */
  readonly codegen?: 'jit' | 'interpreter';
  /** How 'interpreter' code carries i64 values: as two int32 words ('pairs') or as BigInts
   *  where that pays ('bigint'; 'bigint-always' wherever the mode applies, to test it);
   *  default: the one the host's interpreter runs faster (runtime/optlimit.ts). */
  readonly i64?: 'pairs' | 'bigint' | 'bigint-always';
  /** How 'interpreter' code reaches memories: through their DataViews ('dataview') or typed
   *  arrays first and bound setters ('arrays-first'; compiler/translate/env.ts
   *  MemoryAccessForm); default: the one the host's interpreter runs faster. */
  readonly memoryAccess?: 'dataview' | 'arrays-first';
  /** Under Node, keep compiled modules in a persistent cache (runtime/cache): `true` for the
   *  default directory ($XDG_CACHE_HOME/jetwasm or ~/.cache/jetwasm), or a directory and a
   *  size limit (default 512 MiB). Other hosts ignore it. */
  readonly cache?: boolean | { readonly directory?: string; readonly maxBytes?: number };
  readonly [key: string]: unknown;
};

/** The engine configuration as code settings read it (any EngineOptions). */
export type EngineConfig = EngineOptions;

/**
 * The engine's translation mode: its `compilation` option, else the JETWASM_COMPILATION
 * environment variable (Node), else lazy. A program's start runs a fraction of its
 * functions, and once translated they run as fast as eagerly translated code: under a JIT
 * because V8's optimizing compiler inlines the stubs they are reached through; under an
 * interpreter because direct calls bypass the stubs and each function keeps its memory
 * views in its own closure variables (env.ts `lazyViews`).
 */
export function compilationMode(config: EngineConfig): 'lazy' | 'eager' {
  const c = config.compilation;
  if (c === 'lazy' || c === 'eager') return c;
  const env = hostEnv('JETWASM_COMPILATION');
  if (env === 'lazy' || env === 'eager') return env;
  return 'lazy';
}

export class Engine {
  private interruptState: EngineInterrupts | undefined;

  constructor(readonly config: EngineOptions = {}) {}

  /** The effective feature set. */
  get features(): Features {
    return resolveFeatures(this.config.features);
  }
  /** True when functions are translated lazily (the effective mode, see `compilation`). */
  get lazy(): boolean {
    return compilationMode(this.config) === 'lazy';
  }
  /** Advances the epoch by one; stores whose epoch deadline is reached trap with
   *  "interrupt" at their next check point. */
  incrementEpoch(): void {
    this.interrupts.incrementEpoch();
  }
  /** The epoch counter (engine.epochCounter[0] is the current epoch). */
  get epochCounter(): Int32Array {
    return this.interrupts.epoch;
  }
  /** Engine-wide interrupt state, created on first use (validating `epochCounter` then). */
  get interrupts(): EngineInterrupts {
    if (!this.interruptState) {
      const c = this.config.epochCounter;
      if (c !== undefined && !(c instanceof Int32Array && c.length >= 1))
        throw new TypeError('epochCounter must be an Int32Array');
      this.interruptState = new EngineInterrupts(c);
    }
    return this.interruptState;
  }
}
