// A minimal reader for `(module binary "...")` forms in .wast scripts, used by the decoder's
// tests: it finds each top-level command, and inside it each binary module with its bytes.
// It knows only strings, comments and parentheses; it is not a WAST parser.

export interface WastBinaryModule {
  /** The enclosing top-level command's keyword, e.g. 'module', 'assert_malformed'. */
  readonly command: string;
  readonly bytes: Uint8Array;
  /** The expected failure message, for assert_* commands. */
  readonly expected?: string;
  /** 1-based line of the command. */
  readonly line: number;
}

/** Decodes the body of a WAST string literal (between the quotes) into bytes. */
export function stringLiteralBytes(src: string, start: number, end: number): number[] {
  const out: number[] = [];
  const hexVal = (c: string): number => parseInt(c, 16);
  let i = start;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c !== 0x5c) {
      // Re-encode the source character as UTF-8.
      const cp = src.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      continue;
    }
    const e = src[i + 1];
    i += 2;
    switch (e) {
      case 'n':
        out.push(10);
        break;
      case 't':
        out.push(9);
        break;
      case 'r':
        out.push(13);
        break;
      case '\\':
        out.push(0x5c);
        break;
      case "'":
        out.push(0x27);
        break;
      case '"':
        out.push(0x22);
        break;
      case 'u': {
        const close = src.indexOf('}', i);
        const cp = parseInt(src.slice(i + 1, close), 16);
        out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
        i = close + 1;
        break;
      }
      default:
        out.push(hexVal(e) * 16 + hexVal(src[i]));
        i += 1;
    }
  }
  return out;
}

function skipSpaceAndComments(src: string, i: number): number {
  for (;;) {
    const c = src[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') i++;
    else if (c === ';' && src[i + 1] === ';') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '(' && src[i + 1] === ';') {
      let depth = 1;
      i += 2;
      while (i < src.length && depth > 0) {
        if (src[i] === '(' && src[i + 1] === ';') {
          depth++;
          i += 2;
        } else if (src[i] === ';' && src[i + 1] === ')') {
          depth--;
          i += 2;
        } else i++;
      }
    } else return i;
  }
}

/** End index (exclusive) of the string literal whose opening quote is at `i`. */
function stringEnd(src: string, i: number): number {
  i++;
  while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** End index (exclusive) of the parenthesised form starting at `i`. */
function formEnd(src: string, i: number): number {
  let depth = 0;
  while (i < src.length) {
    const j = skipSpaceAndComments(src, i);
    if (j !== i) {
      i = j;
      continue;
    }
    const c = src[i];
    if (c === '"') {
      i = stringEnd(src, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}

const MODULE_BINARY = /^\(module(?:\s+definition)?(?:\s+\$[^\s()]+)?\s+binary\b/;

export function binaryModules(src: string): WastBinaryModule[] {
  const out: WastBinaryModule[] = [];
  let i = 0;
  let line = 1;
  let lineAt = 0;
  while (i < src.length) {
    i = skipSpaceAndComments(src, i);
    if (i >= src.length) break;
    if (src[i] !== '(') {
      i++;
      continue;
    }
    const end = formEnd(src, i);
    for (let k = lineAt; k < i; k++) if (src[k] === '\n') line++;
    lineAt = i;
    const cmd = src.slice(i, end);
    const command = /^\(\s*([^\s()]+)/.exec(cmd)?.[1] ?? '';
    // The module is either the command itself or its first argument.
    let m = command === 'module' ? 0 : skipSpaceAndComments(cmd, 1 + command.length + 1);
    if (command !== 'module' && cmd[m] !== '(') m = -1;
    if (m >= 0 && MODULE_BINARY.test(cmd.slice(m))) {
      const mEnd = formEnd(cmd, m);
      const bytes: number[] = [];
      let j = cmd.indexOf('binary', m) + 'binary'.length;
      for (;;) {
        j = skipSpaceAndComments(cmd, j);
        if (cmd[j] !== '"') break;
        const sEnd = stringEnd(cmd, j);
        bytes.push(...stringLiteralBytes(cmd, j + 1, sEnd - 1));
        j = sEnd;
      }
      let expected: string | undefined;
      const k = skipSpaceAndComments(cmd, mEnd);
      if (cmd[k] === '"')
        expected = Buffer.from(stringLiteralBytes(cmd, k + 1, stringEnd(cmd, k) - 1)).toString('utf8');
      out.push({ command, bytes: Uint8Array.from(bytes), expected, line });
    }
    i = end;
  }
  return out;
}
