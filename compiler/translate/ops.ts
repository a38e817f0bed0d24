// The translator's view of each opcode: its name split into type and operation, whether it
// is a plain load or store and of how many bytes, and which case of FuncTranslator's
// operator switch handles it. Computed once per opcode from compiler/opcodes.ts.

import { opByCode, PREFIX_ATOMIC } from '../opcodes';

/** What the translator needs from an opcode's name, parsed once per opcode (not per
 *  instruction: name parsing with regexes was a measurable part of translation time). */
export interface OpDesc {
  readonly name: string;
  /** Type prefix and operation (`i32`, `add`) split at the first dot ('' when none). */
  readonly ty: string;
  readonly op: string;
  /** A plain memory load/store (not a SIMD lane access). */
  readonly mem: 'load' | 'store' | null;
  /** A plain load/store: the bytes it accesses (accessSize), else 0. */
  readonly size: number;
  readonly tail: boolean;
  /** An instruction of the threads proposal (prefix 0xFE): memory.atomic.*, *.atomic.*. */
  readonly atomic: boolean;
  /** A numeric operator or plain load/store of i32/i64/f32/f64 other than `*.const`: handled by
   *  translateNamed, not by any case of translateOperator's switch (a switch over ~150 strings
   *  is a chain of comparisons, which was the hottest line of translation). */
  readonly numeric: boolean;
  /** translateOperator's case (TK.Other: none, so translateNamed). */
  readonly kind: TK;
}

/** translateOperator's cases. Its switch is over these small integers, which V8 dispatches
 *  with a jump table; over opcode names it was a chain of string comparisons. */
export const enum TK {
  Other,
  Nop,
  Unreachable,
  Block,
  Loop,
  If,
  Else,
  End,
  Br,
  BrIf,
  BrTable,
  Return,
  Call,
  CallIndirect,
  CallRef,
  ReturnCall,
  Drop,
  Select,
  LocalGet,
  LocalSet,
  LocalTee,
  GlobalGet,
  GlobalSet,
  TableGet,
  TableSet,
  TableSize,
  TableGrow,
  TableFill,
  TableCopy,
  TableInit,
  ElemDrop,
  MemorySize,
  MemoryGrow,
  MemoryFill,
  MemoryCopy,
  MemoryInit,
  DataDrop,
  I32Const,
  I64Const,
  F32Const,
  F64Const,
  V128Const,
  RefNull,
  RefIsNull,
  RefFunc,
  RefAsNonNull,
  RefEq,
  BrOnNull,
  BrOnNonNull,
  Throw,
  ThrowRef,
  TryTable,
  Try,
  Catch,
  Rethrow,
  Delegate,
}

export const TK_BY_NAME = new Map<string, TK>([
  ['nop', TK.Nop], ['unreachable', TK.Unreachable], ['block', TK.Block], ['loop', TK.Loop],
  ['if', TK.If], ['else', TK.Else], ['end', TK.End], ['br', TK.Br],
  ['br_if', TK.BrIf], ['br_table', TK.BrTable], ['return', TK.Return], ['call', TK.Call],
  ['call_indirect', TK.CallIndirect], ['call_ref', TK.CallRef], ['return_call', TK.ReturnCall], ['return_call_indirect', TK.ReturnCall],
  ['return_call_ref', TK.ReturnCall], ['drop', TK.Drop], ['select', TK.Select], ['select_t', TK.Select],
  ['local.get', TK.LocalGet], ['local.set', TK.LocalSet], ['local.tee', TK.LocalTee], ['global.get', TK.GlobalGet],
  ['global.set', TK.GlobalSet], ['table.get', TK.TableGet], ['table.set', TK.TableSet], ['table.size', TK.TableSize],
  ['table.grow', TK.TableGrow], ['table.fill', TK.TableFill], ['table.copy', TK.TableCopy], ['table.init', TK.TableInit],
  ['elem.drop', TK.ElemDrop], ['memory.size', TK.MemorySize], ['memory.grow', TK.MemoryGrow], ['memory.fill', TK.MemoryFill],
  ['memory.copy', TK.MemoryCopy], ['memory.init', TK.MemoryInit], ['data.drop', TK.DataDrop], ['i32.const', TK.I32Const],
  ['i64.const', TK.I64Const], ['f32.const', TK.F32Const], ['f64.const', TK.F64Const], ['v128.const', TK.V128Const],
  ['ref.null', TK.RefNull], ['ref.is_null', TK.RefIsNull], ['ref.func', TK.RefFunc], ['ref.as_non_null', TK.RefAsNonNull],
  ['ref.eq', TK.RefEq], ['br_on_null', TK.BrOnNull], ['br_on_non_null', TK.BrOnNonNull], ['throw', TK.Throw],
  ['throw_ref', TK.ThrowRef], ['try_table', TK.TryTable], ['try', TK.Try], ['catch', TK.Catch],
  ['catch_all', TK.Catch], ['rethrow', TK.Rethrow], ['delegate', TK.Delegate],
]);

export const NUMERIC_TYPES = new Set(['i32', 'i64', 'f32', 'f64']);

export const DESC_SMALL: (OpDesc | undefined)[] = new Array<OpDesc | undefined>(256).fill(undefined);

export const DESC_PREFIXED = new Map<number, OpDesc>();

export function opDesc(code: number): OpDesc | undefined {
  let d = code < 256 ? DESC_SMALL[code] : DESC_PREFIXED.get(code);
  if (d !== undefined) return d;
  const info = opByCode.get(code);
  if (!info) return undefined;
  const name = info.name;
  const dot = name.indexOf('.');
  const lane = /_lane$/.test(name);
  const ty = dot < 0 ? '' : name.slice(0, dot);
  const op = name.slice(dot + 1);
  const mem = lane ? null : /\.load/.test(name) ? 'load' : /\.store/.test(name) ? 'store' : null;
  d = {
    name,
    ty,
    op,
    mem,
    size: mem === null ? 0 : accessSize(op, ty),
    tail: name === 'return_call' || name === 'return_call_indirect' || name === 'return_call_ref',
    atomic: (code >>> 16) === PREFIX_ATOMIC,
    numeric: NUMERIC_TYPES.has(ty) && op !== 'const',
    kind: TK_BY_NAME.get(name) ?? TK.Other,
  };
  if (code < 256) DESC_SMALL[code] = d;
  else DESC_PREFIXED.set(code, d);
  return d;
}

export const ACCESS_SIZE = new Map<string, number>();

export function accessSize(kind: string, ty: string): number {
  const key = `${ty}.${kind}`;
  let n = ACCESS_SIZE.get(key);
  if (n === undefined) {
    n = computeAccessSize(kind, ty);
    ACCESS_SIZE.set(key, n);
  }
  return n;
}

export function computeAccessSize(kind: string, ty: string): number {
  const m = /(8|16|32|64)/.exec(kind.replace(/^load|^store/, ''));
  if (m && !/x/.test(kind) && !/splat|zero/.test(kind)) return Number(m[1]) / 8;
  if (/x/.test(kind)) return 8; // load8x8 etc.
  if (/splat|zero/.test(kind)) return Number(/(8|16|32|64)/.exec(kind)![1]) / 8;
  switch (ty) {
    case 'i32': case 'f32': return 4;
    case 'i64': case 'f64': return 8;
    case 'v128': return 16;
  }
  return 0;
}
