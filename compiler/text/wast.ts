// The WAST script format: commands over modules, actions and assertions. Modules are kept
// as s-expressions and encoded only when their command asks (`encode()`), so a malformed
// module fails its own command rather than the whole script.

import { CompileError, malformed } from '../errors';
import {
  atPos,
  Atom,
  decodeUtf8,
  headOf,
  idOf,
  kwOf,
  lineOf,
  lineStartsOf,
  List,
  locateText,
  malformedAt,
  movePos,
  parseSexprs,
  Sexpr,
  Tok,
} from './lexer';
import { v128Const } from './instructions';
import { concatBytes, encodeModuleText, ModuleEncoder } from './module';
import { parseF32, parseF64, parseI32, parseI64, parseIntBits } from './numbers';
import type {
  LanePattern,
  WastAction,
  WastCommand,
  WastConst,
  WastExpected,
  WastModuleSource,
  TextOptions,
} from './wast-types';

function bad(what: string, x?: Sexpr): never {
  const at = x instanceof Atom ? ` "${x.text}"` : x instanceof List ? ` "(${headOf(x) ?? ''}"` : '';
  throw x === undefined ? malformed(what) : malformedAt(x.pos, `${what}${at}`);
}

/** Where a script's errors are placed: its text, line starts and file name. */
interface ScriptText {
  readonly src: string;
  readonly lineStarts: number[];
  readonly file: string | undefined;
  readonly options: TextOptions;
}

function str(x: Sexpr | undefined): string {
  if (!(x instanceof Atom) || x.kind !== Tok.String) bad('expected a string', x);
  return decodeUtf8(x.bytes!);
}

/** A lazily encoded module of a script; the encoding (or its error) is memoised. */
class ScriptModule implements WastModuleSource {
  private result?: Uint8Array;
  private error?: unknown;
  constructor(
    readonly form: 'text' | 'binary' | 'quote',
    readonly id: string | undefined,
    readonly definition: boolean,
    private readonly make: () => Uint8Array,
    private readonly list: List,
    private readonly script: ScriptText,
  ) {}

  encode(): Uint8Array {
    if (this.result) return this.result;
    if (this.error !== undefined) throw this.error;
    try {
      this.result = this.make();
      return this.result;
    } catch (e) {
      // Any failure of our own parser on bad text is a malformed module, placed in the
      // script (at the module when nothing more precise is known).
      const err = e instanceof CompileError ? e : malformed(e instanceof Error ? e.message : String(e));
      atPos(err, this.list.pos);
      this.error = locateText(err, this.script.src, this.script.file, this.script.lineStarts);
      throw this.error;
    }
  }
}

function moduleSource(l: List, checkAnnots: boolean, script: ScriptText): WastModuleSource {
  const it = l.items;
  let k = 1;
  let definition = false;
  if (kwOf(it[k]) === 'definition') {
    definition = true;
    k++;
  }
  const id = idOf(it[k]);
  if (id !== undefined) k++;
  const form = kwOf(it[k]);
  if (form === 'binary' || form === 'quote') {
    const strings: Uint8Array[] = [];
    for (let j = k + 1; j < it.length; j++) {
      const s = it[j];
      if (!(s instanceof Atom) || s.kind !== Tok.String) bad('expected a string', s);
      strings.push(s.bytes!);
    }
    if (form === 'binary') return new ScriptModule('binary', id, definition, () => concatBytes(strings), l, script);
    const quoted = (): Uint8Array => {
      try {
        return encodeModuleText(decodeUtf8(concatBytes(strings)), script.options);
      } catch (e) {
        // Offsets in the quoted text are not offsets in the script: place the error at the module.
        throw movePos(e, l.pos);
      }
    };
    return new ScriptModule('quote', id, definition, quoted, l, script);
  }
  const first = k;
  return new ScriptModule(
    'text',
    id,
    definition,
    () => {
      const fields: List[] = [];
      for (let j = first; j < it.length; j++) {
        const x = it[j];
        if (!(x instanceof List)) bad('unexpected token', x);
        fields.push(x);
      }
      if (l.annots) for (const a of l.annots) a.annotAt = Math.max(0, a.annotAt - first);
      return new ModuleEncoder(fields, script.options).encode(l.annots, checkAnnots);
    },
    l,
    script,
  );
}

