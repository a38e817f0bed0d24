// The module intermediate representation shared by the decoder, the validator, the
// translator and the runtime. Every module, whatever its source (text or binary), is
// decoded into this shape by compiler/binary; nothing downstream reads bytes again.
//
// Names follow the WebAssembly 3.0 specification (section 2 "Structure").

// ---------------------------------------------------------------- types

/** Abstract heap types (spec 2.3.3). A concrete heap type is a type index (number). */
export type AbsHeapType =
  'func' | 'nofunc' | 'extern' | 'noextern' | 'any' | 'eq' | 'i31' | 'struct' | 'array' | 'none' | 'exn' | 'noexn';

/**
 * A heap type: abstract, or a concrete type index into the module's type section.
 * After canonicalisation (runtime), concrete types are compared by canonical id, never
 * by index — see compiler/validate's TypeRegistry.
 */
export type HeapType = AbsHeapType | number;

export interface RefType {
  readonly kind: 'ref';
  readonly nullable: boolean;
  readonly heap: HeapType;
  /**
   * Custom descriptors: `(ref null? (exact x))`, a reference to a value of type x itself,
   * not of a declared subtype. Only concrete heap types are exact; absent means inexact.
   */
  readonly exact?: boolean;
}

export type NumType = 'i32' | 'i64' | 'f32' | 'f64';
export type VecType = 'v128';
export type ValType = NumType | VecType | RefType;

/** Packed storage types exist only inside struct/array fields. */
export type PackedType = 'i8' | 'i16';
export type StorageType = ValType | PackedType;

export interface FieldType {
  readonly type: StorageType;
  readonly mutable: boolean;
}

export interface FuncType {
  readonly kind: 'func';
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}
export interface StructType {
  readonly kind: 'struct';
  readonly fields: readonly FieldType[];
}
export interface ArrayType {
  readonly kind: 'array';
  readonly field: FieldType;
}
export type CompositeType = FuncType | StructType | ArrayType;

/** A (possibly final) subtype declaration; `supers` holds type indices (at most one). */
export interface SubType {
  readonly final: boolean;
  readonly supers: readonly number[];
  readonly comp: CompositeType;
  /** Custom descriptors: `(describes x)`, the type this (struct) type is the descriptor of. */
  readonly describes?: number;
  /** Custom descriptors: `(descriptor y)`, the type of this (struct) type's descriptors. */
  readonly descriptor?: number;
}

/** Types `start .. start+count-1` of the module's type index space form one rec group. */
export interface RecGroup {
  readonly start: number;
  readonly count: number;
}

export type AddrType = 'i32' | 'i64';

export interface Limits {
  /** Numbers, not bigints: any limit past 2^53 is invalid anyway (memory <= 2^48 pages). */
  readonly min: number;
  readonly max?: number;
}
export interface MemoryType {
  readonly limits: Limits;
  readonly shared: boolean;
  readonly addr: AddrType;
  /** log2 of the page size: 16 unless the custom-page-sizes proposal says otherwise. */
  readonly pageSizeLog2: number;
}
export interface TableType {
  readonly limits: Limits;
  readonly elem: RefType;
  readonly addr: AddrType;
}
export interface GlobalType {
  readonly type: ValType;
  readonly mutable: boolean;
}
/** Tag types are function type indices whose results are empty. */
export interface TagType {
  readonly typeIdx: number;
}

// ---------------------------------------------------------------- instructions

/** A block type: empty (null), a single result value type, or a type index. */
export type BlockType = null | ValType | number;

export interface MemArg {
  /** log2 of the alignment hint. */
  readonly align: number;
  /** Byte offset; a number (see Limits for why not bigint). */
  readonly offset: number;
  readonly mem: number;
}

/** try_table catch clause kinds, numbered as in the binary format. */
export const enum CatchKind {
  Catch = 0,
  CatchRef = 1,
  CatchAll = 2,
  CatchAllRef = 3,
}
export interface Catch {
  readonly kind: CatchKind;
  /** Tag index; absent for catch_all / catch_all_ref. */
  readonly tag?: number;
  readonly label: number;
}

/**
 * One decoded instruction. `op` is the opcode number from compiler/opcodes.ts
 * (single-byte opcodes are the byte; prefixed ones are (prefix << 16) | subopcode).
 * Only the immediates that the opcode's `imm` kind names are present; the mapping from
 * immediate kind to fields is documented on `Imm` in compiler/opcodes.ts.
 * Decoded instructions are immutable: the decoder shares one object among all occurrences
 * of a common instruction (binary/instructions.ts).
 */
export interface Instr {
  readonly op: number;
  /** Byte offset of the opcode within the module binary; absent on shared instructions. */
  readonly pos?: number;
  idx?: number;
  idx2?: number;
  memarg?: MemArg;
  /** i32.const: int32 value; i64.const: bigint; f32.const: uint32 bit pattern; f64.const: bigint bit pattern (unsigned 64-bit). */
  value?: number | bigint;
  /** v128.const bytes, i8x16.shuffle lane indices (16 bytes). */
  bytes?: Uint8Array;
  bt?: BlockType;
  /** br_table targets (the default is `idx`). */
  labels?: number[];
  /** ref.null heap type; ref.test/ref.cast target heap type. */
  heap?: HeapType;
  /**
   * Typed select's result types; ref.test/ref.cast/br_on_cast target types; ref.null of an
   * exact heap type: its (nullable, exact) reference type.
   */
  types?: ValType[];
  /** Lane index for extract/replace/load_lane/store_lane. */
  lane?: number;
  /** try_table clauses. */
  catches?: Catch[];
}

