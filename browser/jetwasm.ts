// Entry of the browser bundle dist/browser/jetwasm.mjs: the package entry (embedder API and
// the `WebAssembly` facade) plus the text-format parser, so a page can turn WAT into a
// binary module without a build step of its own.

export * from '../index';
export { parseWat } from '../compiler/text/index';
