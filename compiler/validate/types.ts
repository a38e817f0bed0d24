// The canonical type registry, value type encoding and extern-type matching live in
// types/ (the runtime needs them without loading the compiler); this module re-exports them
// for the validator, whose entry points report the registry's UnknownTypeError as
// CompileError (asCompileError).

import { CompileError, invalid } from '../errors';
import { UnknownTypeError } from '../../types';

export * from '../../types';

/** The registry's UnknownTypeError as the CompileError validation reports; other values as they are. */
export function asCompileError(e: unknown): unknown {
  return e instanceof UnknownTypeError && !(e instanceof CompileError) ? invalid(e.message) : e;
}
