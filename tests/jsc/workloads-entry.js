// Entry of the JavaScriptCore workload bundle (tests/jsc/realworld.js): jetwasm's WebAssembly
// facade and the workloads of tests/realworld/workloads.js, as globals for
// tests/jsc/workload-shell.js.
import { WebAssembly as facade } from '../../index';
import { hashWorkload, sqlWorkload } from '../realworld/workloads.js';

globalThis.jetwasmFacade = facade;
globalThis.jetwasmWorkloads = { hashWorkload, sqlWorkload };
