// The script of the worker threads that validate beside the compiling thread
// (runtime/validation-helper.ts starts them): the package as `require('jetwasm')` loads it,
// bundle and code cache, taking validation jobs until the process ends.

import { loadBundle } from './load';

(loadBundle(module) as { runValidationWorker(): void }).runValidationWorker();
