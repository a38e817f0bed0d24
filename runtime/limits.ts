// Resource limits of a Store (memory pages, table elements), fuel, and interrupts (epoch and
// time deadlines).
//
// Engine options (see EngineOptions in embedder.ts):
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

interface EngineLike { readonly config: { readonly [key: string]: unknown } }
interface StoreLike { readonly engine: EngineLike }

/** Engine-wide interrupt state: the epoch and the poll countdown. */
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

const engineStates = new WeakMap<EngineLike, EngineInterrupts>();

export function engineInterrupts(engine: EngineLike): EngineInterrupts {
  let s = engineStates.get(engine);
  if (!s) {
    const c = engine.config.epochCounter;
    if (c !== undefined && !(c instanceof Int32Array && c.length >= 1)) throw new TypeError('epochCounter must be an Int32Array');
    s = new EngineInterrupts(c as Int32Array | undefined);
    engineStates.set(engine, s);
  }
  return s;
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

  constructor(readonly engine: EngineLike) {
    this.interrupts = engineInterrupts(engine);
    this.countdown = this.interrupts.countdown;
    const init = engine.config.initialFuel;
    if (typeof init === 'number') this.fuel[0] = init;
    else if (engine.config.consumeFuel === undefined && envFuel()) this.fuel[0] = Number.MAX_SAFE_INTEGER;
  }

  /** Slow path of a fuel check that drove the fuel below zero. */
  outOfFuel(): never {
    this.fuel[0] = 0;
    throw new RuntimeError('all fuel consumed');
  }

  /** Slow path of an interrupt check: polls the deadlines. */
  poll(): void {
    this.countdown[0] = POLL_INTERVAL;
    if (Atomics.load(this.interrupts.epoch, 0) >= this.epochDeadline) throw new RuntimeError('interrupt');
    if (this.timeDeadline !== Infinity && performance.now() >= this.timeDeadline) throw new RuntimeError('interrupt');
  }
}

const storeStates = new WeakMap<StoreLike, StoreLimitsState>();

export function storeLimits(store: StoreLike): StoreLimitsState {
  let s = storeStates.get(store);
  if (!s) {
    s = new StoreLimitsState(store.engine);
    storeStates.set(store, s);
  }
  return s;
}

/** The store's limiter, if it has one (no state is created for stores without). */
export function limiterOf(store: unknown): ResourceLimiter | null {
  return typeof store === 'object' && store !== null ? storeStates.get(store as StoreLike)?.limiter ?? null : null;
}

// ---------------------------------------------------------------- Store operations

function requireFuel(store: StoreLike): StoreLimitsState {
  if (!fuelEnabled(store.engine)) throw new Error('fuel is not enabled: create the Engine with { consumeFuel: true }');
  return storeLimits(store);
}
function requireInterrupts(store: StoreLike): StoreLimitsState {
  if (!interruptEnabled(store.engine)) throw new Error('interrupts are not enabled: create the Engine with { epochInterruption: true }');
  return storeLimits(store);
}

export function setFuel(store: StoreLike, fuel: number): void {
  if (!(fuel >= 0) || !Number.isFinite(fuel)) throw new RangeError('fuel must be a finite number >= 0');
  requireFuel(store).fuel[0] = Math.floor(fuel);
}

export function getFuel(store: StoreLike): number {
  return Math.max(0, requireFuel(store).fuel[0]);
}

export function setEpochDeadline(store: StoreLike, ticks: number): void {
  const s = requireInterrupts(store);
  s.epochDeadline = Atomics.load(s.interrupts.epoch, 0) + ticks;
}

export function setDeadline(store: StoreLike, msFromNow: number): void {
  const s = requireInterrupts(store);
  s.timeDeadline = msFromNow === Infinity ? Infinity : performance.now() + msFromNow;
  s.countdown[0] = 0;
}

export function setLimiter(store: StoreLike, limiter: ResourceLimiter | StoreLimits | null): void {
  storeLimits(store).limiter = limiter === null ? null : 'memoryGrowing' in limiter ? limiter : new StoreLimiter(limiter);
}

// ---------------------------------------------------------------- instantiation checks

/** Throws if a memory of type `t` may not be created in `store` (its minimum is refused). */
export function checkMemoryCreation(store: unknown, t: MemoryType): ResourceLimiter | null {
  const l = limiterOf(store);
  if (l && !l.memoryGrowing(0, t.limits.min, t.limits.max)) {
    throw new RuntimeError(`memory minimum size of ${t.limits.min} pages exceeds the store's resource limit`);
  }
  return l;
}

export function checkTableCreation(store: unknown, t: TableType): ResourceLimiter | null {
  const l = limiterOf(store);
  if (l && !l.tableGrowing(0, t.limits.min, t.limits.max)) {
    throw new RuntimeError(`table minimum size of ${t.limits.min} elements exceeds the store's resource limit`);
  }
  return l;
}

// ---------------------------------------------------------------- instance ownership

/** The store each instance was created in, so that dispose() can drop the store's reference
 *  (a disposed instance must not be kept alive by the store that outlives it). */
export const instanceOwner = new WeakMap<object, { readonly instances: unknown[] }>();

/** Removes a disposed instance from its store's instance list. */
export function releaseFromStore(inst: object): void {
  const store = instanceOwner.get(inst);
  if (!store) return;
  const i = store.instances.indexOf(inst);
  if (i >= 0) store.instances.splice(i, 1);
  instanceOwner.delete(inst);
}
