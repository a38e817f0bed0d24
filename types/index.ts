// Type machinery shared by the validator and the runtime: the process-wide registry of
// canonical (iso-recursively deduplicated) types, the compact numeric encoding of value
// types the validator works on, and the subtyping / extern-type matching relations.
//
// Canonical ids: every defined type of every module maps to a canonical id. Two type
// indices (of any modules) get the same id iff their rec groups are structurally identical
// (references inside the group compared by relative position, references outside it by
// canonical id) and they sit at the same position in the group. Ids are never reused or
// forgotten, so they are stable for the life of the process.
//
// This folder stands apart from compiler/ because the runtime needs the registry too,
// including runtimes that load no compiler code (ahead-of-time output, runtime/aot/). It
// therefore imports nothing but types. A reference to a type that does not exist raises
// UnknownTypeError, which the validator reports as its CompileError
// (compiler/validate/types.ts asCompileError).

import type {
  CompositeType,
  FieldType,
  GlobalType,
  HeapType,
  Limits,
  MemoryType,
  ModuleIR,
  RefType,
  StorageType,
  SubType,
  TableType,
  ValType,
} from '../compiler/ir';

/**
 * A reference to a type that does not exist (out of range, or past the end of its rec
 * group). Only unvalidated input raises it: the validator turns it into
 * CompileError('invalid', message); the runtime and ahead-of-time output register only
 * validated types.
 */
export class UnknownTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownTypeError';
  }
}
const invalid = (message: string): Error => new UnknownTypeError(message);

// ---------------------------------------------------------------- value type encoding

/**
 * Value types as small integers, so the validator's operand stack is a typed array.
 * Numeric, vector and packed types are 0..7; a reference type is
 * `REF_BASE + heap * 2 + (nullable ? 1 : 0)`, where `heap` is an `HT` code for abstract heap
 * types or `CONCRETE_BASE + canonicalId` for concrete ones. `VT.Bot` is the unknown type of
 * unreachable code, a subtype of every value type.
 */
export const enum VT {
  Bot = 0,
  I32 = 1,
  I64 = 2,
  F32 = 3,
  F64 = 4,
  V128 = 5,
  I8 = 6,
  I16 = 7,
}
/** Abstract heap type codes. `HT.Bot` is the heap type of `ref.as_non_null` on unknown input. */
export const enum HT {
  Func = 0,
  NoFunc,
  Extern,
  NoExtern,
  Any,
  Eq,
  I31,
  Struct,
  Array,
  None,
  Exn,
  NoExn,
  Bot,
}
export const REF_BASE = 16;
export const CONCRETE_BASE = 16;
/**
 * Custom descriptors: added to a concrete heap code for the exact heap type `(exact x)`.
 * Canonical ids stay below it, so `h >= EXACT_HEAP` tells exact heap codes apart, and the
 * encoded reference type still fits an Int32Array slot.
 */
export const EXACT_HEAP = 1 << 28;
export const isExactHeap = (h: number): boolean => h >= EXACT_HEAP;
/** The inexact form of an encoded heap type (itself if not exact). */
export const inexactHeap = (h: number): number => (h >= EXACT_HEAP ? h - EXACT_HEAP : h);

/** Composite type kinds of canonical types. */
export const enum CompKind {
  Func = 0,
  Struct = 1,
  Array = 2,
}

const ABS_HEAP: Record<string, HT> = {
  func: HT.Func,
  nofunc: HT.NoFunc,
  extern: HT.Extern,
  noextern: HT.NoExtern,
  any: HT.Any,
  eq: HT.Eq,
  i31: HT.I31,
  struct: HT.Struct,
  array: HT.Array,
  none: HT.None,
  exn: HT.Exn,
  noexn: HT.NoExn,
};
const HT_NAMES = [
  'func',
  'nofunc',
  'extern',
  'noextern',
  'any',
  'eq',
  'i31',
  'struct',
  'array',
  'none',
  'exn',
  'noexn',
  'bot',
];

