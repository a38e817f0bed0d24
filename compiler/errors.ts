/** Where a compile error was found; every part is optional. */
export interface ErrorPlace {
  /** Name of the source file, as the caller gave it to the parser. */
  file?: string;
  /** 1-based line and column (in UTF-16 code units) in module or script text. */
  line?: number;
  column?: number;
  /** The text token the error is about (for text errors). */
  token?: string;
  /** Byte offset in the module binary: where decoding failed, or the failing instruction. */
  offset?: number;
  /** Index of the function (in the function index space, imports included) being validated. */
  funcIndex?: number;
  /** That function's name from the `name` section, when it has one. */
  funcName?: string;
}

/**
 * Raised for every module that fails to decode or validate. `kind` separates the spec's
 * two failure classes: `malformed` (the bytes or text are not a module: decoding and
 * parsing) and `invalid` (a well-formed module that fails validation).
 *
 * `reason` is the error alone (the reference interpreter's message where there is one);
 * `message` is `reason` with the place, as one line:
 *   text:       `prog.wat:3:7: unknown operator i32.cnst` (`3:7: ...` without a file name)
 *   binary:     `length out of bounds at offset 0x1a`
 *   validation: `type mismatch in function 3 ($add) at offset 0x4f`
 * A `file` without a line (a binary file) prefixes `prog.wasm: `.
 */
export class CompileError extends Error implements ErrorPlace {
  readonly kind: 'malformed' | 'invalid';
  readonly reason: string;
  file?: string;
  line?: number;
  column?: number;
  token?: string;
  offset?: number;
  funcIndex?: number;
  funcName?: string;
  constructor(kind: 'malformed' | 'invalid', reason: string, place?: ErrorPlace) {
    super(reason);
    this.kind = kind;
    this.reason = reason;
    this.name = 'CompileError';
    if (place !== undefined) this.locate(place);
  }

  /**
   * Adds the parts of `place` this error does not have yet (the innermost place wins) and
   * rebuilds `message`. Returns this error, for `throw e.locate(...)`.
   */
  locate(place: ErrorPlace): this {
    if (this.file === undefined && place.file !== undefined) this.file = place.file;
    if (this.line === undefined && place.line !== undefined) {
      this.line = place.line;
      this.column = place.column;
    }
    if (this.token === undefined && place.token !== undefined) this.token = place.token;
    if (this.offset === undefined && place.offset !== undefined) this.offset = place.offset;
    if (this.funcIndex === undefined && place.funcIndex !== undefined) {
      this.funcIndex = place.funcIndex;
      this.funcName = place.funcName;
    }
    // V8 formats `stack` (whose first line repeats the message) on first access, so an
    // error located before anyone reads its stack shows the located message there too.
    this.message = formatMessage(this);
    return this;
  }
}

function formatMessage(e: CompileError): string {
  let s = e.reason;
  if (e.funcIndex !== undefined)
    s += ` in function ${e.funcIndex}${e.funcName !== undefined ? ` ($${e.funcName})` : ''}`;
  if (e.offset !== undefined) s += ` at offset 0x${e.offset.toString(16)}`;
  if (e.line !== undefined) s = `${e.line}:${e.column ?? 1}: ${s}`;
  if (e.file !== undefined) s = e.line !== undefined ? `${e.file}:${s}` : `${e.file}: ${s}`;
  return s;
}

export const malformed = (message: string): CompileError => new CompileError('malformed', message);
export const invalid = (message: string): CompileError => new CompileError('invalid', message);
