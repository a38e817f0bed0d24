import { spawnSync } from 'child_process';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { parseWat } from '../../compiler/text';
import { ensureBuilt, ROOT } from '../cli-helpers';
import {
  Engine,
  Store,
  Module,
  Func,
  Memory,
  Table,
  Linker,
  RuntimeError,
  DisposedError,
  instantiateTracked,
  type Instance,
} from '../../runtime';

function instantiate(store: Store, wat: string, imports: (Func | Memory | Table)[] = []): Instance {
  return instantiateTracked(store, Module.fromBinary(store.engine, parseWat(wat)), imports);
}

function trapMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeError);
    return (e as Error).message;
  }
  throw new Error('expected a trap');
}

const SPIN_AND_SUM = `(module
  (func (export "spin") (loop br 0))
  (func (export "sum") (param i32) (result i32) (local i32)
    (loop
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if 0 (local.get 0)))
    (local.get 1)))`;

describe('resource limits', () => {
  const GROW = `(module
    (memory (export "mem") 1)
    (table (export "tab") 1 funcref)
    (func (export "memGrow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "tableGrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))`;

  test('memory.grow and table.grow return -1 beyond the store limits; the API grow too', () => {
    const store = new Store(new Engine());
    store.limiter({ memoryPages: 4, tableElements: 10 });
    const inst = instantiate(store, GROW);
    const memGrow = inst.getFunc('memGrow')!;
    const tableGrow = inst.getFunc('tableGrow')!;
    expect(memGrow.call(3)).toEqual([1]);
    expect(memGrow.call(1)).toEqual([-1]);
    expect(inst.getMemory('mem')!.size()).toBe(4);
    expect(inst.getMemory('mem')!.grow(1)).toBe(-1);
    expect(tableGrow.call(9)).toEqual([1]);
    expect(tableGrow.call(1)).toEqual([-1]);
    expect(inst.getTable('tab')!.grow(1)).toBe(-1);
    expect(inst.getTable('tab')!.size()).toBe(10);
  });

  test('without limits the same growth succeeds', () => {
    const inst = instantiate(new Store(new Engine()), GROW);
    expect(inst.getFunc('memGrow')!.call(4)).toEqual([1]);
    expect(inst.getFunc('tableGrow')!.call(10)).toEqual([1]);
  });

  test('instantiation with an initial size beyond the limit fails with a RuntimeError', () => {
    const store = new Store(new Engine());
    store.limiter({ memoryPages: 2, tableElements: 5 });
    expect(() => instantiate(store, '(module (memory 3))')).toThrow(
      /memory minimum size of 3 pages exceeds the store's resource limit/,
    );
    expect(() => instantiate(store, '(module (table 6 funcref))')).toThrow(RuntimeError);
    expect(() =>
      Memory.create(store, { addr: 'i32', limits: { min: 3 }, shared: false, pageSizeLog2: 16 } as never),
    ).toThrow(RuntimeError);
    expect(instantiate(store, '(module (memory (export "m") 2))').getMemory('m')!.size()).toBe(2);
  });

  test('a custom ResourceLimiter sees current, desired and maximum', () => {
    const store = new Store(new Engine());
    const seen: [number, number, number | undefined][] = [];
    store.limiter({
      memoryGrowing: (c, d, m) => {
        seen.push([c, d, m]);
        return d <= 3;
      },
      tableGrowing: () => true,
    });
    const inst = instantiate(store, '(module (memory (export "m") 1 8))');
    expect(inst.getMemory('m')!.grow(1)).toBe(1);
    expect(inst.getMemory('m')!.grow(2)).toBe(-1);
    expect(seen).toEqual([
      [0, 1, 8],
      [1, 2, 8],
      [2, 4, 8],
    ]);
  });
});

describe('fuel', () => {
  test('a runaway loop traps with "all fuel consumed"; the store is usable after refuelling', () => {
    const store = new Store(new Engine({ consumeFuel: true }));
    const inst = instantiate(store, SPIN_AND_SUM);
    store.setFuel(10_000);
    expect(trapMessage(() => inst.getFunc('spin')!.call())).toBe('all fuel consumed');
    expect(store.getFuel()).toBe(0);
    store.setFuel(1000);
    expect(inst.getFunc('sum')!.call(10)).toEqual([55]);
    // Function entry: the 2 instructions outside the loop (loop, local.get); each of the 10
    // iterations: the 11 inside it (3 local.get... br_if, end).
    expect(store.getFuel()).toBe(1000 - 2 - 10 * 11);
  });

  test('a store starts with no fuel (initialFuel sets it)', () => {
    const store = new Store(new Engine({ consumeFuel: true }));
    const inst = instantiate(store, SPIN_AND_SUM);
    expect(trapMessage(() => inst.getFunc('sum')!.call(1))).toBe('all fuel consumed');
    const store2 = new Store(new Engine({ consumeFuel: true, initialFuel: 500 }));
    expect(store2.getFuel()).toBe(500);
    expect(instantiate(store2, SPIN_AND_SUM).getFunc('sum')!.call(3)).toEqual([6]);
  });

  test('without consumeFuel, generated code has no checks and getFuel fails', () => {
    const engine = new Engine({ consumeFuel: false, compilation: 'eager' });
    const m = Module.fromBinary(engine, parseWat(SPIN_AND_SUM));
    expect(m.code.source).not.toMatch(/FUEL|LIMS|ICNT/);
    expect(() => new Store(engine).getFuel()).toThrow(/not enabled/);
    const withFuel = Module.fromBinary(new Engine({ consumeFuel: true, compilation: 'eager' }), parseWat(SPIN_AND_SUM));
    expect(withFuel.code.source).toMatch(/FUEL\[0\] -= /);
  });

  test('fuel is charged in lazily translated functions too', () => {
    const store = new Store(new Engine({ consumeFuel: true, compilation: 'lazy' }));
    const inst = instantiate(store, SPIN_AND_SUM);
    store.setFuel(100);
    expect(trapMessage(() => inst.getFunc('spin')!.call())).toBe('all fuel consumed');
  });
});