function constOf(x: Sexpr | undefined): WastConst {
  if (!(x instanceof List)) bad('expected a constant', x);
  const it = x.items;
  const h = headOf(x);
  switch (h) {
    case 'i32.const':
      return { type: 'i32', value: num(x, parseI32) };
    case 'i64.const':
      return { type: 'i64', value: num(x, parseI64) };
    case 'f32.const':
      return { type: 'f32', bits: num(x, parseF32) >>> 0 };
    case 'f64.const':
      return { type: 'f64', bits: num(x, parseF64) };
    case 'v128.const':
      return { type: 'v128', bytes: v128Const(it, 1)[0] };
    case 'ref.null': {
      const ht = it[1];
      const heap = ht instanceof Atom ? (ht.kind === Tok.Id ? '$' + ht.text : ht.text) : 'func';
      return { type: 'ref.null', heap };
    }
    case 'ref.extern':
      return { type: 'ref.extern', value: Number(num(x, bits32)) };
    case 'ref.host':
      return { type: 'ref.host', value: Number(num(x, bits32)) };
  }
  bad('unknown constant', x);
}

const bits32 = (t: string): bigint => parseIntBits(t, 32);

/** The number after the head of constant `x`, parsed by `parse`; its errors are placed at the number. */
function num<T>(x: List, parse: (t: string) => T): T {
  const a = x.items[1];
  const t = kwOf(a);
  if (t === undefined) bad('missing constant', x);
  try {
    return parse(t);
  } catch (e) {
    throw atPos(e, a!.pos);
  }
}

const MODULE_FIELDS = new Set([
  'type',
  'rec',
  'import',
  'func',
  'table',
  'memory',
  'global',
  'tag',
  'export',
  'start',
  'elem',
  'data',
]);

const NAN_PATTERNS = new Set(['nan:canonical', 'nan:arithmetic']);

function expectedOf(x: Sexpr | undefined): WastExpected {
  if (!(x instanceof List)) bad('expected a result', x);
  const it = x.items;
  const h = headOf(x);
  const arg = kwOf(it[1]);
  switch (h) {
    case 'f32.const':
    case 'f64.const':
      if (arg !== undefined && NAN_PATTERNS.has(arg)) {
        return { type: h === 'f32.const' ? 'f32' : 'f64', nan: arg === 'nan:canonical' ? 'canonical' : 'arithmetic' };
      }
      return constOf(x);
    case 'v128.const': {
      const shape = arg;
      if (
        shape === 'i8x16' ||
        shape === 'i16x8' ||
        shape === 'i32x4' ||
        shape === 'i64x2' ||
        shape === 'f32x4' ||
        shape === 'f64x2'
      ) {
        const n = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 }[shape];
        if (it.length !== n + 2) throw malformedAt(x.pos, 'wrong number of lane literals');
        const lanes: LanePattern[] = [];
        for (let i = 0; i < n; i++) {
          const lane = it[2 + i];
          const t = kwOf(lane);
          if (t === undefined) bad('expected a lane', lane);
          if (NAN_PATTERNS.has(t)) {
            if (shape[0] !== 'f') bad('unexpected NaN pattern', lane);
            lanes.push({ nan: t === 'nan:canonical' ? 'canonical' : 'arithmetic' });
            continue;
          }
          try {
            if (shape === 'f32x4') lanes.push(parseF32(t) >>> 0);
            else if (shape === 'f64x2') lanes.push(parseF64(t));
            else if (shape === 'i64x2') lanes.push(parseIntBits(t, 64));
            else lanes.push(Number(parseIntBits(t, (16 / n) * 8)));
          } catch (e) {
            throw atPos(e, lane.pos);
          }
        }
        return { type: 'v128', shape, lanes };
      }
      return constOf(x);
    }
    case 'ref.null':
      if (it.length === 1) return { type: 'ref.null' };
      return constOf(x);
    case 'ref.extern':
      if (it.length === 1) return { type: 'ref.extern' };
      return constOf(x);
    case 'ref.func':
    case 'ref.struct':
    case 'ref.array':
    case 'ref.i31':
    case 'ref.eq':
    case 'ref.any':
    case 'ref.exn':
      return { type: h };
    case 'either': {
      const options: WastExpected[] = [];
      for (let j = 1; j < it.length; j++) options.push(expectedOf(it[j]));
      return { type: 'either', options };
    }
  }
  return constOf(x);
}

function actionOf(x: Sexpr | undefined): WastAction {
  const h = headOf(x);
  if (h !== 'invoke' && h !== 'get') bad('expected an action', x);
  const it = (x as List).items;
  let k = 1;
  const module = idOf(it[k]);
  if (module !== undefined) k++;
  const field = str(it[k++]);
  if (h === 'get') {
    if (k !== it.length) bad('unexpected token', it[k]);
    return { type: 'get', module, field };
  }
  const args: WastConst[] = [];
  for (; k < it.length; k++) args.push(constOf(it[k]));
  return { type: 'invoke', module, field, args };
}

function messageOf(x: Sexpr | undefined): string {
  return x === undefined ? '' : str(x);
}

/**
 * Parses a WAST script into commands. Script-level syntax errors throw CompileError('malformed')
 * placed at the offending token (`file:line:col: reason`); so do the modules' `encode()`.
 * `options` may be the file name alone.
 */
