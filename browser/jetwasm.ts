// Entry of the browser bundle dist/browser/jetwasm.mjs: exactly the package entry (the
// embedder API, the `WebAssembly` facade, and `parseWat` so a page can turn WAT into a binary
// module without a build step of its own).

export * from '../index';