export const refEnc = (heap: number, nullable: boolean): number => REF_BASE + heap * 2 + (nullable ? 1 : 0);
export const isRefEnc = (t: number): boolean => t >= REF_BASE;
export const heapOf = (t: number): number => (t - REF_BASE) >> 1;
export const isNullableEnc = (t: number): boolean => (t & 1) === 1;
export const unpackEnc = (t: number): number => (t === VT.I8 || t === VT.I16 ? VT.I32 : t);
export const isDefaultableEnc = (t: number): boolean => t < REF_BASE || (t & 1) === 1;

/** Encodes a heap type; `canon` maps module type indices to canonical ids (null: already canonical). */
export function encodeHeap(h: HeapType, canon: readonly number[] | null, exact?: boolean): number {
  if (typeof h === 'number') {
    const id = canon ? canon[h] : h;
    if (id === undefined) throw invalid('unknown type');
    return exact === true ? EXACT_HEAP + CONCRETE_BASE + id : CONCRETE_BASE + id;
  }
  const c = ABS_HEAP[h];
  if (c === undefined) throw invalid('unknown type');
  return c;
}

/** Encodes a storage type; `canon` maps module type indices to canonical ids (null: already canonical). */
export function encodeType(t: StorageType, canon: readonly number[] | null): number {
  switch (t) {
    case 'i32':
      return VT.I32;
    case 'i64':
      return VT.I64;
    case 'f32':
      return VT.F32;
    case 'f64':
      return VT.F64;
    case 'v128':
      return VT.V128;
    case 'i8':
      return VT.I8;
    case 'i16':
      return VT.I16;
    default:
      return refEnc(encodeHeap(t.heap, canon, t.exact), t.nullable);
  }
}

/** Decodes an encoded type back to IR form, with concrete heap types as canonical ids. */
export function decodeType(t: number): StorageType {
  switch (t) {
    case VT.I32:
      return 'i32';
    case VT.I64:
      return 'i64';
    case VT.F32:
      return 'f32';
    case VT.F64:
      return 'f64';
    case VT.V128:
      return 'v128';
    case VT.I8:
      return 'i8';
    case VT.I16:
      return 'i16';
    case VT.Bot:
      throw new Error('decodeType: bottom type has no IR form');
  }
  const h = heapOf(t);
  if (h >= EXACT_HEAP)
    return { kind: 'ref', nullable: isNullableEnc(t), heap: h - EXACT_HEAP - CONCRETE_BASE, exact: true };
  const heap: HeapType = h >= CONCRETE_BASE ? h - CONCRETE_BASE : (HT_NAMES[h] as HeapType);
  return { kind: 'ref', nullable: isNullableEnc(t), heap };
}

// ---------------------------------------------------------------- registry

/** Encoded form of one canonical type, for the validator's hot paths. */
export interface CanonInfo {
  readonly kind: CompKind;
  /** Canonical id of the declared supertype, or -1. */
  readonly superId: number;
  readonly final: boolean;
  /** Func types: encoded parameter and result types. Empty otherwise. */
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Struct types: encoded field storage types; array types: one entry. */
  readonly fields: readonly number[];
  readonly mutables: readonly boolean[];
  /** Depth in the declared supertype chain (0 = no supertype). */
  readonly depth: number;
  /** Custom descriptors: canonical id of the type this one describes, or -1. */
  readonly describes: number;
  /** Custom descriptors: canonical id of this type's descriptor type, or -1. */
  readonly descriptor: number;
}

export class TypeRegistry {
  private readonly groups = new Map<string, number>();
  private readonly subtypes: SubType[] = [];
  private readonly infos: CanonInfo[] = [];
  private readonly cache = new WeakMap<ModuleIR, number[]>();

  /** Number of canonical types registered so far. */
  get size(): number {
    return this.infos.length;
  }