export function parseWast(src: string, options?: TextOptions | string): WastCommand[] {
  const file = typeof options === 'string' ? options : options?.filename;
  const script: ScriptText = {
    src,
    lineStarts: lineStartsOf(src),
    file,
    options: typeof options === 'object' ? options : {},
  };
  try {
    return parseScript(script);
  } catch (e) {
    const err = e instanceof CompileError ? e : malformed(e instanceof Error ? e.message : String(e));
    throw locateText(err, src, file, script.lineStarts);
  }
}

function parseScript(script: ScriptText): WastCommand[] {
  const src = script.src;
  const r = parseSexprs(src);
  const starts = script.lineStarts;
  const out: WastCommand[] = [];
  const check = r.sawPlacedAnnot;
  // A script of bare module fields is one inline module.
  if (r.items.length > 0 && r.items.every((x) => MODULE_FIELDS.has(headOf(x) ?? ''))) {
    const l = new List(0);
    l.items.push(new Atom(Tok.Keyword, 'module', 0), ...r.items);
    if (r.annots) l.annots = r.annots.map((a) => ((a.annotAt += 1), a));
    return [{ type: 'module', line: lineOf(src, r.items[0].pos, starts), module: moduleSource(l, check, script) }];
  }
  const command = (x: Sexpr, out: WastCommand[]): void => {
    if (!(x instanceof List)) bad('unexpected token', x);
    const line = lineOf(src, x.pos, starts);
    const it = x.items;
    const h = headOf(x);
    try {
      switch (h) {
        case 'module':
          if (kwOf(it[1]) === 'instance') {
            out.push({ type: 'module_instance', line, instance: idOf(it[2]), module: idOf(it[3]) });
            break;
          }
          out.push({ type: 'module', line, module: moduleSource(x, check, script) });
          break;
        case 'register': {
          out.push({ type: 'register', line, as: str(it[1]), name: idOf(it[2]) });
          break;
        }
        case 'invoke':
        case 'get':
          out.push({ type: 'action', line, action: actionOf(x) });
          break;
        case 'assert_return': {
          const expected: WastExpected[] = [];
          for (let j = 2; j < it.length; j++) expected.push(expectedOf(it[j]));
          out.push({ type: 'assert_return', line, action: actionOf(it[1]), expected });
          break;
        }
        case 'assert_trap':
          if (headOf(it[1]) === 'module') {
            out.push({
              type: 'assert_trap_module',
              line,
              module: moduleSource(it[1] as List, check, script),
              message: messageOf(it[2]),
            });
          } else out.push({ type: 'assert_trap', line, action: actionOf(it[1]), message: messageOf(it[2]) });
          break;
        case 'assert_exhaustion':
          out.push({ type: 'assert_exhaustion', line, action: actionOf(it[1]), message: messageOf(it[2]) });
          break;
        case 'assert_exception':
          out.push({ type: 'assert_exception', line, action: actionOf(it[1]) });
          break;
        case 'assert_invalid':
        case 'assert_malformed':
        case 'assert_unlinkable':
        case 'assert_uninstantiable':
        case 'assert_malformed_custom': {
          if (headOf(it[1]) !== 'module') bad('expected a module', it[1]);
          // Custom-annotation malformations are malformed text for a parser that reads them.
          const type = h === 'assert_malformed_custom' ? 'assert_malformed' : h;
          out.push({ type, line, module: moduleSource(it[1] as List, check, script), message: messageOf(it[2]) });
          break;
        }
        case 'assert_invalid_custom':
          // Invalid custom-section contents (e.g. branch hints): not a property of the core module.
          break;
        case 'thread': {
          let k = 1;
          const name = idOf(it[k]);
          if (name !== undefined) k++;
          const shared: string[] = [];
          for (; headOf(it[k]) === 'shared'; k++) {
            const s = (it[k] as List).items;
            const m = s[1];
            if (headOf(m) !== 'module' || s.length !== 2) bad('expected (shared (module $name))', it[k]);
            const id = idOf((m as List).items[1]);
            if (id === undefined || (m as List).items.length !== 2) bad('expected a module name', m);
            shared.push(id);
          }
          const commands: WastCommand[] = [];
          for (; k < it.length; k++) command(it[k], commands);
          out.push({ type: 'thread', line, name, shared, commands });
          break;
        }
        case 'wait': {
          const thread = idOf(it[1]);
          if (thread === undefined || it.length !== 2) bad('expected a thread name', it[1] ?? x);
          out.push({ type: 'wait', line, thread });
          break;
        }
        default:
          bad('unknown script command', x);
      }
    } catch (e) {
      // Errors without a more precise place are placed at their command.
      throw atPos(e, x.pos);
    }
  };
  for (const x of r.items) command(x, out);
  return out;
}