// ---------------------------------------------------------------- module

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export type ImportDesc =
  | { readonly kind: 'func'; readonly typeIdx: number; readonly exact?: boolean }
  | { readonly kind: 'table'; readonly type: TableType }
  | { readonly kind: 'memory'; readonly type: MemoryType }
  | { readonly kind: 'global'; readonly type: GlobalType }
  | { readonly kind: 'tag'; readonly type: TagType };

export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
}

export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}

/** A constant expression: instructions without the final `end`. */
export type ConstExpr = Instr[];

export interface Table {
  readonly type: TableType;
  /** Initialiser expression (table with explicit init); absent means ref.null of the elem type. */
  readonly init?: ConstExpr;
}

export interface Global {
  readonly type: GlobalType;
  readonly init: ConstExpr;
}

export type SegmentMode = 'active' | 'passive' | 'declarative';

export interface ElemSegment {
  readonly mode: SegmentMode;
  /** Active only. */
  readonly table: number;
  readonly offset?: ConstExpr;
  readonly type: RefType;
  /** One constant expression per element (function-index forms are decoded to ref.func). */
  readonly init: ConstExpr[];
}

export interface DataSegment {
  readonly mode: 'active' | 'passive';
  readonly memory: number;
  readonly offset?: ConstExpr;
  readonly bytes: Uint8Array;
}

export interface FuncBody {
  /** Declared locals (parameters excluded), expanded: one entry per local. */
  readonly locals: ValType[];
  /** Instructions without the function's final `end`. */
  readonly body: Instr[];
  /** Byte offset of the body in the module binary. */
  readonly pos: number;
  /**
   * Bodies kept as bytes (see ModuleIR.bodyStream): where the instructions start in
   * `ModuleIR.binary` (after the locals) and where the body ends.
   */
  readonly start?: number;
  readonly end?: number;
}

export interface CustomSection {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Names by index (a namemap of the name section), read on demand. */
export interface NameMap extends Iterable<[number, string]> {
  readonly size: number;
  get(index: number): string | undefined;
  has(index: number): boolean;
  entries(): IterableIterator<[number, string]>;
}

export interface NameSection {
  readonly module?: string;
  readonly funcs: NameMap;
  readonly locals: ReadonlyMap<number, NameMap>;
}

export interface ModuleIR {
  /** The type index space, flattened; `recGroups` partitions it. */
  types: SubType[];
  recGroups: RecGroup[];
  imports: Import[];
  /** Type index of each function defined in this module (not imports). */
  funcs: number[];
  tables: Table[];
  memories: MemoryType[];
  globals: Global[];
  tags: TagType[];
  exports: Export[];
  start?: number;
  elems: ElemSegment[];
  datas: DataSegment[];
  /** Present when a data count section was seen. */
  dataCount?: number;
  codes: FuncBody[];
  customs: CustomSection[];
  names?: NameSection;
  // Derived index spaces, filled by the decoder: imports first, then definitions.
  numImportedFuncs: number;
  numImportedTables: number;
  numImportedMemories: number;
  numImportedGlobals: number;
  numImportedTags: number;
  /**
   * Byte offset in the module binary of instruction `index` of `codes[codeIndex].body`
   * (`index` equal to the body's length: its final `end`). Set by the binary decoder, which
   * re-reads the body to answer: instructions keep no offsets, and this serves only error
   * messages. It keeps the input alive, as the views in custom sections and data segments do.
   */
  instrOffset?: (codeIndex: number, index: number) => number;
  /**
   * Set when the decoder left function bodies as byte ranges (`decodeModule(bytes, { lazyBodies:
   * true })`): a stream over the instructions of `codes[codeIndex]`, read straight from the
   * bytes, for a reader that needs each instruction once (the validator; the translator,
   * with `values`, which also decodes the values of i64, f32 and f64 constants). A body is
   * decoded into `Instr`s only if its `body` is read.
   */
  bodyStream?: (codeIndex: number, values?: boolean) => BodyStream;
  /** With lazy bodies: the module binary the bodies' `start` and `end` refer to. */
  binary?: Uint8Array;
  /**
   * With lazy bodies: whether any body streamed or decoded so far names a data segment, which
   * makes the data count section mandatory (a malformed module without one).
   */
  codeUsesDataIndex?: () => boolean;
}

/**
 * The instructions of one function body, one at a time. Each `next()` decodes into the same
 * `instr` object, writing only the fields of that instruction's immediate kind, so a reader
 * must not look at the others and must not keep the object.
 */
export interface BodyStream {
  readonly instr: Instr;
  /**
   * Decodes the next instruction into `instr`. Returns false after the body's final `end`,
   * having checked that the body ends where its size says. Throws CompileError('malformed').
   */
  next(): boolean;
}

// ---------------------------------------------------------------- helpers

export const ref = (nullable: boolean, heap: HeapType): RefType => ({ kind: 'ref', nullable, heap });
export const FUNCREF: RefType = ref(true, 'func');
export const EXTERNREF: RefType = ref(true, 'extern');
