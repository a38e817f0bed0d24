// A ModuleIR as instantiation needs it (runtime/vm/module.ts): constant expressions in their
// name-based form. Used by Module (runtime/instance.ts) and by the ahead-of-time emitter
// (runtime/aot/compile.ts), which writes the result into its output.

import type { ConstExpr, ModuleIR } from '../compiler/ir';
import { opByCode } from '../compiler/opcodes';
import type { ConstOp, ConstOps, ModuleInfo } from './vm/module';

export function constOps(e: ConstExpr): ConstOps {
  // A segment's offset and an element segment's function (thousands in some modules).
  if (e.length === 1) {
    const ins = e[0];
    if (ins.op === 0x41) return [['i32.const', ins.value!]];
    if (ins.op === 0xd2) return [['ref.func', ins.idx!]];
  }
  return e.map((ins): ConstOp => {
    const info = opByCode.get(ins.op);
    if (!info) throw new Error(`unknown opcode ${ins.op} in a constant expression`);
    const n = info.name;
    switch (n) {
      case 'i32.const':
      case 'i64.const':
      case 'f32.const':
      case 'f64.const':
        return [n, ins.value!];
      case 'v128.const':
        return [n, ins.bytes!];
      case 'array.new_fixed':
        return [n, ins.idx!, ins.idx2!];
      default:
        return ins.idx !== undefined ? [n, ins.idx] : [n];
    }
  });
}

/** `m` without function bodies, names or custom sections, constant expressions as ConstOps. */
export function moduleInfo(m: ModuleIR): ModuleInfo {
  return {
    types: m.types,
    recGroups: m.recGroups,
    imports: m.imports,
    funcs: m.funcs,
    tables: m.tables.map((t) => (t.init ? { type: t.type, init: constOps(t.init) } : { type: t.type })),
    memories: m.memories,
    globals: m.globals.map((g) => ({ type: g.type, init: constOps(g.init) })),
    tags: m.tags,
    exports: m.exports.map((e) => ({ name: e.name, kind: e.kind, index: e.index })),
    ...(m.start !== undefined ? { start: m.start } : {}),
    elems: m.elems.map((e) => ({
      mode: e.mode,
      table: e.table,
      ...(e.offset ? { offset: constOps(e.offset) } : {}),
      type: e.type,
      init: e.init.map(constOps),
    })),
    datas: m.datas.map((d) => ({
      mode: d.mode,
      memory: d.memory,
      ...(d.offset ? { offset: constOps(d.offset) } : {}),
      bytes: d.bytes,
    })),
    numImportedFuncs: m.numImportedFuncs,
    numImportedTables: m.numImportedTables,
    numImportedMemories: m.numImportedMemories,
    numImportedGlobals: m.numImportedGlobals,
    numImportedTags: m.numImportedTags,
  };
}
