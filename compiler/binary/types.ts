// Decoding of the type grammar (spec 5.3): value, reference, heap, storage, composite and
// sub types, rec groups, limits, memory/table/global/tag types and block types.

import {
  AbsHeapType,
  AddrType,
  BlockType,
  CompositeType,
  FieldType,
  GlobalType,
  HeapType,
  Limits,
  MemoryType,
  RecGroup,
  RefType,
  StorageType,
  SubType,
  TableType,
  TagType,
  ValType,
} from '../ir';
import { Reader } from './reader';

/** Abstract heap types by their one-byte encoding (a negative s7 / s33). */
const ABS_HEAP: (AbsHeapType | undefined)[] = [];
ABS_HEAP[0x70] = 'func';
ABS_HEAP[0x6f] = 'extern';
ABS_HEAP[0x6e] = 'any';
ABS_HEAP[0x6d] = 'eq';
ABS_HEAP[0x6c] = 'i31';
ABS_HEAP[0x6b] = 'struct';
ABS_HEAP[0x6a] = 'array';
ABS_HEAP[0x71] = 'none';
ABS_HEAP[0x73] = 'nofunc';
ABS_HEAP[0x72] = 'noextern';
ABS_HEAP[0x69] = 'exn';
ABS_HEAP[0x74] = 'noexn';

// Reference types over abstract heap types are immutable and shared, so decoding
// `funcref` a million times allocates nothing.
const NULLABLE_ABS = new Map<AbsHeapType, RefType>();
const NON_NULL_ABS = new Map<AbsHeapType, RefType>();
for (const h of ABS_HEAP) {
  if (h === undefined) continue;
  NULLABLE_ABS.set(h, Object.freeze({ kind: 'ref', nullable: true, heap: h }));
  NON_NULL_ABS.set(h, Object.freeze({ kind: 'ref', nullable: false, heap: h }));
}

/** Byte 0x63: (ref null ht); 0x64: (ref ht). */
const REF_NULL = 0x63;
const REF = 0x64;

export function refType(nullable: boolean, heap: HeapType, exact = false): RefType {
  if (typeof heap === 'string') return (nullable ? NULLABLE_ABS : NON_NULL_ABS).get(heap)!;
  return exact ? { kind: 'ref', nullable, heap, exact } : { kind: 'ref', nullable, heap };
}

/** Custom descriptors: the prefix of an exact heap type, `0x62 x:u32`. */
export const EXACT_HEAP = 0x62;

/**
 * Whether the heap type that `heapType` last returned was exact (`0x62 x`). Read right after
 * the call; kept aside so the common inexact path allocates nothing.
 */
export let lastHeapExact = false;

let exactHeapTypes = 0;

/**
 * How many exact heap types this process has decoded: a module whose decoding and
 * validation moved it uses custom descriptors' exact types (the engine rejects that when the
 * proposal is switched off, runtime/module.ts).
 */
export function exactHeapTypeCount(): number {
  return exactHeapTypes;
}

export function heapType(r: Reader): HeapType {
  const b = r.peek();
  lastHeapExact = false;
  if (b === EXACT_HEAP) {
    r.pos++;
    lastHeapExact = true;
    exactHeapTypes++;
    return r.u32();
  }
  // A single byte in 0x40..0x7f is a negative s33: an abstract heap type or nothing.
  if (b >= 0x40 && b < 0x80) {
    r.pos++;
    const h = ABS_HEAP[b];
    if (h === undefined) r.fail('malformed heap type');
    return h;
  }
  const v = r.s33();
  if (v < 0) r.fail('malformed heap type');
  return v;
}

/** reftype: the shorthand bytes or 0x63/0x64 followed by a heap type. */
export function refTypeAt(r: Reader): RefType {
  const b = r.u8();
  if (b === REF_NULL || b === REF) {
    const h = heapType(r);
    return refType(b === REF_NULL, h, lastHeapExact);
  }
  const h = ABS_HEAP[b];
  if (h === undefined) r.fail(b & 0x80 ? 'integer representation too long' : 'malformed reference type');
  return NULLABLE_ABS.get(h)!;
}

export function valType(r: Reader): ValType {
  const b = r.u8();
  switch (b) {
    case 0x7f:
      return 'i32';
    case 0x7e:
      return 'i64';
    case 0x7d:
      return 'f32';
    case 0x7c:
      return 'f64';
    case 0x7b:
      return 'v128';
    case REF_NULL:
    case REF: {
      const h = heapType(r);
      return refType(b === REF_NULL, h, lastHeapExact);
    }
  }
  const h = ABS_HEAP[b];
  if (h === undefined) r.fail(b & 0x80 ? 'integer representation too long' : 'malformed reference type');
  return NULLABLE_ABS.get(h)!;
}

/** True if `b` can start a value type. */
function isValTypeByte(b: number): boolean {
  return (b >= 0x7b && b <= 0x7f) || b === REF_NULL || b === REF || ABS_HEAP[b] !== undefined;
}

export function valTypes(r: Reader): ValType[] {
  const n = r.len();
  const out: ValType[] = [];
  for (let i = 0; i < n; i++) out.push(valType(r));
  return out;
}

function storageType(r: Reader): StorageType {
  const b = r.peek();
  if (b === 0x78) {
    r.pos++;
    return 'i8';
  }
  if (b === 0x77) {
    r.pos++;
    return 'i16';
  }
  if (b >= 0 && !isValTypeByte(b)) {
    r.pos++;
    r.fail(b & 0x80 ? 'integer representation too long' : 'malformed storage type');
  }
  return valType(r);
}

export function mutability(r: Reader): boolean {
  const b = r.u8();
  if (b === 0) return false;
  if (b === 1) return true;
  return r.fail('malformed mutability');
}

