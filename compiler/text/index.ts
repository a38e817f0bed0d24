// compiler/text: the WebAssembly text format (WAT) and the WAST script format.

import { CompileError, malformed } from '../errors';
import { encodeModuleText } from './module';

export { parseWast } from './wast';
export type * from './wast-types';

/**
 * Encodes one module in text form — `(module ...)` or bare module fields — to its binary
 * encoding. Every syntax error throws CompileError('malformed').
 */
export function parseWat(src: string): Uint8Array {
  try {
    return encodeModuleText(src);
  } catch (e) {
    if (e instanceof CompileError) throw e;
    throw malformed(e instanceof Error ? e.message : String(e));
  }
}
