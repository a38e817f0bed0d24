// Entry of dist/browser/polyfill.mjs. Importing it installs the facade as
// globalThis.WebAssembly where the page has none; it shares one copy of the runtime with
// jetwasm.mjs (a common chunk), so both expose the same `WebAssembly` object.

export * from '../polyfill';
