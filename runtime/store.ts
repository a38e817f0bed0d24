// The Store: the owner of instances and of everything they create. It holds its instances
// (until each is disposed), its resource limits, fuel and deadlines (the state generated
// code's check points use, runtime/limits.ts), host data, and its extern domain.
//
// Lifecycle invariants:
//   - a store keeps each of its instances until the instance is disposed (a failed
//     instantiation's partial instance only if it can have escaped, runtime/instance.ts);
//     a disposed store has disposed every instance it owned, and instantiating in it fails
//     with DisposedError;
//   - a store instantiates only modules of its own engine, and imports only externs of its
//     own extern domain (itself, unless the WebAssembly facade joined it to another store's).

import type { Engine } from './engine';
import { DisposedError } from './errors';
import type { Instance } from './instance';
import {
  StoreLimiter,
  StoreLimitsState,
  fuelEnabled,
  interruptEnabled,
  type ResourceLimiter,
  type StoreLimits,
} from './limits';

export class Store<T = unknown> {
  /** Host state, available to host functions through their closure or the store. */
  data: T;
  /** Live instances created in this store, in creation order. */
  readonly instances: Instance[] = [];
  /** Stores whose externs this one may import share one `domain` (the first such store). */
  private domainRoot: Store<unknown> = this;
  private limitsState: StoreLimitsState | undefined;
  private isDisposed = false;

  constructor(
    readonly engine: Engine,
    data?: T,
  ) {
    this.data = data as T;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Throws DisposedError if the store has been disposed. */
  assertLive(): void {
    if (this.isDisposed) throw new DisposedError('the Store has been disposed');
  }

  /**
   * The store's limits state; generated code receives it as LIMS (the factory's 4th
   * argument, vmctx/codegen.ts). Created on first use.
   */
  get limits(): StoreLimitsState {
    return (this.limitsState ??= new StoreLimitsState(this.engine));
  }

  /** The limiter of memories and tables created in this store (none by default). */
  get resourceLimiter(): ResourceLimiter | null {
    return this.limitsState?.limiter ?? null;
  }

  /** The store whose externs this store's instances may import (all stores of one domain). */
  get domain(): Store<unknown> {
    return this.domainRoot;
  }

  /** Puts this store into the extern domain of `other` (the WebAssembly facade only). */
  shareExterns(other: Store<unknown>): void {
    this.domainRoot = other.domainRoot;
  }

  /** Sets the remaining fuel (requires the engine option consumeFuel). */
  setFuel(fuel: number): void {
    if (!(fuel >= 0) || !Number.isFinite(fuel)) throw new RangeError('fuel must be a finite number >= 0');
    this.requireFuel().fuel[0] = Math.floor(fuel);
  }
  /** Remaining fuel (requires consumeFuel). */
  getFuel(): number {
    return Math.max(0, this.requireFuel().fuel[0]);
  }
  /** Traps with "interrupt" once the engine's epoch has advanced `ticks` more times
   *  (requires epochInterruption). */
  setEpochDeadline(ticks: number): void {
    const s = this.requireInterrupts();
    s.epochDeadline = Atomics.load(s.interrupts.epoch, 0) + ticks;
  }
  /** Traps with "interrupt" once `msFromNow` milliseconds have passed (Infinity: never;
   *  requires epochInterruption). */
  setDeadline(msFromNow: number): void {
    const s = this.requireInterrupts();
    s.timeDeadline = msFromNow === Infinity ? Infinity : performance.now() + msFromNow;
    s.countdown[0] = 0;
  }
  /** Limits growth of memories and tables created in this store from now on (null: none). */
  limiter(limits: StoreLimits | ResourceLimiter | null): void {
    this.limits.limiter = limits === null ? null : 'memoryGrowing' in limits ? limits : new StoreLimiter(limits);
  }

  private requireFuel(): StoreLimitsState {
    if (!fuelEnabled(this.engine)) throw new Error('fuel is not enabled: create the Engine with { consumeFuel: true }');
    return this.limits;
  }
  private requireInterrupts(): StoreLimitsState {
    if (!interruptEnabled(this.engine))
      throw new Error('interrupts are not enabled: create the Engine with { epochInterruption: true }');
    return this.limits;
  }

  /** Called by a disposed instance: the store no longer keeps it. */
  release(inst: Instance): void {
    const i = this.instances.indexOf(inst);
    if (i >= 0) this.instances.splice(i, 1);
  }

  /** Disposes every instance of the store and releases them. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const inst of [...this.instances]) inst.dispose();
    this.instances.length = 0;
  }
}

/** The limiter of memories and tables created for `store` (null for none or no store). */
export function limiterOf(store: unknown): ResourceLimiter | null {
  return store instanceof Store ? store.resourceLimiter : null;
}
