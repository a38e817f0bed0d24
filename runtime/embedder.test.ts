import { parseWat } from '../compiler/text';
import {
  Engine,
  Store,
  Module,
  Linker,
  Func,
  Memory,
  Table,
  Global,
  Tag,
  DisposedError,
  LinkError,
  Instance,
  instantiateTracked,
} from './index';

const engine = new Engine({ features: { threads: false }, compilation: 'eager' });

const LIB = Module.fromBinary(
  engine,
  parseWat(`(module
  (import "host" "log" (func $log (param i64)))
  (memory (export "memory") 1 3)
  (table (export "table") 2 funcref)
  (global (export "counter") (mut i32) (i32.const 0))
  (tag (export "oops") (param i32))
  (func (export "bump") (param i64) (result i32)
    (call $log (local.get 0))
    (global.set 0 (i32.add (global.get 0) (i32.const 1)))
    (global.get 0)))`),
);

const USER = Module.fromBinary(
  engine,
  parseWat(`(module
  (import "lib" "memory" (memory 1))
  (import "lib" "bump" (func $bump (param i64) (result i32)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "twice") (result i32) (drop (call $bump (i64.const 1))) (call $bump (i64.const 2))))`),
);

describe('Engine', () => {
  test('keeps its configuration', () => {
    expect(engine.features.threads).toBe(false);
    expect(engine.features.simd).toBe(true);
    expect(engine.lazy).toBe(false);
    expect(new Engine({ compilation: 'lazy' }).lazy).toBe(true);
  });

  test('features: a switched-off proposal is a CompileError; custom descriptors start off', () => {
    const shared = parseWat('(module (memory 1 1 shared))');
    expect(() => Module.fromBinary(engine, shared)).toThrow(/shared memories require the threads proposal/);
    expect(() => Module.fromBinary(new Engine(), shared)).not.toThrow();
    // An exact reference type in a signature only, no descriptor instruction or clause.
    const exact = parseWat('(module (type $t (struct)) (func (param (ref null (exact $t)))))');
    expect(new Engine().features.customDescriptors).toBe(false);
    expect(() => Module.fromBinary(new Engine(), exact)).toThrow(
      /exact reference types require the custom-descriptors proposal/,
    );
    expect(() => Module.fromBinary(new Engine({ features: { customDescriptors: true } }), exact)).not.toThrow();
  });
});

describe('Module bytes', () => {
  const WAT = '(module (func (export "f") (result i32) (i32.const 7)))';
  const WASM = parseWat(WAT);
  /** Changes the module's i32.const 7 to 9 where `bytes` hold the module. */
  const patch = (bytes: Buffer): void => {
    const at = bytes.indexOf(WASM) + WASM.lastIndexOf(0x41) + 1;
    expect(at).toBeGreaterThan(WASM.length / 2);
    expect(bytes[at]).toBe(7);
    bytes[at] = 9;
  };
  const run = (engine: Engine, m: Module): unknown =>
    Instance.instantiate(new Store(engine), m, []).getFunc('f')!.call();

  test('a module keeps its own copy of a Node Buffer (whose slice shares memory)', () => {
    const engine = new Engine();
    const bytes = Buffer.from(WASM);
    const m = Module.fromBinary(engine, bytes);
    patch(bytes);
    expect(run(engine, m)).toEqual([7]);
  });

  test('a deserialized module keeps its own copy of the Wasm in a Buffer', () => {
    const engine = new Engine();
    const data = Buffer.from(Module.fromBinary(engine, WASM).serialize());
    const m = Module.deserialize(engine, data);
    patch(data);
    expect(run(engine, m)).toEqual([7]);
  });
});

