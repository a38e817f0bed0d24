// Error classes raised by the runtime. A trap is a RuntimeError whose message is the spec's
// text; a Wasm exception that escapes to the host is a WasmException; import resolution
// failures are LinkErrors. Stack exhaustion is converted to a trap at every boundary where
// the host observes errors (see toTrap).

import type { Tag } from './objects';
import { TRAP } from '../vmctx/traps';

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

/** Raised by any use of an instance or store after its `dispose()`. */
export class DisposedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DisposedError';
  }
}

/** A Wasm exception: thrown by `throw`, caught by try_table/try clauses by tag identity. */
export class WasmException extends Error {
  constructor(
    readonly tag: Tag,
    readonly payload: unknown[],
  ) {
    super('uncaught wasm exception');
    this.name = 'WasmException';
  }
}

/** True for V8's stack overflow error. */
export function isStackOverflow(e: unknown): e is RangeError {
  return e instanceof RangeError && /call stack size/i.test(e.message);
}

/**
 * Converts a stack overflow into the trap "call stack exhausted"; other values pass through.
 * The trap keeps the overflow's stack frames (the innermost ones, where the recursion was),
 * not the frames of the boundary that converts it, so a Wasm backtrace shows the recursion.
 */
export function toTrap(e: unknown): unknown {
  if (!isStackOverflow(e)) return e;
  const trap = new RuntimeError(TRAP.stackExhausted);
  const stack = e.stack;
  const frames = typeof stack === 'string' ? stack.indexOf('\n    at ') : -1;
  if (frames >= 0) trap.stack = `${trap.name}: ${trap.message}${(stack as string).slice(frames)}`;
  return trap;
}