describe('interrupts', () => {
  test('a time deadline stops a runaway loop; clearing it makes the store usable', () => {
    const store = new Store(new Engine({ epochInterruption: true }));
    const inst = instantiate(store, SPIN_AND_SUM);
    store.setDeadline(30);
    expect(trapMessage(() => inst.getFunc('spin')!.call())).toBe('interrupt');
    store.setDeadline(Infinity);
    expect(inst.getFunc('sum')!.call(3)).toEqual([6]);
  });

  test('an epoch advanced by a host function the guest calls interrupts at the next check point', () => {
    const engine = new Engine({ epochInterruption: true });
    const store = new Store(engine);
    let calls = 0;
    const tick = Func.fromHost(store, { kind: 'func', params: [], results: [] }, () => {
      if (++calls === 5) engine.incrementEpoch();
    });
    const inst = instantiate(
      store,
      `(module (import "h" "tick" (func $t))
      (func (export "run") (loop (call $t) (br 0))))`,
      [tick],
    );
    store.setEpochDeadline(1);
    expect(trapMessage(() => inst.getFunc('run')!.call())).toBe('interrupt');
    expect(calls).toBe(5);
    store.setEpochDeadline(1);
    calls = 100;
    const sum = instantiate(store, SPIN_AND_SUM).getFunc('sum')!;
    expect(sum.call(4)).toEqual([10]);
  });

  test('an epoch counter in a SharedArrayBuffer advanced by another thread interrupts a guest', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const engine = new Engine({ epochInterruption: true, epochCounter: counter });
    const store = new Store(engine);
    const inst = instantiate(store, SPIN_AND_SUM);
    store.setEpochDeadline(1);
    const worker = new Worker(
      `
      const { workerData, parentPort } = require('worker_threads');
      const a = new Int32Array(workerData);
      parentPort.postMessage('ready');
      Atomics.wait(a, 1, 0, 50);
      Atomics.add(a, 0, 1);
    `,
      { eval: true, workerData: counter.buffer },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    expect(trapMessage(() => inst.getFunc('spin')!.call())).toBe('interrupt');
    expect(Atomics.load(counter, 0)).toBe(1);
    await new Promise((resolve) => worker.once('exit', resolve));
    store.setEpochDeadline(10);
    expect(inst.getFunc('sum')!.call(5)).toEqual([15]);
  });

  test('fuel and interrupts together', () => {
    const store = new Store(new Engine({ consumeFuel: true, epochInterruption: true }));
    const inst = instantiate(store, SPIN_AND_SUM);
    store.setFuel(1e6);
    expect(trapMessage(() => inst.getFunc('spin')!.call())).toBe('all fuel consumed');
    store.setFuel(1e15);
    store.setDeadline(20);
    expect(trapMessage(() => inst.getFunc('spin')!.call())).toBe('interrupt');
  });
});

describe('stack exhaustion', () => {
  test('unbounded recursion traps with "call stack exhausted"; the host stays usable', () => {
    const store = new Store(new Engine());
    const inst = instantiate(
      store,
      `(module
      (func $r (export "recurse") (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1)))
      (func (export "id") (param i32) (result i32) (local.get 0)))`,
    );
    expect(trapMessage(() => inst.getFunc('recurse')!.call(0))).toBe('call stack exhausted');
    expect(inst.getFunc('id')!.call(7)).toEqual([7]);
    expect(trapMessage(() => inst.getFunc('recurse')!.call(0))).toBe('call stack exhausted');
  });
});