describe('Module types', () => {
  test('imports and exports carry full types', () => {
    expect(LIB.importTypes()).toEqual([
      { module: 'host', name: 'log', kind: 'func', type: { kind: 'func', params: ['i64'], results: [] } },
    ]);
    const ex = Object.fromEntries(LIB.exportTypes().map((e) => [e.name, e]));
    expect(ex.memory).toMatchObject({ kind: 'memory', type: { limits: { min: 1, max: 3 }, addr: 'i32' } });
    expect(ex.table).toMatchObject({
      kind: 'table',
      type: { limits: { min: 2 }, elem: { kind: 'ref', heap: 'func', nullable: true } },
    });
    expect(ex.counter).toEqual({ name: 'counter', kind: 'global', type: { type: 'i32', mutable: true } });
    expect(ex.oops).toMatchObject({ kind: 'tag', type: { params: ['i32'], results: [] } });
    expect(ex.bump).toMatchObject({ kind: 'func', type: { params: ['i64'], results: ['i32'] } });
    // The runner's shape stays as it was.
    expect(LIB.imports()).toEqual([{ module: 'host', name: 'log', kind: 'func' }]);
  });

  test('exported imports and definitions of every kind, numbered imports first', () => {
    const m = Module.fromBinary(
      new Engine(),
      parseWat(`(module
        (import "a" "f" (func $f (param i32)))
        (import "a" "t" (table $t 1 externref))
        (import "a" "m" (memory $m 1))
        (import "a" "g0" (global f64))
        (import "a" "g" (global $g f32))
        (import "a" "x" (tag $x (param f64)))
        (func (result f32) (f32.const 0))
        (func $h (result i64) (i64.const 0))
        (table $u 2 funcref)
        (memory $n 3 4)
        (global (mut i32) (i32.const 0))
        (global $k (mut i64) (i64.const 1))
        (tag $y (param i32 i32))
        (export "f" (func $f)) (export "h" (func $h))
        (export "t" (table $t)) (export "u" (table $u))
        (export "m" (memory $m)) (export "n" (memory $n))
        (export "g" (global $g)) (export "k" (global $k))
        (export "x" (tag $x)) (export "y" (tag $y)))`),
    );
    const ex = Object.fromEntries(m.exportTypes().map((e) => [e.name, e.type]));
    expect(ex.f).toMatchObject({ params: ['i32'], results: [] });
    expect(ex.h).toMatchObject({ params: [], results: ['i64'] });
    expect(ex.t).toMatchObject({ limits: { min: 1 }, elem: { heap: 'extern' } });
    expect(ex.u).toMatchObject({ limits: { min: 2 }, elem: { heap: 'func' } });
    expect(ex.m).toMatchObject({ limits: { min: 1 } });
    expect(ex.n).toMatchObject({ limits: { min: 3, max: 4 } });
    expect(ex.g).toEqual({ type: 'f32', mutable: false });
    expect(ex.k).toEqual({ type: 'i64', mutable: true });
    expect(ex.x).toMatchObject({ params: ['f64'] });
    expect(ex.y).toMatchObject({ params: ['i32', 'i32'] });
    expect(m.importTypes().map((i) => i.type)).toEqual([ex.f, ex.t, ex.m, { type: 'f64', mutable: false }, ex.g, ex.x]);
  });
});

function setup(): { store: Store<{ logged: bigint[] }>; lib: Instance; user: Instance; linker: Linker } {
  const store = new Store(engine, { logged: [] as bigint[] });
  const linker = new Linker(engine);
  linker.func('host', 'log', { params: ['i64'], results: [] }, (v) => {
    store.data.logged.push(v);
  });
  const lib = linker.instantiate(store, LIB);
  linker.instance('lib', lib);
  const user = linker.instantiate(store, USER);
  return { store, lib, user, linker };
}

describe('Linker, Store and typed accessors', () => {
  test('host functions see BigInt i64 and the store data', () => {
    const { store, lib, user } = setup();
    expect(user.getFunc('twice')!.call()).toEqual([2]);
    expect(store.data.logged).toEqual([1n, 2n]);
    expect(lib.getGlobal('counter')!.get()).toBe(2);
    user.getFunc('store')!.call(8, 1234);
    expect(new DataView(lib.getMemory('memory')!.buffer).getInt32(8, true)).toBe(1234);
    expect(lib.getTable('table')).toBeInstanceOf(Table);
    expect(lib.getTag('oops')).toBeInstanceOf(Tag);
    expect(lib.getFunc('memory')).toBeUndefined();
    expect(lib.getMemory('nope')).toBeUndefined();
    expect(lib.getGlobal('counter')).toBeInstanceOf(Global);
  });

  test('a missing definition is a LinkError naming the import', () => {
    const store = new Store(engine);
    expect(() => new Linker(engine).instantiate(store, LIB)).toThrow(LinkError);
    expect(() => new Linker(engine).instantiate(store, LIB)).toThrow(/"host" "log"/);
  });

  test('a host function with several results returns an array', () => {
    const m = Module.fromBinary(
      engine,
      parseWat(`(module
      (import "h" "pair" (func $p (result i32 i64)))
      (func (export "sum") (result i64) (local i64) (call $p) (local.set 0) (i64.extend_i32_s) (local.get 0) (i64.add)))`),
    );
    const linker = new Linker(engine).func(
      'h',
      'pair',
      { params: [], results: ['i32', 'i64'] },
      (): [number, bigint] => [40, 2n],
    );
    expect(linker.instantiate(new Store(engine), m).getFunc('sum')!.call()).toEqual([42n]);
  });
});

