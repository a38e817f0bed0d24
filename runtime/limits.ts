// Resource limits of a Store (memory pages, table elements), fuel, and interrupts (epoch and
// time deadlines).
//
// Engine options (see EngineOptions in engine.ts):
//   consumeFuel        generated code charges fuel at check points (function entries and loop
//                      heads, compiler/translate/checks.ts); a store starts with `initialFuel`
//                      (default 0, as in Wasmtime). JETWASM_FUEL=1 in the environment turns
//                      fuel on for engines that do not say, with an unbounded initial fuel
//                      (for measuring the overhead).
//   epochInterruption  generated code polls for interrupts at the same check points; it traps
//                      with "interrupt" once the epoch reaches the store's epoch deadline or
//                      performance.now() passes its time deadline.
//   epochCounter       an Int32Array (typically over a SharedArrayBuffer) used as the epoch, so
//                      that another agent (a Worker, or the main thread while a guest runs in
//                      a worker) can advance it with Atomics.add while a guest runs.
//
// Invariants:
//   - a check point costs the generated code one typed-array update and one compare per
//     enabled feature; everything else runs in the slow paths below;
//   - the interrupt poll runs every POLL_INTERVAL check points (the engine-wide countdown
//     ICNT); Engine.incrementEpoch() zeroes the countdown so an epoch advanced by the host is
//     seen at the very next check point; an epoch advanced by another agent is seen within
//     POLL_INTERVAL check points;
//   - limits apply to memories and tables the store creates (defined by its instances, or
//     Memory.create / Table.create given the store); an imported memory or table keeps the
//     limiter of the store that created it.

import type { MemoryType, TableType } from '../compiler/ir';
import type { CheckOptions } from '../compiler/translate/checks';
import { RuntimeError } from './errors';
import { TRAP } from '../vmctx/traps';
import { hostEnv } from './host-env';

/** Check points between two interrupt polls. */
export const POLL_INTERVAL = 1024;

/**
 * Decides growth of memories and tables (like Wasmtime's ResourceLimiter). Sizes are in
 * pages (memories) and elements (tables); `maximum` is the declared maximum, if any. A
 * refusal makes the growth fail the way the spec says: memory.grow / table.grow return -1.
 */
export interface ResourceLimiter {
  memoryGrowing(current: number, desired: number, maximum: number | undefined): boolean;
  tableGrowing(current: number, desired: number, maximum: number | undefined): boolean;
}

/** Declarative limits, each per memory / per table (like Wasmtime's StoreLimits). */
export interface StoreLimits {
  /** Largest size of any one memory, in pages of that memory. */
  readonly memoryPages?: number;
  /** Largest size of any one table, in elements. */
  readonly tableElements?: number;
}

/** A ResourceLimiter enforcing StoreLimits. */
export class StoreLimiter implements ResourceLimiter {
  constructor(readonly limits: StoreLimits) {}
  memoryGrowing(_current: number, desired: number): boolean {
    return this.limits.memoryPages === undefined || desired <= this.limits.memoryPages;
  }
  tableGrowing(_current: number, desired: number): boolean {
    return this.limits.tableElements === undefined || desired <= this.limits.tableElements;
  }
}

// ---------------------------------------------------------------- engine state

interface EngineLike {
  readonly config: { readonly [key: string]: unknown };
}

/** Engine-wide interrupt state (Engine.interrupts): the epoch and the poll countdown. */
export class EngineInterrupts {
  readonly epoch: Int32Array;
  readonly countdown = new Int32Array(1);
  constructor(epoch: Int32Array | undefined) {
    this.epoch = epoch ?? new Int32Array(1);
    this.countdown[0] = POLL_INTERVAL;
  }
  incrementEpoch(): void {
    Atomics.add(this.epoch, 0, 1);
    this.countdown[0] = 0;
  }
}

function envFuel(): boolean {
  const v = hostEnv('JETWASM_FUEL');
  return v !== undefined && v !== '' && v !== '0';
}

/** Whether the engine's generated code charges fuel. */
export function fuelEnabled(engine: EngineLike): boolean {
  const c = engine.config.consumeFuel;
  return typeof c === 'boolean' ? c : envFuel();
}

export function interruptEnabled(engine: EngineLike): boolean {
  return engine.config.epochInterruption === true;
}

/** The checks the translator emits for modules of this engine. */
export function checkOptionsOf(engine: EngineLike): CheckOptions | undefined {
  const fuel = fuelEnabled(engine);
  const interrupt = interruptEnabled(engine);
  return fuel || interrupt ? { fuel, interrupt } : undefined;
}

// ---------------------------------------------------------------- store state

/**
 * One store's limits state; generated code receives it as LIMS (the factory's 4th
 * argument) and reads `fuel`, `countdown`, `outOfFuel` and `poll`.
 */
export class StoreLimitsState {
  /** Remaining fuel; negative only between a charge and outOfFuel(). */
  readonly fuel = new Float64Array(1);
  readonly countdown: Int32Array;
  /** Epoch value at which the store traps (never, by default). */
  epochDeadline = Infinity;
  /** performance.now() value at which the store traps (never, by default). */
  timeDeadline = Infinity;
  limiter: ResourceLimiter | null = null;
  readonly interrupts: EngineInterrupts;

  constructor(engine: EngineLike & { readonly interrupts: EngineInterrupts }) {
    this.interrupts = engine.interrupts;
    this.countdown = this.interrupts.countdown;
    const init = engine.config.initialFuel;
    if (typeof init === 'number') this.fuel[0] = init;
    else if (engine.config.consumeFuel === undefined && envFuel()) this.fuel[0] = Number.MAX_SAFE_INTEGER;
  }

  /** Slow path of a fuel check that drove the fuel below zero. */
  outOfFuel(): never {
    this.fuel[0] = 0;
    throw new RuntimeError(TRAP.outOfFuel);
  }

  /** Slow path of an interrupt check: polls the deadlines. */
  poll(): void {
    this.countdown[0] = POLL_INTERVAL;
    if (Atomics.load(this.interrupts.epoch, 0) >= this.epochDeadline) throw new RuntimeError(TRAP.interrupt);
    if (this.timeDeadline !== Infinity && performance.now() >= this.timeDeadline)
      throw new RuntimeError(TRAP.interrupt);
  }
}

// ---------------------------------------------------------------- instantiation checks

/** Throws if `l` (a store's limiter) refuses a memory of type `t`'s minimum; returns `l`. */
export function checkMemoryCreation(l: ResourceLimiter | null, t: MemoryType): ResourceLimiter | null {
  if (l && !l.memoryGrowing(0, t.limits.min, t.limits.max)) {
    throw new RuntimeError(`memory minimum size of ${t.limits.min} pages exceeds the store's resource limit`);
  }
  return l;
}

export function checkTableCreation(l: ResourceLimiter | null, t: TableType): ResourceLimiter | null {
  if (l && !l.tableGrowing(0, t.limits.min, t.limits.max)) {
    throw new RuntimeError(`table minimum size of ${t.limits.min} elements exceeds the store's resource limit`);
  }
  return l;
}