  /**
   * The canonical id of every type index of `m`. Registers new rec groups as needed; calling
   * it again (for the same or another module) yields the same ids for equivalent types.
   * Throws CompileError('invalid', 'unknown type') for references past the end of a type's
   * rec group. It does not check subtype declarations: validateModule does.
   */
  canonicalize(m: ModuleIR): number[] {
    const cached = this.cache.get(m);
    if (cached && cached.length === m.types.length) return cached;
    const canon: number[] = new Array<number>(m.types.length);
    let expected = 0;
    for (const g of m.recGroups) {
      if (g.start !== expected || g.start + g.count > m.types.length) throw invalid('unknown type');
      this.canonicalizeGroup(m.types, g.start, g.count, canon);
      expected = g.start + g.count;
    }
    if (expected !== m.types.length) throw invalid('unknown type');
    this.cache.set(m, canon);
    return canon;
  }

  /** Canonicalises types[start, start+count) given `canon` filled below `start`; fills the rest. */
  canonicalizeGroup(types: readonly SubType[], start: number, count: number, canon: number[]): void {
    const end = start + count;
    const refStr = (h: number): string => {
      if (h >= end || h < 0 || !Number.isInteger(h)) throw invalid('unknown type');
      return h >= start ? `r${h - start}` : `c${canon[h]}`;
    };
    const tyStr = (t: StorageType): string => {
      if (typeof t === 'string') return t;
      const h = typeof t.heap === 'number' ? refStr(t.heap) : t.heap;
      return (t.nullable ? 'n' : 'N') + (t.exact === true ? 'x' : '') + h;
    };
    const fieldStr = (f: FieldType): string => (f.mutable ? 'm' : 'c') + tyStr(f.type);
    let key = '';
    for (let i = start; i < end; i++) {
      const st = types[i];
      // A declared supertype precedes its subtype in the index space, so chains are acyclic.
      for (const s of st.supers) if (s >= i) throw invalid('unknown type');
      key += (st.final ? 'F' : 'O') + st.supers.map(refStr).join(',') + ':';
      if (st.describes !== undefined) key += `d${refStr(st.describes)}:`;
      if (st.descriptor !== undefined) key += `D${refStr(st.descriptor)}:`;
      const c = st.comp;
      if (c.kind === 'func') key += `f(${c.params.map(tyStr).join(' ')}>${c.results.map(tyStr).join(' ')})`;
      else if (c.kind === 'struct') key += `s(${c.fields.map(fieldStr).join(' ')})`;
      else key += `a(${fieldStr(c.field)})`;
      key += ';';
    }
    const found = this.groups.get(key);
    if (found !== undefined) {
      for (let i = 0; i < count; i++) canon[start + i] = found + i;
      return;
    }
    const first = this.subtypes.length;
    this.groups.set(key, first);
    for (let i = 0; i < count; i++) canon[start + i] = first + i;
    // Internal references now map to the new ids, external ones to existing ids.
    const mapHeap = (h: HeapType): HeapType => (typeof h === 'number' ? canon[h] : h);
    const mapType = <T extends StorageType>(t: T): T =>
      typeof t === 'string'
        ? t
        : t.exact === true
          ? ({ kind: 'ref', nullable: t.nullable, heap: mapHeap(t.heap), exact: true } as RefType as T)
          : ({ kind: 'ref', nullable: t.nullable, heap: mapHeap(t.heap) } as RefType as T);
    const mapField = (f: FieldType): FieldType => ({ type: mapType(f.type), mutable: f.mutable });
    for (let i = start; i < end; i++) {
      const st = types[i];
      const c = st.comp;
      let comp: CompositeType;
      if (c.kind === 'func') comp = { kind: 'func', params: c.params.map(mapType), results: c.results.map(mapType) };
      else if (c.kind === 'struct') comp = { kind: 'struct', fields: c.fields.map(mapField) };
      else comp = { kind: 'array', field: mapField(c.field) };
      const sub: { -readonly [K in keyof SubType]: SubType[K] } = {
        final: st.final,
        supers: st.supers.map((s) => canon[s]),
        comp,
      };
      if (st.describes !== undefined) sub.describes = canon[st.describes];
      if (st.descriptor !== undefined) sub.descriptor = canon[st.descriptor];
      this.subtypes.push(sub);
    }
    for (let i = 0; i < count; i++) {
      const st = this.subtypes[first + i];
      const c = st.comp;
      const superId = st.supers.length > 0 ? st.supers[0] : -1;
      const enc = (t: StorageType): number => encodeType(t, null);
      const depth = superId >= 0 ? this.infos[superId].depth + 1 : 0;
      this.infos.push({
        kind: c.kind === 'func' ? CompKind.Func : c.kind === 'struct' ? CompKind.Struct : CompKind.Array,
        superId,
        final: st.final,
        params: c.kind === 'func' ? c.params.map(enc) : [],
        results: c.kind === 'func' ? c.results.map(enc) : [],
        fields: c.kind === 'struct' ? c.fields.map((f) => enc(f.type)) : c.kind === 'array' ? [enc(c.field.type)] : [],
        mutables: c.kind === 'struct' ? c.fields.map((f) => f.mutable) : c.kind === 'array' ? [c.field.mutable] : [],
        depth,
        describes: st.describes ?? -1,
        descriptor: st.descriptor ?? -1,
      });
    }
  }

