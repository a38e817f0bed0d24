// The facade's own error classes (WebAssembly.CompileError / LinkError / RuntimeError) and
// the mapping of engine errors onto them at every facade boundary.
//
// Mapping (applied to what escapes the engine through a facade call):
//   compiler CompileError -> CompileError; engine LinkError -> LinkError;
//   engine RuntimeError (traps, "call stack exhausted" included) -> RuntimeError;
//   V8 stack overflow not yet converted -> RuntimeError("call stack exhausted");
//   a Wasm exception -> the same object, re-prototyped as WebAssembly.Exception (exceptions.ts);
//   anything else (host JS exceptions, the facade's own errors) passes through unchanged.

import { CompileError as EngineCompileError } from '../../compiler/errors';
import { LinkError as EngineLinkError, RuntimeError as EngineRuntimeError, WasmException, isStackOverflow } from '../errors';

function nameOnPrototype(ctor: { prototype: object }, name: string): void {
  Object.defineProperty(ctor.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

export class CompileError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
  }
}
export class LinkError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
  }
}
export class RuntimeError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
  }
}
nameOnPrototype(CompileError, 'CompileError');
nameOnPrototype(LinkError, 'LinkError');
nameOnPrototype(RuntimeError, 'RuntimeError');

/** Hook installed by exceptions.ts: turns an escaping Wasm exception into its facade form. */
export const exceptionHook: { toFacade: (e: WasmException) => unknown } = { toFacade: (e) => e };

function rebuild<E extends Error>(e: Error, make: (message: string) => E): E {
  const out = make(e.message);
  // Keep the engine's stack (it shows the Wasm frames) under the facade's class name.
  if (typeof e.stack === 'string') {
    const nl = e.stack.indexOf('\n');
    out.stack = nl < 0 ? `${out.name}: ${e.message}` : `${out.name}: ${e.message}${e.stack.slice(nl)}`;
  }
  return out;
}

/** The facade form of an error that escaped the engine (see the mapping above). */
export function fromEngineError(e: unknown): unknown {
  if (e instanceof WasmException) return exceptionHook.toFacade(e);
  if (e instanceof EngineRuntimeError) return rebuild(e, (m) => new RuntimeError(m));
  if (e instanceof EngineLinkError) return rebuild(e, (m) => new LinkError(m));
  if (e instanceof EngineCompileError) return rebuild(e, (m) => new CompileError(m));
  if (isStackOverflow(e)) return new RuntimeError('call stack exhausted');
  return e;
}
