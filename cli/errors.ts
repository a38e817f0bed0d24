// How the command line reports problems, and the option syntax every command shares.
//
// Every error is printed by main() as `jetwasm: <what>: <why>` on stderr, optionally
// followed by detail lines (a Wasm backtrace). Exit codes: 0 success; 1 the module or
// script failed (compile or link error, trap, failed assertion, regression); 2 the command
// line is wrong, or a file it names cannot be read or written; a WASI program's own exit
// code when it calls proc_exit. User errors never print Node error codes or JS stacks.

/** The command line is wrong (or names a file that cannot be used): exit code 2. */
export class UsageError extends Error {}

/** The module or its run failed: exit code 1 (unless `code` says otherwise). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
    readonly code = 1,
  ) {
    super(message);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'file exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
};

/** A Node file-system error (it has a string `code` such as ENOENT). */
export function isFsError(e: unknown): e is Error & { code: string; path?: string; syscall?: string } {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    /^E[A-Z0-9]+$/.test((e as unknown as { code: string }).code)
  );
}

/** The reason of a file-system error in words, without Node's error code and path. */
export function fsReason(e: unknown): string {
  if (isFsError(e)) {
    const known = REASONS[e.code];
    if (known) return known;
    // Node's text is "CODE: reason, syscall 'path'".
    const m = /^E[A-Z0-9]+: (.*?)(?:, \w+(?: '.*')?)?$/.exec(e.message);
    if (m) return m[1];
  }
  return e instanceof Error ? e.message : String(e);
}

export const cannotRead = (file: string, e: unknown): UsageError =>
  new UsageError(`cannot read ${file}: ${fsReason(e)}`);
export const cannotWrite = (file: string, e: unknown): UsageError =>
  new UsageError(`${file}: cannot write: ${fsReason(e)}`);

/**
 * Splits `--name=value` into the option and its inline value. Short options and arguments
 * not starting with `--` have no inline value.
 */
export function splitOption(arg: string): { readonly flag: string; readonly inline: string | undefined } {
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 2) return { flag: arg.slice(0, eq), inline: arg.slice(eq + 1) };
  return { flag: arg, inline: undefined };
}

/**
 * Reads option values from an argument list, in both forms `--opt VALUE` and `--opt=VALUE`.
 * `flag` is the current option; `value()` consumes its value; `noValue()` rejects one.
 */
export class OptionReader {
  i = 0;
  flag = '';
  private inline: string | undefined;

  constructor(private readonly args: readonly string[]) {}

  /** Moves to the next argument; returns it whole (undefined at the end). */
  next(): string | undefined {
    if (this.i >= this.args.length) return undefined;
    const a = this.args[this.i++];
    const s = splitOption(a);
    this.flag = s.flag;
    this.inline = s.inline;
    return a;
  }

  value(): string {
    if (this.inline !== undefined) return this.inline;
    const v = this.args[this.i];
    if (v === undefined) throw new UsageError(`${this.flag} needs a value`);
    this.i++;
    return v;
  }

  noValue(): void {
    if (this.inline !== undefined) throw new UsageError(`${this.flag} takes no value`);
  }

  /** The arguments not read yet. */
  rest(): string[] {
    return this.args.slice(this.i);
  }
}

/**
 * A duration in milliseconds: a positive number with an optional unit `ms` or `s`;
 * without a unit it is in `unit`.
 */
export function parseDuration(text: string, flag: string, unit: 'ms' | 's'): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(ms|s)?$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) throw new UsageError(`${flag} needs a positive duration (e.g. 500ms or 2s), got "${text}"`);
  return (m[2] ?? unit) === 's' ? n * 1000 : n;
}
