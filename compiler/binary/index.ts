// Entry point of the binary decoder: bytes in, ModuleIR out, CompileError('malformed') for
// anything that is not a well-formed module.
export { decodeModule, MAX_LOCALS } from './module';
