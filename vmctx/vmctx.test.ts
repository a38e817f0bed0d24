// VMOffsets and VMContext: the slot order of both regions, the numeric slab's alignment and
// the views over it, for a module with every kind of import and definition; and the
// write-once rule of the reference slab, as the runtime keeps it (the runtime is imported
// only by this test: the rule is about what the runtime does with a layout).

import { parseWat } from '../compiler/text';
import { decodeModule } from '../compiler/binary';
import { Engine, Store, Module, Instance, Memory, Table, Func } from '../runtime';
import { VMOffsets, VMContext, SlabKind } from './index';

const WAT = `(module
  (import "m" "f0" (func))
  (import "m" "g0" (global i32))
  (import "m" "t0" (table 1 funcref))
  (import "m" "f1" (func (param i32)))
  (import "m" "mem0" (memory 1))
  (import "m" "tag0" (tag))
  (import "m" "g1" (global (mut f64)))
  (global $a (mut i32) (i32.const 1))
  (global $b v128 (v128.const i32x4 1 2 3 4))
  (global $c (mut i64) (i64.const 2))
  (global $d (mut externref) (ref.null extern))
  (global $e f32 (f32.const 1.5))
  (global $f v128 (v128.const i32x4 5 6 7 8))
  (table 2 externref)
  (memory 1)
  (tag (param i32))
  (elem func 0)
  (elem func 1)
  (data "x"))`;

const ir = decodeModule(parseWat(WAT));
const o = new VMOffsets(ir);

test('reference slots: imports in import order, then tables, memories, tags, elements, data', () => {
  // Imports take slots 0..6 in the order they are declared, whatever their kind.
  expect([
    o.importedFunc(0),
    o.importedGlobal(0),
    o.table(0),
    o.importedFunc(1),
    o.memory(0),
    o.tag(0),
    o.importedGlobal(1),
  ]).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect(o.isImportedGlobal(1)).toBe(true);
  expect(o.isImportedGlobal(2)).toBe(false);
  // The one reference-typed defined global takes the next slot, then the definitions.
  expect(o.definedGlobal(5)).toEqual({ kind: 'ref', slot: 7 });
  expect([o.table(1), o.memory(1), o.tag(1), o.elem(0), o.elem(1), o.data(0)]).toEqual([8, 9, 10, 11, 12, 13]);
  expect(o.refSlots).toBe(14);
});

test('numeric slab: v128 globals first (16-byte aligned), then 8 bytes per numeric global', () => {
  // Defined globals are 2..7 in the global index space (two imports first).
  expect(o.definedGlobal(3)).toEqual({ kind: 'num', slab: SlabKind.V128, index: 0 });
  expect(o.definedGlobal(7)).toEqual({ kind: 'num', slab: SlabKind.V128, index: 4 });
  expect(o.definedGlobal(2)).toEqual({ kind: 'num', slab: SlabKind.I32, index: 8 });
  expect(o.definedGlobal(4)).toEqual({ kind: 'num', slab: SlabKind.I64, index: 5 });
  // f32 is carried as its f64 number.
  expect(o.definedGlobal(6)).toEqual({ kind: 'num', slab: SlabKind.F64, index: 6 });
  expect(o.slabBytes % 16).toBe(0);
  expect(o.slabBytes).toBe(64);
  expect(() => o.definedGlobal(0)).toThrow();
  expect(() => o.importedGlobal(2)).toThrow();
});

test("a VMContext has views over one slab and a reference slab of the layout's length", () => {
  const vm = new VMContext(o);
  expect(vm.slab.byteLength).toBe(o.slabBytes);
  expect(vm.refs.length).toBe(o.refSlots);
  // An i64 global at I64 index k is the int32 words 2k (low) and 2k + 1 (high).
  const k = (o.definedGlobal(4) as { index: number }).index;
  vm.i64[k] = -2n;
  expect([vm.i32[2 * k], vm.i32[2 * k + 1]]).toEqual([-2, -1]);
  const f = (o.definedGlobal(6) as { index: number }).index;
  vm.f64[f] = 1.5;
  expect(new Float64Array(vm.slab)[f]).toBe(1.5);
});

test('a module without globals still gets a 16-byte slab', () => {
  const empty = new VMOffsets(decodeModule(parseWat('(module)')));
  expect(empty.slabBytes).toBe(16);
  expect(empty.refSlots).toBe(0);
});

describe('the reference slab is written once (runtime/vm/instance.ts, runtime/instance.ts)', () => {
  const SRC = `(module
    (import "m" "mem" (memory 1))
    (import "m" "f" (func $f))
    (global $r (mut funcref) (ref.null func))
    (table $t 2 funcref)
    (memory $m 1)
    (elem $e func $f)
    (data $d "xy")
    (func (export "run")
      (elem.drop $e) (data.drop $d)
      (global.set $r (ref.func $f))
      (drop (memory.grow $m (i32.const 1)))
      (drop (table.grow $t (ref.null func) (i32.const 1))))
    (export "t" (table $t)))`;
  const engine = new Engine();
  const module = Module.fromBinary(engine, parseWat(SRC));
  const off = module.offsets;
  const store = new Store(engine);
  const imports = [
    Memory.create(store, { limits: { min: 1 }, addr: 'i32', shared: false, pageSizeLog2: 16 }),
    Func.fromHost(store, { kind: 'func', params: [], results: [] }, () => undefined),
  ];
  const inst = Instance.instantiate(store, module, imports);
  const segmentSlots = new Set([off.elem(0), off.data(0)]);
  const disposeSlots = new Set([off.memory(0), off.memory(1), off.table(0)]);
  const before = [...inst.vm.refs];

  test('after instantiation every slot is filled; running code changes only segment slots', () => {
    expect(before.every((v) => v !== null && v !== undefined)).toBe(true);
    inst.getFunc('run')!.call();
    inst.vm.refs.forEach((v, i) => {
      if (segmentSlots.has(i)) expect(v).not.toBe(before[i]);
      else expect(v).toBe(before[i]);
    });
  });

  test('dispose() clears the memory and table slots and no other', () => {
    const running = [...inst.vm.refs];
    const table = inst.getTable('t')!;
    inst.dispose();
    inst.vm.refs.forEach((v, i) => {
      if (disposeSlots.has(i)) expect(v).toBeNull();
      else expect(v).toBe(running[i]);
    });
    // The objects themselves live on for whoever else holds them.
    expect(table).toBeInstanceOf(Table);
  });
});