function fieldType(r: Reader): FieldType {
  const type = storageType(r);
  const mutable = mutability(r);
  return { type, mutable };
}

function compositeType(r: Reader): CompositeType {
  const b = r.u8();
  switch (b) {
    case 0x60: {
      const params = valTypes(r);
      const results = valTypes(r);
      return { kind: 'func', params, results };
    }
    case 0x5f: {
      const n = r.len();
      const fields: FieldType[] = [];
      for (let i = 0; i < n; i++) fields.push(fieldType(r));
      return { kind: 'struct', fields };
    }
    case 0x5e:
      return { kind: 'array', field: fieldType(r) };
  }
  return r.fail(b & 0x80 ? 'integer representation too long' : 'malformed definition type');
}

const NO_SUPERS: readonly number[] = Object.freeze([]);

/** Custom descriptors: `0x4c x` (describes x) and `0x4d y` (descriptor y) before the comptype. */
const DESCRIBES = 0x4c;
const DESCRIPTOR = 0x4d;

function subType(r: Reader): SubType {
  const b = r.peek();
  let final = true;
  let supers = NO_SUPERS;
  if (b === 0x50 || b === 0x4f) {
    r.pos++;
    const n = r.len();
    const s: number[] = [];
    for (let i = 0; i < n; i++) s.push(r.u32());
    final = b === 0x4f;
    supers = s;
  }
  let c = r.peek();
  if (c !== DESCRIBES && c !== DESCRIPTOR) return { final, supers, comp: compositeType(r) };
  let describes: number | undefined;
  let descriptor: number | undefined;
  if (c === DESCRIBES) {
    r.pos++;
    describes = r.u32();
    c = r.peek();
  }
  if (c === DESCRIPTOR) {
    r.pos++;
    descriptor = r.u32();
  }
  const st: {
    final: boolean;
    supers: readonly number[];
    comp: CompositeType;
    describes?: number;
    descriptor?: number;
  } = { final, supers, comp: compositeType(r) };
  if (describes !== undefined) st.describes = describes;
  if (descriptor !== undefined) st.descriptor = descriptor;
  return st;
}

/**
 * The type section: rec groups, flattened into one type index space. `maxTypes` bounds the
 * total; a group's size is checked against it before the group's types are read.
 */
export function typeSection(r: Reader, types: SubType[], recGroups: RecGroup[], maxTypes: number): void {
  const n = r.len();
  for (let i = 0; i < n; i++) {
    const start = types.length;
    const at = r.pos;
    if (r.peek() === 0x4e) {
      r.pos++;
      const m = r.len();
      if (start + m > maxTypes) r.fail(`too many types (${start + m}; the implementation limit is ${maxTypes})`, at);
      for (let j = 0; j < m; j++) types.push(subType(r));
      recGroups.push({ start, count: m });
    } else {
      if (start + 1 > maxTypes) r.fail(`too many types (${start + 1}; the implementation limit is ${maxTypes})`, at);
      types.push(subType(r));
      recGroups.push({ start, count: 1 });
    }
  }
}

// Limits flags: bit 0 = has max, bit 1 = shared (memories), bit 2 = 64-bit addresses,
// bit 3 = custom page size follows (memories).
const LIMITS_HAS_MAX = 1;
const LIMITS_SHARED = 2;
const LIMITS_I64 = 4;
const LIMITS_PAGE_SIZE = 8;
const MEMORY_FLAGS = LIMITS_HAS_MAX | LIMITS_SHARED | LIMITS_I64 | LIMITS_PAGE_SIZE;
const TABLE_FLAGS = LIMITS_HAS_MAX | LIMITS_I64;

function limitsFlags(r: Reader, allowed: number): number {
  const flags = r.u8();
  if ((flags & ~allowed) !== 0) r.fail('malformed limits flags');
  return flags;
}

function limits(r: Reader, flags: number): Limits {
  const min = r.u64();
  if (flags & LIMITS_HAS_MAX) return { min, max: r.u64() };
  return { min };
}

export function memoryType(r: Reader): MemoryType {
  const flags = limitsFlags(r, MEMORY_FLAGS);
  const lim = limits(r, flags);
  const addr: AddrType = flags & LIMITS_I64 ? 'i64' : 'i32';
  let pageSizeLog2 = 16;
  if (flags & LIMITS_PAGE_SIZE) {
    pageSizeLog2 = r.u32();
    // A page size must fit in 64 bits; which sizes are allowed is validation's business.
    if (pageSizeLog2 > 64) r.fail('invalid custom page size');
  }
  return { limits: lim, shared: (flags & LIMITS_SHARED) !== 0, addr, pageSizeLog2 };
}

export function tableType(r: Reader): TableType {
  const elem = refTypeAt(r);
  const flags = limitsFlags(r, TABLE_FLAGS);
  const lim = limits(r, flags);
  return { limits: lim, elem, addr: flags & LIMITS_I64 ? 'i64' : 'i32' };
}

export function globalType(r: Reader): GlobalType {
  const type = valType(r);
  const mutable = mutability(r);
  return { type, mutable };
}

export function tagType(r: Reader): TagType {
  if (r.u8() !== 0) r.fail('zero byte expected');
  return { typeIdx: r.u32() };
}

/** blocktype: 0x40 (empty), a value type, or a non-negative s33 type index. */
export function blockType(r: Reader): BlockType {
  const b = r.peek();
  if (b === 0x40) {
    r.pos++;
    return null;
  }
  if (b > 0x40 && b < 0x80) return valType(r);
  const v = r.s33();
  if (v < 0) r.fail('malformed type index');
  return v;
}