  /** The canonical SubType of `id`: concrete heap types and supertypes are canonical ids. */
  get(id: number): SubType {
    const st = this.subtypes[id];
    if (st === undefined) throw new RangeError(`unknown canonical type id ${id}`);
    return st;
  }

  /** Encoded form of canonical type `id`. */
  info(id: number): CanonInfo {
    return this.infos[id];
  }

  /** Declared (transitive, reflexive) subtyping between canonical types. */
  isSubtype(subId: number, superId: number): boolean {
    if (subId === superId) return true;
    const target = this.infos[superId];
    let s = this.infos[subId];
    // Chains are acyclic (supertypes precede subtypes), so depth strictly decreases upwards.
    if (s === undefined || target === undefined || s.depth <= target.depth) return false;
    while (s.depth > target.depth + 1) s = this.infos[s.superId];
    return s.superId === superId;
  }

  // ------------------------------------------------------------ encoded relations

  /** Subtyping between encoded heap types. */
  heapSub(a: number, b: number): boolean {
    if (a === b || a === HT.Bot) return true;
    // (exact x) is below x and above only the bottom of x's hierarchy.
    if (b >= EXACT_HEAP) {
      if (a >= CONCRETE_BASE) return false;
      return this.infos[b - EXACT_HEAP - CONCRETE_BASE].kind === CompKind.Func ? a === HT.NoFunc : a === HT.None;
    }
    if (a >= EXACT_HEAP) a -= EXACT_HEAP;
    if (b >= CONCRETE_BASE) {
      if (a >= CONCRETE_BASE) return this.isSubtype(a - CONCRETE_BASE, b - CONCRETE_BASE);
      return this.infos[b - CONCRETE_BASE].kind === CompKind.Func ? a === HT.NoFunc : a === HT.None;
    }
    if (a >= CONCRETE_BASE) {
      const k = this.infos[a - CONCRETE_BASE].kind;
      if (k === CompKind.Func) return b === HT.Func;
      if (b === HT.Any || b === HT.Eq) return true;
      return b === (k === CompKind.Struct ? HT.Struct : HT.Array);
    }
    switch (a) {
      case HT.NoFunc:
        return b === HT.Func;
      case HT.NoExtern:
        return b === HT.Extern;
      case HT.NoExn:
        return b === HT.Exn;
      case HT.None:
        return b === HT.Any || b === HT.Eq || b === HT.I31 || b === HT.Struct || b === HT.Array;
      case HT.Eq:
        return b === HT.Any;
      case HT.I31:
      case HT.Struct:
      case HT.Array:
        return b === HT.Any || b === HT.Eq;
      default:
        return false;
    }
  }

  /** Subtyping between encoded value (or storage) types; `VT.Bot` is below everything. */
  valSub(a: number, b: number): boolean {
    if (a === b || a === VT.Bot) return true;
    if (a < REF_BASE || b < REF_BASE) return false;
    if ((a & 1) === 1 && (b & 1) === 0) return false;
    return this.heapSub(heapOf(a), heapOf(b));
  }

