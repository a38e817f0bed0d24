// The facade's own error classes (WebAssembly.CompileError / LinkError / RuntimeError) and
// the mapping of engine errors onto them at every facade boundary.
//
// Mapping (applied to what escapes the engine through a facade call):
//   compiler CompileError -> CompileError; engine LinkError -> LinkError;
//   the trap "call stack exhausted" and V8's own stack overflow -> the host's stack-overflow
//     error (a RangeError on V8 and JavaScriptCore), as the JS API says; the embedder API
//     keeps its RuntimeError;
//   any other engine RuntimeError (a trap) -> RuntimeError;
//   a Wasm exception -> objects.ts's hook: an exception of WebAssembly.JSTag is the JS value
//     it carries, any other is the same object re-prototyped as WebAssembly.Exception;
//   anything else (host JS exceptions, the facade's own errors) passes through unchanged.
// Errors made from traps and stack overflows are remembered as uncatchable: a host function
// rethrowing one does not make it a Wasm exception (values.ts), as with V8.

import { CompileError as EngineCompileError } from '../../compiler/errors';
import { EXTERNREF } from '../../compiler/ir';
import {
  LinkError as EngineLinkError,
  RuntimeError as EngineRuntimeError,
  WasmException,
  isStackOverflow,
} from '../errors';
import { Tag as RtTag } from '../objects';
import { defineErrorInterface } from './webidl';

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
defineErrorInterface(CompileError, 'CompileError');
defineErrorInterface(LinkError, 'LinkError');
defineErrorInterface(RuntimeError, 'RuntimeError');

/** Hook installed by objects.ts: turns an escaping Wasm exception into its facade form. */
export const exceptionHook: { toFacade: (e: WasmException) => unknown } = { toFacade: (e) => e };

let jsTag: RtTag | undefined;

/** The engine tag of WebAssembly.JSTag: `(param externref)`, made on first use. */
export const jsTagHolder = {
  engineTag(): RtTag {
    return (jsTag ??= RtTag.create(null, { kind: 'func', params: [EXTERNREF], results: [] }));
  },
  isJSTag(t: RtTag): boolean {
    return t === jsTag;
  },
};

const uncatchable = new WeakSet<object>();

/** True for errors Wasm must not catch: traps and stack overflows, as they reach JS. */
export function isUncatchable(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  return uncatchable.has(e) || e instanceof EngineRuntimeError || isStackOverflow(e);
}

function rebuild<E extends Error>(e: Error, out: E): E {
  // Keep the engine's stack (it shows the Wasm frames) under the facade's class name.
  if (typeof e.stack === 'string') {
    const nl = e.stack.indexOf('\n');
    out.stack = nl < 0 ? `${out.name}: ${out.message}` : `${out.name}: ${out.message}${e.stack.slice(nl)}`;
  }
  return out;
}

/** The class and message of the host's own stack-overflow error, found on first need. */
let hostOverflow: { make: (message: string) => Error; message: string } | undefined;

function probeStackOverflow(n: number): number {
  // Not a tail call: engines with proper tail calls must still run out of stack.
  return probeStackOverflow(n + 1) + 1;
}

/** A new error of the kind the host throws when its stack overflows. */
export function hostStackOverflow(): Error {
  if (hostOverflow === undefined) {
    try {
      probeStackOverflow(0);
    } catch (e) {
      if (e instanceof Error && typeof e.constructor === 'function') {
        const ctor = e.constructor as new (message: string) => Error;
        hostOverflow = { make: (m) => new ctor(m), message: e.message };
      }
    }
    hostOverflow ??= { make: (m) => new RangeError(m), message: 'Maximum call stack size exceeded' };
  }
  return hostOverflow.make(hostOverflow.message);
}

const STACK_EXHAUSTED = 'call stack exhausted';

/** The facade form of an error that escaped the engine (see the mapping above). */
export function fromEngineError(e: unknown): unknown {
  if (e instanceof WasmException) return exceptionHook.toFacade(e);
  if (e instanceof EngineRuntimeError) {
    const out =
      e.message === STACK_EXHAUSTED ? rebuild(e, hostStackOverflow()) : rebuild(e, new RuntimeError(e.message));
    uncatchable.add(out);
    return out;
  }
  if (e instanceof EngineLinkError) return rebuild(e, new LinkError(e.message));
  if (e instanceof EngineCompileError) return rebuild(e, new CompileError(e.message));
  return e;
}
