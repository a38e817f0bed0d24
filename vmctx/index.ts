// The contract between the compiler and the runtime (as Wasmtime's crates/environ is): what
// generated code may assume of the instance it runs in and of the runtime it calls.
//   - this file: VMOffsets and the VMContext layout, the single answer to "where in an
//     instance's VMContext is imported function i, global g, memory m, table t, segment s".
//     The runtime lays out each instance by these answers (runtime/vm/instance.ts) and the
//     translator bakes them into generated code as constants; neither recomputes a layout;
//   - helpers.ts: the helpers generated code may call, with their signatures;
//   - traps.ts: the trap messages;
//   - codegen.ts: the factory's parameters and a glossary of the names in generated code.
//
// A VMContext has two regions:
//   - the numeric slab: one ArrayBuffer with Int32Array / Float64Array / BigInt64Array views.
//     Numeric defined globals live here. Typed arrays keep NaN payloads bit-exact; plain JS
//     arrays do not (V8 quiets signalling NaNs in double-element arrays), so Wasm numbers
//     never live in plain arrays.
//   - the reference slab: a JS array holding imported function callables, global cells
//     (numeric imported globals as one-element typed-array views of the exporter's slab;
//     reference-typed globals as RefCell objects), table objects, memory objects, tags and
//     the current contents of element and data segments.
//
// Slot order of the reference slab (`refs`), one slot each:
//   1. every import, in import order whatever its kind (function: its callable; global: its
//      cell; table, memory, tag: the object);
//   2. defined reference-typed globals, in global order (their RefCell);
//   3. defined tables, 4. defined memories, 5. defined tags, each in definition order;
//   6. element segments, 7. data segments (their current contents), in segment order.
// Slot order of the numeric slab (defined numeric globals only, in global order):
//   1. v128 globals, 16 bytes each from byte 0 (so they are 16-byte aligned without padding);
//   2. every other numeric global, 8 bytes each: i32 at Int32Array index byte/4 (the upper
//      word unused), i64 at BigInt64Array index byte/8 (generated code reads it as the int32
//      words 2k, 2k + 1), f32 and f64 at Float64Array index byte/8 (f32 as its carried f64);
//   3. the slab is at least 16 bytes and a multiple of 16.
// vmctx.test.ts checks both orders.
//
// Invariants (enforced by runtime/vm/instance.ts, which alone allocates and fills VMContexts):
//   - a VMContext is never re-allocated and its slab views never change, so generated code
//     may capture `vm.i32`, `vm.f64`, `vm.i64` and `vm.refs` once;
//   - every reference-slab slot except segment slots is written once, before the module's
//     generated code is instantiated, and generated code reads it only then (its prelude
//     captures the slot's value); segment slots change on elem.drop / data.drop and are
//     always re-read. Afterwards only runtime/instance.ts's dispose() writes non-segment
//     slots: it clears the memory and table slots to release them, which code already
//     running never observes (it reads the values it captured);
//   - a memory's views change on growth; the memory object calls every registered refresher
//     (one per instance using it) so cached views are never stale (see VMMemory).

import type { ModuleIR, ValType } from '../compiler/ir';
import { NAN_CARRIERS } from './nan';

/** Where a numeric value lives inside a numeric slab. */
/**
 * The name of every lazy stub's function (compiler/translate/index.ts lazyModuleSource): the
 * runtime's lazyCompile names a stub's translated code `fN` in its place, and backtraces
 * skip frames of that name (the code's own frame follows).
 */
export const LAZY_STUB_NAME = 'lazyStub';

export const enum SlabKind {
  I32,
  I64,
  F64,
  V128,
}

/** Storage of a defined global. */
export type GlobalSlot =
  | { readonly kind: 'num'; readonly slab: SlabKind; /** index in that slab view */ readonly index: number }
  | { readonly kind: 'ref'; /** reference-slab slot of its RefCell */ readonly slot: number };

function slabKindOf(t: ValType): SlabKind | null {
  switch (t) {
    case 'i32':
      return SlabKind.I32;
    case 'i64':
      return SlabKind.I64;
    // f32 is stored as its carried f64 number; where NaNs need carriers (vmctx/nan.ts) a
    // float global is a cell, since a typed-array slot cannot hold a carrier.
    case 'f32':
    case 'f64':
      return NAN_CARRIERS ? null : SlabKind.F64;
    case 'v128':
      return SlabKind.V128;
    default:
      return null;
  }
}

/** A reference-typed global's storage: shared by exporter and importers. */
export interface RefCell {
  value: unknown;
}

/**
 * The shape of a memory as generated code sees it. Owned by the runtime's Memory.
 * Invariant: after any change of `buffer`, the owner updates dv/u8/byteLength and then calls
 * every function in `refreshers`, before control returns to Wasm code.
 */
export interface VMMemory {
  buffer: ArrayBuffer;
  dv: DataView;
  u8: Uint8Array;
  byteLength: number;
  readonly refreshers: Set<() => void>;
}