  /** The top heap type of the hierarchy an encoded heap type belongs to. */
  topHeap(h: number): number {
    if (h >= EXACT_HEAP) h -= EXACT_HEAP;
    if (h >= CONCRETE_BASE) return this.infos[h - CONCRETE_BASE].kind === CompKind.Func ? HT.Func : HT.Any;
    switch (h) {
      case HT.Func:
      case HT.NoFunc:
        return HT.Func;
      case HT.Extern:
      case HT.NoExtern:
        return HT.Extern;
      case HT.Exn:
      case HT.NoExn:
        return HT.Exn;
      case HT.Bot:
        return HT.Bot;
      default:
        return HT.Any;
    }
  }

  /** Structural subtyping of composite types (used to check declared supertypes). */
  compSub(subId: number, superId: number): boolean {
    const a = this.infos[subId];
    const b = this.infos[superId];
    if (a.kind !== b.kind) return false;
    if (a.kind === CompKind.Func) {
      if (a.params.length !== b.params.length || a.results.length !== b.results.length) return false;
      for (let i = 0; i < a.params.length; i++) if (!this.valSub(b.params[i], a.params[i])) return false;
      for (let i = 0; i < a.results.length; i++) if (!this.valSub(a.results[i], b.results[i])) return false;
      return true;
    }
    // Structs: width and depth subtyping; arrays: one field.
    if (a.fields.length < b.fields.length) return false;
    if (a.kind === CompKind.Array && a.fields.length !== b.fields.length) return false;
    for (let i = 0; i < b.fields.length; i++) {
      if (a.mutables[i] !== b.mutables[i]) return false;
      if (b.mutables[i] ? a.fields[i] !== b.fields[i] : !this.valSub(a.fields[i], b.fields[i])) return false;
    }
    return true;
  }
}

/** The process-wide registry: canonical ids are comparable across every module. */
export const typeRegistry = new TypeRegistry();

// ---------------------------------------------------------------- extern type matching
//
// All matchers take *canonicalised* types: concrete heap types (and tag/function type
// indices) are canonical ids from `typeRegistry`, not module type indices. Convert a
// module-relative type with `canonicalValType(t, canon)` / `canonicalRefType` where
// `canon = typeRegistry.canonicalize(module)`. `a` is the provided (exported) type, `b` the
// expected (imported) one; each returns true iff `a` matches `b` (spec 3.0 "Matching").

/** Converts a module-relative value type to its canonical form (concrete heaps as canonical ids). */
export function canonicalValType(t: ValType, canon: readonly number[]): ValType {
  if (typeof t === 'string' || typeof t.heap !== 'number') return t;
  if (t.exact === true) return { kind: 'ref', nullable: t.nullable, heap: canon[t.heap], exact: true };
  return { kind: 'ref', nullable: t.nullable, heap: canon[t.heap] };
}
export function canonicalRefType(t: RefType, canon: readonly number[]): RefType {
  return canonicalValType(t, canon) as RefType;
}

export function matchValType(a: ValType, b: ValType): boolean {
  return typeRegistry.valSub(encodeType(a, null), encodeType(b, null));
}
/**
 * Function imports: `a` and `b` are canonical type ids; declared subtyping, or identity for
 * an exact import (custom descriptors).
 */
export function matchFuncType(a: number, b: number, exact?: boolean): boolean {
  return exact === true ? a === b : typeRegistry.isSubtype(a, b);
}
export function matchLimits(a: Limits, b: Limits): boolean {
  if (a.min < b.min) return false;
  if (b.max === undefined) return true;
  return a.max !== undefined && a.max <= b.max;
}
export function matchTableType(a: TableType, b: TableType): boolean {
  return (
    a.addr === b.addr && matchLimits(a.limits, b.limits) && matchValType(a.elem, b.elem) && matchValType(b.elem, a.elem)
  );
}
export function matchMemoryType(a: MemoryType, b: MemoryType): boolean {
  return (
    a.addr === b.addr && a.shared === b.shared && a.pageSizeLog2 === b.pageSizeLog2 && matchLimits(a.limits, b.limits)
  );
}
export function matchGlobalType(a: GlobalType, b: GlobalType): boolean {
  if (a.mutable !== b.mutable) return false;
  if (!matchValType(a.type, b.type)) return false;
  return !b.mutable || matchValType(b.type, a.type);
}
