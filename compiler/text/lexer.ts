// Tokens and s-expressions of the WebAssembly text format (spec 6.2–6.3, plus the
// annotations of the Wasm 3.0 text format). A whole script is turned into s-expressions
// first; the module and script parsers then walk the trees.

import { CompileError, malformed } from '../errors';
import { looksNat } from './numbers';

// Source positions of text errors. An error raised while parsing text gets the offset (in
// the text being parsed) of the token or list it is about; the parser's entry points turn
// it into line and column (`locateText`). Kept outside CompileError because an offset is
// only meaningful together with its text. The innermost position wins: `atPos` leaves an
// error that already has one unchanged.
const textPos = new WeakMap<CompileError, number>();

/** A malformed-text error about the token or list at source offset `pos`. */
export function malformedAt(pos: number, message: string): CompileError {
  const e = malformed(message);
  textPos.set(e, pos);
  return e;
}

/** Gives `e` the source offset `pos` unless it has one; returns `e` (for `throw atPos(e, p)`). */
export function atPos(e: unknown, pos: number): unknown {
  if (e instanceof CompileError && !textPos.has(e) && e.line === undefined) textPos.set(e, pos);
  return e;
}

/** Replaces `e`'s source offset with `pos` (errors of nested text, such as `(module quote ...)`). */
export function movePos(e: unknown, pos: number): unknown {
  if (e instanceof CompileError && e.line === undefined) textPos.set(e, pos);
  return e;
}

/**
 * Resolves `e`'s source offset in `src` to line, column and token and adds `file`; returns
 * `e`. An error without an offset gets only the file name.
 */
export function locateText(
  e: CompileError,
  src: string,
  file: string | undefined,
  lineStarts?: number[],
): CompileError {
  const pos = textPos.get(e);
  if (pos === undefined || e.line !== undefined) {
    if (file !== undefined && e.file === undefined) e.locate({ file });
    return e;
  }
  textPos.delete(e);
  const line = lineOf(src, pos, lineStarts);
  const lineStart = lineStarts ? lineStarts[line - 1] : pos === 0 ? 0 : src.lastIndexOf('\n', pos - 1) + 1;
  return e.locate({ file, line, column: pos - lineStart + 1, token: tokenAt(src, pos) });
}

/** The token starting at `pos`: a parenthesis with the keyword after it, or a run up to a delimiter. */
function tokenAt(src: string, pos: number): string | undefined {
  if (pos >= src.length) return undefined;
  let i = pos;
  if (src.charCodeAt(i) === 40) {
    i++;
    if (src.charCodeAt(i) === 59) return '(;';
  }
  if (src.charCodeAt(i) === 34) {
    const close = src.indexOf('"', i + 1);
    i = close < 0 ? src.length : close + 1;
  } else {
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c <= 32 || c === 40 || c === 41 || c === 34 || (c === 59 && src.charCodeAt(i + 1) === 59)) break;
      i++;
    }
  }
  if (i === pos) i++;
  const t = src.slice(pos, i);
  return t.length > 64 ? t.slice(0, 64) + '…' : t;
}

export enum Tok {
  /** keywords, numbers and other reserved-free idchar runs */
  Keyword,
  /** `$name` or `$"name"`; `text` is the name without `$` */
  Id,
  /** `"..."`; `bytes` is the decoded byte string */
  String,
}

export class Atom {
  constructor(
    readonly kind: Tok,
    readonly text: string,
    readonly pos: number,
    readonly bytes?: Uint8Array,
  ) {}
}

export class List {
  readonly items: Sexpr[] = [];
  /** Annotations `(@id ...)` found directly in this list, removed from `items`. */
  annots?: List[];
  /** Set when this list is itself an annotation: the annotation id. */
  annot?: string;
  /** For annotations: how many regular items preceded it in the parent list. */
  annotAt = 0;
  constructor(readonly pos: number) {}
}

export type Sexpr = Atom | List;

/** The keyword heading list `x`, if any. */
export const headOf = (x: Sexpr | undefined): string | undefined => {
  if (!(x instanceof List)) return undefined;
  const h = x.items[0];
  return h instanceof Atom && h.kind === Tok.Keyword ? h.text : undefined;
};
/** `x`'s text when it is a keyword atom. */
export const kwOf = (x: Sexpr | undefined): string | undefined =>
  x instanceof Atom && x.kind === Tok.Keyword ? x.text : undefined;
/** `x`'s text when it is an `$id` atom. */
export const idOf = (x: Sexpr | undefined): string | undefined =>
  x instanceof Atom && x.kind === Tok.Id ? x.text : undefined;

/** An index: an identifier or a natural number. */
export const isIndex = (x: Sexpr | undefined): x is Atom =>
  x instanceof Atom && (x.kind === Tok.Id || (x.kind === Tok.Keyword && looksNat(x.text)));

