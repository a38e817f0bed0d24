// `import 'jetwasm/polyfill'`: installs the facade as globalThis.WebAssembly, only where the
// host has no WebAssembly of its own (e.g. `node --jitless`, or engines built without it).

import { WebAssembly } from './runtime/jsapi/index';

const g = globalThis as { WebAssembly?: unknown };
if (typeof g.WebAssembly === 'undefined') {
  Object.defineProperty(globalThis, 'WebAssembly', {
    value: WebAssembly,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

export { WebAssembly };