describe('instance lifetime', () => {
  test('use after dispose is a DisposedError; the store forgets the instance', () => {
    const store = new Store(new Engine());
    const inst = instantiate(store, '(module (memory (export "m") 1) (func (export "f") (result i32) (i32.const 1)))');
    const f = inst.getFunc('f')!;
    expect(store.instances).toContain(inst);
    inst.dispose();
    expect(() => f.call()).toThrow(DisposedError);
    expect(() => inst.exports).toThrow(DisposedError);
    expect(store.instances).not.toContain(inst);
    expect(inst.vm.refs.some((r) => r instanceof Memory)).toBe(false);
  });

  test('a failed instantiation that nothing escaped is not kept by the store or an imported memory', () => {
    const store = new Store(new Engine());
    const mem = Memory.create(store, { addr: 'i32', limits: { min: 1 }, shared: false, pageSizeLog2: 16 } as never);
    const refreshers = mem.refreshers.size;
    const startTraps = Module.fromBinary(
      store.engine,
      parseWat(`(module (import "m" "mem" (memory 1))
      (global (mut i32) (i32.const 0)) (func $s (i32.store (i32.const 0) (i32.const 9)) unreachable) (start $s))`),
    );
    const segmentTraps = Module.fromBinary(
      store.engine,
      parseWat('(module (import "m" "mem" (memory 1)) (data (i32.const 4) "a") (data (i32.const 65535) "ab"))'),
    );
    for (let i = 0; i < 20; i++) {
      expect(() => instantiateTracked(store, i % 2 ? startTraps : segmentTraps, [mem])).toThrow(RuntimeError);
    }
    expect(store.instances).toHaveLength(0);
    expect(mem.refreshers.size).toBe(refreshers);
    // The effects done before the trap stay, as the spec requires.
    expect(mem.u8[0]).toBe(9);
    expect(mem.u8[4]).toBe(0x61);
  });

  test('a failed instantiation whose functions reached an imported table stays with the store', () => {
    const store = new Store(new Engine());
    const tab = Table.create(
      store,
      { elem: { kind: 'ref', nullable: true, heap: 'func' }, limits: { min: 2 }, addr: 'i32' },
      null,
    );
    const inst = () =>
      instantiateTracked(
        store,
        Module.fromBinary(
          store.engine,
          parseWat(`(module
      (import "m" "tab" (table 2 funcref)) (memory 1)
      (func $seven (result i32) (i32.const 7))
      (elem (i32.const 1) $seven) (data (i32.const 65535) "ab"))`),
        ),
        [tab],
      );
    expect(inst).toThrow(RuntimeError);
    expect(store.instances).toHaveLength(1);
    const user = instantiate(
      store,
      `(module (import "m" "tab" (table 2 funcref))
      (func (export "call") (result i32) (call_indirect (result i32) (i32.const 1))))`,
      [tab],
    );
    expect(user.getFunc('call')!.call()).toEqual([7]);
    store.dispose();
    expect(store.instances).toHaveLength(0);
  });

  test('disposed instances and their memories become collectable while the store lives', () => {
    // In a process of its own: in a shared test worker, code and feedback V8 keeps from
    // other test files can hold objects for a while, which says nothing about jetwasm.
    ensureBuilt();
    const script = `
      const { Engine, Store, Module, instantiateTracked, parseWat } = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
      (async () => {
        const store = new Store(new Engine());
        const module = Module.fromBinary(store.engine, parseWat('(module (memory (export "m") 16) (func (export "f") (result i32) (i32.const 1)))'));
        const collected = new Set();
        const registry = new FinalizationRegistry((what) => collected.add(what));
        const keep = [];
        for (let i = 0; i < 4; i++) {
          const inst = instantiateTracked(store, module, []);
          registry.register(inst, 'instance' + i);
          registry.register(inst.getMemory('m'), 'memory' + i);
          if (inst.getFunc('f').call()[0] !== 1) throw new Error('wrong result');
          if (i < 2) inst.dispose(); else keep.push(inst);
        }
        for (let k = 0; k < 50 && collected.size < 4; k++) {
          await new Promise((r) => setTimeout(r, 10));
          gc();
        }
        console.log(JSON.stringify({ collected: [...collected].sort(), live: store.instances.length, f: keep[0].getFunc('f').call() }));
      })();`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      collected: ['instance0', 'instance1', 'memory0', 'memory1'],
      live: 2,
      f: [1],
    });
  });
});

describe('implementation limits', () => {
  test('a module of 1,000,000 functions (the JS API limit) compiles, instantiates and runs', () => {
    const leb = (n: number): number[] => {
      const o: number[] = [];
      do {
        let b = n & 127;
        n >>>= 7;
        if (n) b |= 128;
        o.push(b);
      } while (n);
      return o;
    };
    const n = 1_000_000;
    const funcs = [...leb(n), ...new Array<number>(n).fill(0)];
    const code: number[] = leb(n);
    for (let i = 0; i < n; i++) code.push(0x02, 0x00, 0x0b); // size 2: no locals, end
    const section = (id: number, c: number[]): number[] => [id, ...leb(c.length), ...c];
    const bytes = new Uint8Array([
      0,
      0x61,
      0x73,
      0x6d,
      1,
      0,
      0,
      0,
      ...section(1, [1, 0x60, 0, 0]),
      ...section(3, funcs),
      ...section(7, [1, 1, 0x66, 0, 0]),
      ...section(10, code),
    ]);
    const engine = new Engine();
    const instance = new Linker(engine).instantiate(new Store(engine), Module.fromBinary(engine, bytes));
    expect(instance.getFunc('f')!.call()).toEqual([]);
  }, 60_000);
});
