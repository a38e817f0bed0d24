// Pauses of long work on the calling thread (asynchronous compilation), during which the
// host's event loop runs: timers, I/O, rendering. The work asks between two of its units
// whether its slice is used up; a pause is a real turn of the event loop (a macrotask), not
// a microtask, which would let nothing else run.

type Timers = {
  setImmediate?: (f: () => void) => unknown;
  setTimeout?: (f: () => void, ms: number) => unknown;
  MessageChannel?: new () => {
    port1: { onmessage: (() => void) | null; close(): void };
    port2: { postMessage(v: unknown): void };
  };
};

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Resolves after one turn of the host's event loop (where the host has one). */
export function nextTurn(): Promise<void> {
  const g = globalThis as unknown as Timers;
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else if (typeof g.MessageChannel === 'function') {
      // Pages: a message is a macrotask without setTimeout's clamping of nested timers.
      const ch = new g.MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    } else if (typeof g.setTimeout === 'function') g.setTimeout(resolve, 0);
    else resolve();
  });
}

/** Resolves after about `ms` milliseconds (a turn of the event loop where there is no timer). */
function sleep(ms: number): Promise<void> {
  const g = globalThis as unknown as Timers;
  if (typeof g.setTimeout !== 'function') return nextTurn();
  const setTimeout = g.setTimeout;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface HostPauses {
  /**
   * Called between units of work: a promise to await when the slice of `sliceMs` is used up
   * (the next slice starts when it resolves), else undefined. `pause.sleep(ms)` waits
   * without blocking.
   */
  readonly pause: { (): Promise<void> | undefined; sleep(ms: number): Promise<void> };
  /** Wraps every wait: lets the caller account for what other code did meanwhile. */
  around: (wait: Promise<void>) => Promise<void>;
}

export function hostPauses(sliceMs: number): HostPauses {
  let sliceStart = now();
  const pauses: HostPauses = {
    pause: Object.assign(
      (): Promise<void> | undefined => {
        if (now() - sliceStart < sliceMs) return undefined;
        return pauses.around(nextTurn()).then(() => {
          sliceStart = now();
        });
      },
      {
        sleep: (ms: number): Promise<void> =>
          pauses.around(sleep(ms)).then(() => {
            sliceStart = now();
          }),
      },
    ),
    around: (wait) => wait,
  };
  return pauses;
}
