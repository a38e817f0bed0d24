// The canonical type registry, value type encoding and extern-type matching live in
// vmctx/types.ts (the runtime needs them without loading the compiler); this module
// re-exports them for the validator and installs CompileError as the registry's error.

import { invalid } from '../errors';
import { typeErrors } from '../../types';

export * from '../../types';

typeErrors.invalid = (message: string): Error => invalid(message);
