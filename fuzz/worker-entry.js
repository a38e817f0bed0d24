// Child process entry of the differential fuzzer (see worker.ts).
'use strict';
require('./register');
process.env.JETWASM_FUZZ_WORKER = '1';
require('./worker.ts');
