// Child process entry of the hostile-input fuzzer (see bytes-worker.ts).
'use strict';
require('./register');
process.env.JETWASM_FUZZ_WORKER = 'bytes';
require('./bytes-worker.ts');
