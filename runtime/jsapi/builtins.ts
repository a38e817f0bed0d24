// The compile options of the JS API (WebAssemblyCompileOptions): builtin sets (JS String
// Builtins, `builtins: ['js-string']`, imported as "wasm:js-string") and imported string
// constants (`importedStringConstants: "module"`: every global imported from that module is
// the string spelled by its import name).
//
// The builtins are host functions of the types the specification gives, each in a rec group
// of its own (the array of fromCharCodeArray / intoCharCodeArray is `(array (mut i16))`,
// alone in its group too), canonicalised in the process-wide type registry, so an import
// matches a builtin exactly when its type would match a Wasm export of that type. They
// receive and return the engine's internal values directly (no i64 among them), and a
// failing check traps with a RuntimeError, as the specification says.

import {
  EXTERNREF,
  ref,
  type FuncType,
  type ModuleIR,
  type RefType,
  type SubType,
  type ValType,
} from '../../compiler/ir';
import { matchFuncType, matchValType, canonicalValType, typeRegistry } from '../../compiler/validate';
import { RuntimeError } from '../errors';
import { Func, TY, type Callable } from '../objects';
import type { WasmArray } from '../vm/gc';
import type { Module as RtModule } from '../module';
import { dictionary, sequence } from './values';

// ---------------------------------------------------------------- options

export interface CompileOptions {
  /** Builtin set names, in the order given (unknown names are kept and ignored). */
  readonly builtins: readonly string[];
  readonly importedStringConstants: string | null;
}

export const NO_OPTIONS: CompileOptions = { builtins: [], importedStringConstants: null };

