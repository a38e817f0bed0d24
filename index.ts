// Package entry point: the embedder API (Engine, Module, Store, Linker, Instance and the
// extern objects), the `WebAssembly` JS-API facade built on it, and the text-format parser.

export * from './runtime/index';
export { WebAssembly, shareMemory, memoryFromShared } from './runtime/jsapi/index';
export type {
  WebAssemblyNamespace,
  Imports,
  BufferSource,
  ResponseLike,
  WebAssemblyInstantiatedSource,
} from './runtime/jsapi/index';
/** Parses one module in the text format (.wat) to its binary encoding. */
export { parseWat } from './compiler/text';
