// The data an ahead-of-time module carries besides its code: the module's IR without
// function bodies or custom sections, with constant expressions in a name-based form so
// the loader needs no opcode table. Shared (types only) by the emitter (compile.ts) and the
// loader (index.ts).
//
// Field names follow ModuleIR, so VMOffsets and the type registry read an AotModule as
// they read a ModuleIR: the layout and canonical ids computed at load time equal those the
// code was translated against (canonical structure is carried, ids are recomputed).

import type { ExternKind, GlobalType, Import, MemoryType, RecGroup, RefType, SubType, TableType, TagType } from '../../compiler/ir';

/**
 * One constant-expression instruction: its spec name, then its immediates.
 * i32.const: int32; i64.const: bigint; f32.const: uint32 bits; f64.const: bigint bits;
 * v128.const: 16 bytes; ref.func / global.get / struct.new* / array.new*: an index;
 * array.new_fixed: type index and element count.
 */
export type AotConstInstr = readonly [string, ...(number | bigint | Uint8Array)[]];
export type AotConstExpr = readonly AotConstInstr[];

export interface AotModule {
  readonly types: readonly SubType[];
  readonly recGroups: readonly RecGroup[];
  readonly imports: readonly Import[];
  readonly funcs: readonly number[];
  readonly tables: readonly { readonly type: TableType; readonly init?: AotConstExpr }[];
  readonly memories: readonly MemoryType[];
  readonly globals: readonly { readonly type: GlobalType; readonly init: AotConstExpr }[];
  readonly tags: readonly TagType[];
  readonly exports: readonly { readonly name: string; readonly kind: ExternKind; readonly index: number }[];
  readonly start?: number;
  readonly elems: readonly {
    readonly mode: 'active' | 'passive' | 'declarative';
    readonly table: number;
    readonly offset?: AotConstExpr;
    readonly type: RefType;
    readonly init: readonly AotConstExpr[];
  }[];
  readonly datas: readonly {
    readonly mode: 'active' | 'passive';
    readonly memory: number;
    readonly offset?: AotConstExpr;
    readonly bytes: Uint8Array;
  }[];
  readonly numImportedFuncs: number;
  readonly numImportedTables: number;
  readonly numImportedMemories: number;
  readonly numImportedGlobals: number;
  readonly numImportedTags: number;
  /** Function names from the name section, as (function index, name) pairs. */
  readonly funcNames?: readonly (readonly [number, string])[];
  /** Present when the code is the NaN-carrier variant (vmctx/nan.ts), which only runs in a
   *  runtime that uses carriers too, as the plain variant only runs in one that does not. */
  readonly nanCarriers?: true;
}

/** The translated code: the translator's module factory, as a real function. */
export type AotFactory = (vm: unknown, helpers: unknown, lazySource?: unknown) => {
  readonly funcs: ((...args: unknown[]) => unknown)[];
  readonly refresh: () => void;
};
