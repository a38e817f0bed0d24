// Error classes raised by the runtime. A trap is a RuntimeError whose message is the spec's
// text; a Wasm exception that escapes to the host is a WasmException; import resolution
// failures are LinkErrors. Stack exhaustion is converted to a trap at every boundary where
// the host observes errors (see toTrap).

import type { Tag } from './objects';

export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** A Wasm exception: thrown by `throw`, caught by try_table/try clauses by tag identity. */
export class WasmException extends Error {
  constructor(readonly tag: Tag, readonly payload: unknown[]) {
    super('uncaught wasm exception');
    this.name = 'WasmException';
  }
}

/** True for V8's stack overflow error. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack size/i.test(e.message);
}

/** Converts a stack overflow into the trap "call stack exhausted"; other values pass through. */
export function toTrap(e: unknown): unknown {
  return isStackOverflow(e) ? new RuntimeError('call stack exhausted') : e;
}