describe('dispose', () => {
  test('calls and export reads after dispose fail with a clear error', () => {
    const { lib } = setup();
    const bump = lib.getFunc('bump')!;
    expect(lib.disposed).toBe(false);
    lib.dispose();
    expect(lib.disposed).toBe(true);
    expect(() => bump.call(1n)).toThrow(DisposedError);
    expect(() => bump.call(1n)).toThrow(/function "bump" called after the Instance was disposed/);
    expect(() => lib.getFunc('bump')).toThrow(/Instance has been disposed/);
    expect(() => lib.exports).toThrow(DisposedError);
    lib.dispose(); // idempotent
  });

  test('releases the memory refresher an instance registered on a shared memory', () => {
    const { lib, user } = setup();
    const mem = lib.getMemory('memory') as Memory;
    expect(mem.refreshers.size).toBe(2);
    user.dispose();
    expect(mem.refreshers.size).toBe(1);
    // The exporter still works and sees growth.
    expect(mem.grow(1)).toBe(1);
    expect(lib.getFunc('bump')!.call(5n)).toEqual([1]);
  });

  test('disposing a store disposes its instances and refuses new ones', () => {
    const { store, lib, user, linker } = setup();
    store.dispose();
    expect(store.disposed).toBe(true);
    expect(lib.disposed && user.disposed).toBe(true);
    expect(store.instances).toHaveLength(0);
    expect(() => linker.instantiate(store, USER)).toThrow(/disposed Store/);
  });

  test('a Func made by Func.fromHost is unaffected by other instances being disposed', () => {
    const f = Func.fromHost(null, { kind: 'func', params: ['i32'], results: ['i32'] }, (x) => (x as number) + 1);
    const { lib } = setup();
    lib.dispose();
    expect(f.call(1)).toEqual([2]);
  });
});

