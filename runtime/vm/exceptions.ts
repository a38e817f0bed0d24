// Exception handling support: creating and throwing Wasm exceptions. Catching is generated
// code's (a JS catch whose value passes the helpers wrapTrap and isTrap, runtime/vm/helpers.ts).
//
// Representation: a Wasm exception is a WasmException (runtime/errors.ts) whose `tag` is the
// Tag object (tags match by identity, never by type) and whose `payload` holds the tag's
// parameter values in the internal representation. An exnref is that same object, so
// throw_ref rethrows the identical exception and identity survives any number of rethrows.
//
// Invariants:
//   - payload arrays are generic JS arrays (created non-numeric, then filled), never arrays
//     that V8 could store as raw doubles, so f32/f64 NaN payloads keep every bit;
//   - only WasmException instances are ever caught by Wasm handlers. `catch tag` matches a
//     WasmException with that exact tag; `catch_all` matches every WasmException. A trap
//     (RuntimeError), stack exhaustion (V8's RangeError, converted to the trap "call stack
//     exhausted"), a LinkError or any other host JS error is never caught and propagates
//     unchanged to the host boundary. A host that wants Wasm to catch its errors throws a
//     WasmException (the JS-API facade's WebAssembly.Exception must be one, and JSTag
//     semantics, if offered, wrap host errors into WasmExceptions at the host-call boundary);
//   - exceptions are created without a JS stack trace (capturing one costs time proportional
//     to the stack depth on every throw, and the spec gives the payload no stack).

import { WasmException } from '../errors';
import type { Tag } from '../objects';

export { WasmException };
/** The exception class; an alias of WasmException so the runtime has exactly one. */
export const Exception = WasmException;
export type Exception = WasmException;

/** A payload array safe for Wasm numbers (see the invariants above). */
function payloadArray(n: number): unknown[] {
  return new Array<unknown>(n).fill(null);
}

/** A new exception carrying a copy of `values` (read element-wise; never spread). */
export function newException(tag: Tag, values: ArrayLike<unknown>): WasmException {
  const payload = payloadArray(values.length);
  for (let i = 0; i < values.length; i++) payload[i] = values[i];
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new WasmException(tag, payload);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** throw: raises a new exception of `tag` with the given payload values. */
export function throwException(tag: Tag, ...values: unknown[]): never {
  throw newException(tag, values);
}
