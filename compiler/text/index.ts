// compiler/text: the WebAssembly text format (WAT) and the WAST script format.

import { CompileError, malformed } from '../errors';
import { locateText } from './lexer';
import { encodeModuleText } from './module';
import type { TextOptions } from './wast-types';

export { parseWast } from './wast';
export type * from './wast-types';

/**
 * Encodes one module in text form — `(module ...)` or bare module fields — to its binary
 * encoding. Every syntax error throws CompileError('malformed') with the line and column
 * of the offending token (`prog.wat:3:7: unknown operator i32.cnst`, or `3:7: ...` without
 * a file name). `options` may be the file name alone.
 */
export function parseWat(src: string, options?: TextOptions | string): Uint8Array<ArrayBuffer> {
  try {
    // The encoder writes into buffers of its own, never shared ones.
    return encodeModuleText(src) as Uint8Array<ArrayBuffer>;
  } catch (e) {
    const file = typeof options === 'string' ? options : options?.filename;
    const err = e instanceof CompileError ? e : malformed(e instanceof Error ? e.message : String(e));
    throw locateText(err, src, file);
  }
}
