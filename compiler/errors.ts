/**
 * Raised for every module that fails to decode or validate. `kind` separates the spec's
 * two failure classes: `malformed` (the bytes or text are not a module: decoding and
 * parsing) and `invalid` (a well-formed module that fails validation).
 */
export class CompileError extends Error {
  readonly kind: 'malformed' | 'invalid';
  constructor(kind: 'malformed' | 'invalid', message: string) {
    super(message);
    this.kind = kind;
    this.name = 'CompileError';
  }
}

export const malformed = (message: string): CompileError => new CompileError('malformed', message);
export const invalid = (message: string): CompileError => new CompileError('invalid', message);