describe('one engine per store', () => {
  const SPIN = parseWat('(module (func (export "spin") (loop $l (br $l))))');

  test('a module compiled by another engine is refused by every instantiate path', () => {
    // Code translated by a plain engine has no fuel or interrupt checks: run in a store with
    // fuel and a deadline it would spin forever.
    const plain = new Engine();
    const limited = new Engine({ consumeFuel: true, epochInterruption: true });
    const mod = Module.fromBinary(plain, SPIN);
    const store = new Store(limited);
    store.setFuel(1000);
    store.setDeadline(100);
    const crossEngine =
      /cross-`Engine` instantiation is not currently supported: the module was compiled by a different Engine/;
    expect(() => new Linker(limited).instantiate(store, mod)).toThrow(LinkError);
    expect(() => new Linker(limited).instantiate(store, mod)).toThrow(crossEngine);
    expect(() => instantiateTracked(store, mod, [])).toThrow(crossEngine);
    expect(() => Instance.instantiate(store, mod, [])).toThrow(crossEngine);
    expect(store.instances).toHaveLength(0);
    // The same bytes compiled by the store's engine run under its fuel.
    const own = new Linker(limited).instantiate(store, Module.fromBinary(limited, SPIN));
    expect(() => own.getFunc('spin')!.call()).toThrow(/all fuel consumed/);
  });

  test('a Linker of another engine is refused, and so are its definitions', () => {
    const other = new Engine();
    expect(() => new Linker(other).instantiate(new Store(engine), LIB)).toThrow(
      /cross-`Engine` instantiation is not currently supported: the Linker belongs to a different Engine/,
    );
    const store = new Store(other);
    expect(() => new Linker(other).instantiate(store, LIB)).toThrow(
      /the module was compiled by a different Engine than the Linker's/,
    );
    const mem = Memory.create(store, { limits: { min: 1 }, shared: false, addr: 'i32', pageSizeLog2: 16 });
    expect(() => new Linker(engine).define('lib', 'memory', mem)).toThrow(LinkError);
    expect(() => new Linker(engine).define('lib', 'memory', mem)).toThrow(/cross-`Engine` use/);
  });

  test('externs of one store are refused as imports of another', () => {
    const { lib } = setup();
    const crossStore =
      /cross-`Store` instantiation is not currently supported: import "lib" "\w+" belongs to a different Store/;
    const IMPORTS_ALL = Module.fromBinary(
      engine,
      parseWat(`(module
      (import "lib" "bump" (func (param i64) (result i32)))
      (import "lib" "memory" (memory 1))
      (import "lib" "table" (table 2 funcref))
      (import "lib" "counter" (global (mut i32)))
      (import "lib" "oops" (tag (param i32))))`),
    );
    const names = ['bump', 'memory', 'table', 'counter', 'oops'];
    // Each kind alone is refused: every other import comes from the target store itself.
    for (const foreign of names) {
      const other = new Store(engine, { logged: [] as bigint[] });
      const linker = new Linker(engine);
      linker.func('host', 'log', { params: ['i64'], results: [] }, () => undefined);
      linker.instance('lib', linker.instantiate(other, LIB));
      linker.define('lib', foreign, lib.exports.get(foreign)!);
      expect(() => linker.instantiate(other, IMPORTS_ALL)).toThrow(LinkError);
      expect(() => linker.instantiate(other, IMPORTS_ALL)).toThrow(crossStore);
      expect(() =>
        Instance.instantiate(
          other,
          IMPORTS_ALL,
          names.map((n) => lib.exports.get(n)!),
        ),
      ).toThrow(crossStore);
      linker.instance('lib', other.instances[0]);
      expect(linker.instantiate(other, IMPORTS_ALL)).toBeInstanceOf(Instance);
    }
  });

  test('externs created for a store, and functions read back from a table, keep their store', () => {
    const a = new Store(engine);
    const b = new Store(engine);
    const mem = Memory.create(a, { limits: { min: 1 }, shared: false, addr: 'i32', pageSizeLog2: 16 });
    const glob = Global.create(a, { type: 'i32', mutable: true }, 1);
    const tag = Tag.create(a, { kind: 'func', params: ['i32'], results: [] });
    const host = Func.fromHost(a, { kind: 'func', params: ['i64'], results: [] }, () => undefined);
    const m = Module.fromBinary(
      engine,
      parseWat(`(module (import "m" "x" (memory 1)) (import "g" "x" (global (mut i32)))
      (import "t" "x" (tag (param i32))) (import "f" "x" (func (param i64))))`),
    );
    expect(() => Instance.instantiate(b, m, [mem, glob, tag, host])).toThrow(
      /import "m" "x" belongs to a different Store/,
    );
    expect(() => Instance.instantiate(b, m, [Memory.create(b, mem.type), glob, tag, host])).toThrow(/import "g" "x"/);
    expect(Instance.instantiate(a, m, [mem, glob, tag, host])).toBeInstanceOf(Instance);
    // Store-independent externs (created with a null store) are accepted everywhere.
    const free = [
      Memory.create(null, mem.type),
      Global.create(null, glob.type, 2),
      Tag.create(null, tag.type),
      Func.fromHost(null, host.type, () => undefined),
    ];
    expect(Instance.instantiate(b, m, free)).toBeInstanceOf(Instance);
    expect(Instance.instantiate(a, m, free)).toBeInstanceOf(Instance);

    const withTable = new Linker(engine).instantiate(
      a,
      Module.fromBinary(
        engine,
        parseWat(`(module
      (table (export "t") 1 funcref) (func $f (param i64)) (elem (i32.const 0) $f))`),
      ),
    );
    const fromTable = withTable.getTable('t')!.get(0) as Func;
    expect(fromTable).toBeInstanceOf(Func);
    expect(() =>
      Instance.instantiate(b, m, [
        Memory.create(b, mem.type),
        Global.create(b, glob.type, 0),
        Tag.create(b, tag.type),
        fromTable,
      ]),
    ).toThrow(/import "f" "x" belongs to a different Store/);
  });
});
