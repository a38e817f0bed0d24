// Package entry point: the embedder API (Engine, Module, Store, Linker, Instance and the
// extern objects) and the `WebAssembly` JS-API facade built on it.

export * from './runtime/index';
export { WebAssembly } from './runtime/jsapi/index';
export type { WebAssemblyNamespace, Imports, BufferSource, ResponseLike, WebAssemblyInstantiatedSource } from './runtime/jsapi/index';