/** Malformed: `x` is not what the grammar expects here (undefined: the list ended early). */
export function unexpected(x: Sexpr | undefined): never {
  if (x === undefined) throw malformed('unexpected end of input');
  if (x instanceof List) throw malformedAt(x.pos, `unexpected token "(${headOf(x) ?? ''}"`);
  throw malformedAt(
    x.pos,
    `unexpected token "${x.kind === Tok.Id ? '$' + x.text : x.kind === Tok.String ? '"…"' : x.text}"`,
  );
}

/** Parses the number token `x` with `parse`; its errors are placed at `x`. */
export function numAt<T>(x: Sexpr | undefined, parse: (t: string) => T): T {
  const t = kwOf(x);
  if (t === undefined) unexpected(x);
  try {
    return parse(t);
  } catch (e) {
    throw atPos(e, (x as Atom).pos);
  }
}

export interface ParseResult {
  readonly items: Sexpr[];
  /** Annotations at top level (bare module fields). */
  readonly annots?: List[];
  /** True when any `@custom` or `@name` annotation occurs (they need placement checks). */
  readonly sawPlacedAnnot: boolean;
}

// idchar per the text format: 0-9 A-Z a-z ! # $ % & ' * + - . / : < = > ? @ \ ^ _ ` | ~
const IDCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-./:<=>?@\\^_`|~") IDCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) IDCHAR[c] = 1;
for (let c = 65; c <= 90; c++) IDCHAR[c] = 1;
for (let c = 97; c <= 122; c++) IDCHAR[c] = 1;

const isIdChar = (c: number): boolean => c < 128 && IDCHAR[c] === 1;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes as UTF-8, or throws malformed. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformed('malformed UTF-8 encoding');
  }
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

const hexVal = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/** Lexes and brackets `src` into s-expressions. */
export function parseSexprs(src: string): ParseResult {
  const n = src.length;
  let i = 0;
  let sawPlacedAnnot = false;
  const root = new List(0);
  const stack: List[] = [];
  let cur = root;
  // Inside an annotation the lexing is permissive: any printable ASCII run is a token.
  let annotDepth = 0;

  // Reads a string literal starting at the opening quote; returns its bytes.
  const readString = (): Uint8Array => {
    const start = i;
    i++;
    const out: number[] = [];
    for (;;) {
      if (i >= n) throw malformedAt(start, 'unclosed string');
      const c = src.charCodeAt(i);
      if (c === 34) {
        i++;
        break;
      }
      if (c === 92) {
        const esc = i;
        const e = src.charCodeAt(i + 1);
        i += 2;
        switch (e) {
          case 116:
            out.push(9);
            break; // t
          case 110:
            out.push(10);
            break; // n
          case 114:
            out.push(13);
            break; // r
          case 34:
            out.push(34);
            break;
          case 39:
            out.push(39);
            break;
          case 92:
            out.push(92);
            break;
          case 117: {
            // u{hex}
            if (src.charCodeAt(i) !== 123) throw malformedAt(esc, 'illegal escape');
            i++;
            let cp = 0;
            let digits = 0;
            for (;;) {
              const ch = src.charCodeAt(i);
              if (ch === 125) break;
              if (ch === 95 && digits > 0) {
                i++;
                continue;
              }
              const h = hexVal(ch);
              if (h < 0) throw malformedAt(esc, 'illegal escape');
              cp = cp * 16 + h;
              if (cp > 0x10ffff) throw malformedAt(esc, 'illegal escape');
              digits++;
              i++;
            }
            i++;
            if (digits === 0 || (cp >= 0xd800 && cp < 0xe000)) throw malformedAt(esc, 'illegal escape');
            pushUtf8(out, cp);
            break;
          }
          default: {
            const h1 = hexVal(e);
            const h2 = hexVal(src.charCodeAt(i));
            if (h1 < 0 || h2 < 0) throw malformedAt(esc, 'illegal escape');
            out.push(h1 * 16 + h2);
            i++;
          }
        }
        continue;
      }
      if (c < 0x20 || c === 0x7f)
        throw c === 10 ? malformedAt(start, 'unclosed string') : malformedAt(i, 'illegal control character');
      if (c < 0x80) {
        out.push(c);
        i++;
      } else {
        const cp = src.codePointAt(i)!;
        if (cp >= 0xd800 && cp < 0xe000) throw malformedAt(i, 'malformed UTF-8 encoding');
        pushUtf8(out, cp);
        i += cp > 0xffff ? 2 : 1;
      }
    }
    return Uint8Array.from(out);
  };

  // Skips a block comment starting at `(;`; nesting allowed.
  const skipBlockComment = (): void => {
    const start = i;
    let depth = 0;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 40 && src.charCodeAt(i + 1) === 59) {
        depth++;
        i += 2;
      } else if (c === 59 && src.charCodeAt(i + 1) === 41) {
        depth--;
        i += 2;
        if (depth === 0) return;
      } else i++;
    }
    throw malformedAt(start, 'unclosed comment');
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 59 && src.charCodeAt(i + 1) === 59) {
      while (i < n && src.charCodeAt(i) !== 10 && src.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 40) {
      const c1 = src.charCodeAt(i + 1);
      if (c1 === 59) {
        skipBlockComment();
        continue;
      }
      const l = new List(i);
      i++;
      if (annotDepth > 0) {
        annotDepth++;
        cur.items.push(l);
      } else if (c1 === 64) {
        annotDepth = 1;
        // Annotation `(@id` or `(@"id"`.
        i++;
        let name: string;
        if (src.charCodeAt(i) === 34) name = decodeUtf8(readString());
        else {
          const s = i;
          while (i < n && isIdChar(src.charCodeAt(i))) i++;
          name = src.slice(s, i);
        }
        if (name === '') throw malformedAt(l.pos, 'empty annotation id');
        l.annot = name;
        if (name === 'custom' || name === 'name' || name.startsWith('metadata.code.')) sawPlacedAnnot = true;
        l.annotAt = cur.items.length;
        (cur.annots ??= []).push(l);
      } else cur.items.push(l);
      stack.push(cur);
      cur = l;
      continue;
    }
    if (c === 41) {
      if (stack.length === 0) throw malformedAt(i, 'unexpected token ")"');
      cur = stack.pop()!;
      if (annotDepth > 0) annotDepth--;
      i++;
      continue;
    }
    if (annotDepth > 0) {
      const start = i;
      if (c === 34) {
        cur.items.push(new Atom(Tok.String, '', start, readString()));
        continue;
      }
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d <= 32 || d === 34 || d === 40 || d === 41 || d >= 0x7f) break;
        if (d === 59 && src.charCodeAt(i + 1) === 59) break;
        i++;
      }
      if (i === start)
        throw malformedAt(i, c >= 0x80 ? 'illegal character (malformed UTF-8 encoding)' : 'illegal character');
      const text = src.slice(start, i);
      cur.items.push(
        new Atom(
          text.charCodeAt(0) === 36 && text.length > 1 ? Tok.Id : Tok.Keyword,
          text.charCodeAt(0) === 36 ? text.slice(1) : text,
          start,
        ),
      );
      continue;
    }
    // A token: a maximal run of idchars and strings. Only a pure idchar run, a lone
    // string, or `$` + string are tokens; any other mix is reserved.
    const start = i;
    if (c === 34) {
      const bytes = readString();
      checkDelimited(src, start, i);
      cur.items.push(new Atom(Tok.String, '', start, bytes));
      continue;
    }
    if (!isIdChar(c)) {
      throw malformedAt(i, c >= 0x80 || c < 0x20 ? 'malformed UTF-8 encoding' : `unexpected character "${src[i]}"`);
    }
    while (i < n && isIdChar(src.charCodeAt(i))) i++;
    if (c === 36 && i === start + 1 && src.charCodeAt(i) === 34) {
      const bytes = readString();
      checkDelimited(src, start, i);
      if (bytes.length === 0) throw malformedAt(start, 'empty identifier');
      cur.items.push(new Atom(Tok.Id, decodeUtf8(bytes), start));
      continue;
    }
    checkDelimited(src, start, i);
    const text = src.slice(start, i);
    if (c === 36) {
      if (text.length === 1) throw malformedAt(start, 'empty identifier');
      cur.items.push(new Atom(Tok.Id, text.slice(1), start));
    } else cur.items.push(new Atom(Tok.Keyword, text, start));
  }
  // The innermost list still open is the one whose `)` is missing.
  if (stack.length !== 0) throw malformedAt(cur.pos, annotDepth > 0 ? 'unclosed annotation' : 'unclosed parenthesis');
  return { items: root.items, annots: root.annots, sawPlacedAnnot };
}

/** A token (from `start`) must be followed by whitespace, a parenthesis, a comment or the end. */
function checkDelimited(src: string, start: number, i: number): void {
  if (i >= src.length) return;
  const c = src.charCodeAt(i);
  if (c === 32 || c === 10 || c === 9 || c === 13 || c === 40 || c === 41) return;
  if (c === 59 && src.charCodeAt(i + 1) === 59) return;
  throw malformedAt(start, 'unknown operator');
}

/** 1-based line number of an offset. */
export function lineOf(src: string, pos: number, lineStarts?: number[]): number {
  if (lineStarts) {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  let line = 1;
  for (let k = 0; k < pos; k++) if (src.charCodeAt(k) === 10) line++;
  return line;
}

export function lineStartsOf(src: string): number[] {
  const r = [0];
  for (let k = 0; k < src.length; k++) if (src.charCodeAt(k) === 10) r.push(k + 1);
  return r;
}