/** WebIDL USVString: ToString (a TypeError for a Symbol), lone surrogates replaced. */
function usvString(v: unknown, what: string): string {
  if (typeof v === 'symbol') throw new TypeError(`${what}: cannot convert a Symbol to a string`);
  const s = String(v);
  const wellFormed = (s as { toWellFormed?: () => string }).toWellFormed;
  return typeof wellFormed === 'function'
    ? wellFormed.call(s)
    : s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Converts a WebAssemblyCompileOptions argument (members read in their lexicographic order). */
export function compileOptions(v: unknown, what: string): CompileOptions {
  if (v === undefined) return NO_OPTIONS;
  const d = dictionary(v, `${what}: options`);
  const b = d.builtins;
  const builtins =
    b === undefined
      ? []
      : sequence(b, `${what}: options.builtins`).map((x) => usvString(x, `${what}: options.builtins`));
  const s = d.importedStringConstants;
  const importedStringConstants =
    s === undefined || s === null ? null : usvString(s, `${what}: options.importedStringConstants`);
  return builtins.length === 0 && importedStringConstants === null ? NO_OPTIONS : { builtins, importedStringConstants };
}

// ---------------------------------------------------------------- js-string

const JS_STRING = 'js-string';
export const JS_STRING_MODULE = 'wasm:js-string';

function trap(what: string): never {
  throw new RuntimeError(`wasm:js-string ${what}`);
}

function unwrapString(v: unknown, what: string): string {
  if (typeof v !== 'string') trap(`${what}: not a string`);
  return v;
}

function i16Array(a: unknown, what: string): Int16Array {
  if (a === null) trap(`${what}: null array`);
  return (a as WasmArray).e as Int16Array;
}

interface BuiltinDef {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly fn: (...args: never[]) => unknown;
}

/** Index of the (array (mut i16)) type among the synthetic module's types (see below). */
const ARRAY = 0;
const I16_ARRAY: RefType = ref(true, ARRAY);
const EXTERN: RefType = ref(false, 'extern');

const JS_STRING_BUILTINS: Readonly<Record<string, BuiltinDef>> = {
  cast: { params: [EXTERNREF], results: [EXTERN], fn: (v: unknown) => unwrapString(v, 'cast') },
  test: { params: [EXTERNREF], results: ['i32'], fn: (v: unknown) => (typeof v === 'string' ? 1 : 0) },
  fromCharCodeArray: {
    params: [I16_ARRAY, 'i32', 'i32'],
    results: [EXTERN],
    fn: (array: unknown, start: number, end: number) => {
      const e = i16Array(array, 'fromCharCodeArray');
      const s = start >>> 0;
      const t = end >>> 0;
      if (s > t || t > e.length) trap('fromCharCodeArray: out of bounds');
      let out = '';
      for (let i = s; i < t; i++) out += String.fromCharCode(e[i] & 0xffff);
      return out;
    },
  },
  intoCharCodeArray: {
    params: [EXTERNREF, I16_ARRAY, 'i32'],
    results: ['i32'],
    fn: (string: unknown, array: unknown, start: number) => {
      const e = i16Array(array, 'intoCharCodeArray');
      const s = unwrapString(string, 'intoCharCodeArray');
      const at = start >>> 0;
      if (at + s.length > e.length) trap('intoCharCodeArray: out of bounds');
      for (let i = 0; i < s.length; i++) e[at + i] = s.charCodeAt(i);
      return s.length;
    },
  },
  fromCharCode: { params: ['i32'], results: [EXTERN], fn: (c: number) => String.fromCharCode(c) },
  fromCodePoint: {
    params: ['i32'],
    results: [EXTERN],
    fn: (c: number) => {
      if (c >>> 0 > 0x10ffff) trap('fromCodePoint: not a code point');
      return String.fromCodePoint(c);
    },
  },
  charCodeAt: {
    params: [EXTERNREF, 'i32'],
    results: ['i32'],
    fn: (string: unknown, index: number) => {
      const s = unwrapString(string, 'charCodeAt');
      if (index >>> 0 >= s.length) trap('charCodeAt: index out of bounds');
      return s.charCodeAt(index);
    },
  },
  codePointAt: {
    params: [EXTERNREF, 'i32'],
    results: ['i32'],
    fn: (string: unknown, index: number) => {
      const s = unwrapString(string, 'codePointAt');
      if (index >>> 0 >= s.length) trap('codePointAt: index out of bounds');
      return s.codePointAt(index);
    },
  },
  length: { params: [EXTERNREF], results: ['i32'], fn: (v: unknown) => unwrapString(v, 'length').length },
  concat: {
    params: [EXTERNREF, EXTERNREF],
    results: [EXTERN],
    fn: (a: unknown, b: unknown) => unwrapString(a, 'concat') + unwrapString(b, 'concat'),
  },
  substring: {
    params: [EXTERNREF, 'i32', 'i32'],
    results: [EXTERN],
    fn: (string: unknown, start: number, end: number) => {
      const s = unwrapString(string, 'substring');
      const a = start >>> 0;
      const b = end >>> 0;
      if (a > b || a > s.length) return '';
      return s.substring(a, b);
    },
  },
  equals: {
    params: [EXTERNREF, EXTERNREF],
    results: ['i32'],
    fn: (a: unknown, b: unknown) => {
      if (a !== null) unwrapString(a, 'equals');
      if (b !== null) unwrapString(b, 'equals');
      return a === b ? 1 : 0;
    },
  },
  compare: {
    params: [EXTERNREF, EXTERNREF],
    results: ['i32'],
    fn: (a: unknown, b: unknown) => {
      const x = unwrapString(a, 'compare');
      const y = unwrapString(b, 'compare');
      return x === y ? 0 : x < y ? -1 : 1;
    },
  },
};

interface Builtin {
  readonly typeId: number;
  readonly func: Func;
}

let jsStringBuiltins: ReadonlyMap<string, Builtin> | undefined;

/**
 * The js-string builtins, made on first use: their types canonicalised as a module whose type
 * 0 is the i16 array and type 1 + k the k-th builtin's function type, every type final and in
 * a rec group of its own.
 */
function jsString(): ReadonlyMap<string, Builtin> {
  if (jsStringBuiltins !== undefined) return jsStringBuiltins;
  const names = Object.keys(JS_STRING_BUILTINS);
  const types: SubType[] = [
    { final: true, supers: [], comp: { kind: 'array', field: { type: 'i16', mutable: true } } },
  ];
  for (const n of names) {
    const b = JS_STRING_BUILTINS[n];
    types.push({ final: true, supers: [], comp: { kind: 'func', params: [...b.params], results: [...b.results] } });
  }
  const m = { types, recGroups: types.map((_, i) => ({ start: i, count: 1 })) } as unknown as ModuleIR;
  const canon = typeRegistry.canonicalize(m);
  const map = new Map<string, Builtin>();
  names.forEach((n, k) => {
    const typeId = canon[1 + k];
    const type = typeRegistry.get(typeId).comp as FuncType;
    const callable = JS_STRING_BUILTINS[n].fn as unknown as Callable;
    callable[TY] = typeId;
    map.set(n, { typeId, func: new Func(callable, type, typeId) });
  });
  jsStringBuiltins = map;
  return map;
}

/** The builtin a module imports as (module, name) under these options, or undefined. */
export function findBuiltin(options: CompileOptions, module: string, name: string): Builtin | undefined {
  if (module !== JS_STRING_MODULE || !options.builtins.includes(JS_STRING)) return undefined;
  return Object.prototype.hasOwnProperty.call(JS_STRING_BUILTINS, name) ? jsString().get(name) : undefined;
}

/** True when an import is left out of Module.imports (a builtin or a string constant). */
export function isHiddenImport(options: CompileOptions, module: string, name: string): boolean {
  return options.importedStringConstants === module || findBuiltin(options, module, name) !== undefined;
}

const EXTERN_CONST: ValType = EXTERN;

/**
 * "Validate builtins and imported strings": null when the module's imports agree with the
 * options, otherwise why not. Builtin set names must not repeat; an import of a builtin must
 * have a type the builtin's type matches; an import from the string-constants module must
 * be an immutable global that `(ref extern)` matches.
 */
export function checkCompileOptions(module: RtModule, options: CompileOptions): string | null {
  if (options === NO_OPTIONS) return null;
  if (new Set(options.builtins).size !== options.builtins.length) return 'a builtin set is named twice';
  const canon = module.canon;
  for (const imp of module.ir.imports) {
    const where = `${JSON.stringify(imp.module)} ${JSON.stringify(imp.name)}`;
    if (options.importedStringConstants !== null && imp.module === options.importedStringConstants) {
      const d = imp.desc;
      if (d.kind !== 'global' || d.type.mutable || !matchValType(EXTERN_CONST, canonicalValType(d.type.type, canon))) {
        return `import ${where}: a string constant must be an immutable global of type externref or (ref extern)`;
      }
      continue;
    }
    const b = findBuiltin(options, imp.module, imp.name);
    if (b === undefined) continue;
    if (imp.desc.kind !== 'func' || !matchFuncType(b.typeId, canon[imp.desc.typeIdx])) {
      return `import ${where}: the type does not match the builtin's`;
    }
  }
  return null;
}