/**
 * The shape of a table as generated code sees it.
 * Invariant: `elements` keeps its identity for the table's lifetime (growth appends in
 * place), so generated code may capture it.
 */
export interface VMTable {
  readonly elements: unknown[];
}

/** Per-module layout. Computed once per Module; shared by all of its instances. */
export class VMOffsets {
  /** Numeric slab size in bytes (multiple of 16). */
  readonly slabBytes: number;
  /** Reference slab length. */
  readonly refSlots: number;

  private readonly importedFuncSlots: number[] = [];
  private readonly globalSlots: (GlobalSlot | { kind: 'import'; slot: number })[] = [];
  private readonly tableSlots: number[] = [];
  private readonly memorySlots: number[] = [];
  private readonly tagSlots: number[] = [];
  private readonly elemSlots: number[] = [];
  private readonly dataSlots: number[] = [];

  constructor(m: ModuleIR) {
    let ref = 0;
    let bytes = 0;
    const importedGlobalTypes: ValType[] = [];
    for (const imp of m.imports) {
      switch (imp.desc.kind) {
        case 'func':
          this.importedFuncSlots.push(ref++);
          break;
        case 'global':
          importedGlobalTypes.push(imp.desc.type.type);
          this.globalSlots.push({ kind: 'import', slot: ref++ });
          break;
        case 'table':
          this.tableSlots.push(ref++);
          break;
        case 'memory':
          this.memorySlots.push(ref++);
          break;
        case 'tag':
          this.tagSlots.push(ref++);
          break;
      }
    }
    // v128 globals first so that 16-byte alignment needs no padding bookkeeping.
    const defined: GlobalSlot[] = new Array(m.globals.length);
    m.globals.forEach((g, i) => {
      if (g.type.type === 'v128') {
        defined[i] = { kind: 'num', slab: SlabKind.V128, index: bytes / 4 };
        bytes += 16;
      }
    });
    m.globals.forEach((g, i) => {
      const k = slabKindOf(g.type.type);
      if (k === SlabKind.V128) return;
      if (k === null) {
        defined[i] = { kind: 'ref', slot: ref++ };
        return;
      }
      defined[i] = { kind: 'num', slab: k, index: k === SlabKind.I32 ? bytes / 4 : bytes / 8 };
      bytes += 8;
    });
    // One by one: spreading a module's globals into push's arguments overflows the stack
    // when there are many (the JS API allows 1,000,000).
    for (const g of defined) this.globalSlots.push(g);
    for (let i = 0; i < m.tables.length; i++) this.tableSlots.push(ref++);
    for (let i = 0; i < m.memories.length; i++) this.memorySlots.push(ref++);
    for (let i = 0; i < m.tags.length; i++) this.tagSlots.push(ref++);
    for (let i = 0; i < m.elems.length; i++) this.elemSlots.push(ref++);
    for (let i = 0; i < m.datas.length; i++) this.dataSlots.push(ref++);
    this.slabBytes = Math.max(16, (bytes + 15) & ~15);
    this.refSlots = ref;
  }

  /** Reference-slab slot of imported function i's callable. */
  importedFunc(i: number): number {
    return this.importedFuncSlots[i];
  }
  /** For an imported global: the reference-slab slot holding its cell (typed-array view or RefCell). */
  isImportedGlobal(g: number): boolean {
    return this.globalSlots[g].kind === 'import';
  }
  importedGlobal(g: number): number {
    const s = this.globalSlots[g];
    if (s.kind !== 'import') throw new Error('not an imported global');
    return s.slot;
  }
  /** Storage of a defined global, by global index (imports included in the index space). */
  definedGlobal(g: number): GlobalSlot {
    const s = this.globalSlots[g];
    if (s.kind === 'import') throw new Error('not a defined global');
    return s;
  }
  table(t: number): number {
    return this.tableSlots[t];
  }
  memory(m: number): number {
    return this.memorySlots[m];
  }
  tag(t: number): number {
    return this.tagSlots[t];
  }
  /** Current contents of element segment s (an array; empty after drop). */
  elem(s: number): number {
    return this.elemSlots[s];
  }
  /** Current contents of data segment s (a Uint8Array; empty after drop). */
  data(s: number): number {
    return this.dataSlots[s];
  }
}

/** One instance's context. Allocated once per instance by the runtime. */
export class VMContext {
  readonly slab: ArrayBuffer;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly i64: BigInt64Array;
  readonly refs: unknown[];
  constructor(readonly offsets: VMOffsets) {
    this.slab = new ArrayBuffer(offsets.slabBytes);
    this.i32 = new Int32Array(this.slab);
    this.f64 = new Float64Array(this.slab);
    this.i64 = new BigInt64Array(this.slab);
    this.refs = new Array<unknown>(offsets.refSlots).fill(null);
  }
}
