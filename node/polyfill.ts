// `require('jetwasm/polyfill')` in Node: the bundle's facade (the same object
// `require('jetwasm')` gives) installed as globalThis.WebAssembly where the host has none.

import { loadBundle } from './load';

const jetwasm = loadBundle(module) as typeof import('../index');

const g = globalThis as { WebAssembly?: unknown };
if (typeof g.WebAssembly === 'undefined') {
  Object.defineProperty(globalThis, 'WebAssembly', {
    value: jetwasm.WebAssembly,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

export const WebAssembly = jetwasm.WebAssembly;
