// What instantiation needs of a module: its IR without function bodies or custom sections,
// with constant expressions in a name-based form (`ConstOps`), so that instantiating needs
// no opcode table and so no compiler code. The runtime derives it from a ModuleIR
// (runtime/module-info.ts); ahead-of-time output carries it as a literal (runtime/aot/).
//
// Field names follow ModuleIR, so VMOffsets and the type registry read a ModuleInfo as they
// read a ModuleIR: the layout and canonical ids computed from either are the same.

import type {
  ExternKind,
  GlobalType,
  Import,
  MemoryType,
  RecGroup,
  RefType,
  SubType,
  TableType,
  TagType,
} from '../../compiler/ir';

/**
 * One constant-expression instruction: its spec name, then its immediates.
 * i32.const: int32; i64.const: bigint; f32.const: uint32 bits; f64.const: bigint bits;
 * v128.const: 16 bytes; ref.func / global.get / struct.new* / array.new*: an index;
 * array.new_fixed: type index and element count.
 */
export type ConstOp = readonly [string, ...(number | bigint | Uint8Array)[]];
export type ConstOps = readonly ConstOp[];

export interface ModuleInfo {
  readonly types: readonly SubType[];
  readonly recGroups: readonly RecGroup[];
  readonly imports: readonly Import[];
  readonly funcs: readonly number[];
  readonly tables: readonly { readonly type: TableType; readonly init?: ConstOps }[];
  readonly memories: readonly MemoryType[];
  readonly globals: readonly { readonly type: GlobalType; readonly init: ConstOps }[];
  readonly tags: readonly TagType[];
  readonly exports: readonly { readonly name: string; readonly kind: ExternKind; readonly index: number }[];
  readonly start?: number;
  readonly elems: readonly {
    readonly mode: 'active' | 'passive' | 'declarative';
    readonly table: number;
    readonly offset?: ConstOps;
    readonly type: RefType;
    readonly init: readonly ConstOps[];
  }[];
  readonly datas: readonly {
    readonly mode: 'active' | 'passive';
    readonly memory: number;
    readonly offset?: ConstOps;
    readonly bytes: Uint8Array;
  }[];
  readonly numImportedFuncs: number;
  readonly numImportedTables: number;
  readonly numImportedMemories: number;
  readonly numImportedGlobals: number;
  readonly numImportedTags: number;
  /** Function names from the name section, as (function index, name) pairs. */
  readonly funcNames?: readonly (readonly [number, string])[];
}
