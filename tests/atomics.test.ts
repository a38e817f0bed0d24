// Atomic instructions (threads proposal) on a memory used by one agent: bounds are checked
// before alignment, wait compares at its width and, with no other agent to notify it, times
// out; notify wakes nobody, unshared memories refuse wait; a shared memory is a
// SharedArrayBuffer that grows in place. The official atomic.wast runs with the spec suite;
// these cover what it does not. Several agents: tests/threads/.

import { Engine, Module, Store, Linker, RuntimeError } from '../index';
import { parseWat } from '../compiler/text';

const WAT = `(module
  (memory (export "mem") 1 1 shared)
  (func (export "wait32") (param i32 i32 i64) (result i32) (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32) (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32) (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "add16") (param i32 i32) (result i32) (i32.atomic.rmw16.add_u (local.get 0) (local.get 1)))
  (func (export "cmpxchg8") (param i32 i64 i64) (result i64) (i64.atomic.rmw8.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "xchg64") (param i32 i64) (result i64) (atomic.fence) (i64.atomic.rmw.xchg (local.get 0) (local.get 1))))`;

const UNSHARED = `(module (memory 1)
  (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1))))`;

describe.each(['jit', 'interpreter'] as const)('atomics, %s profile', (codegen) => {
  const engine = new Engine({ codegen });
  const instantiate = (wat: string) =>
    new Linker(engine).instantiate(new Store(engine), Module.fromBinary(engine, parseWat(wat)));
  const inst = instantiate(WAT);
  const call = (name: string, ...args: (number | bigint)[]): unknown => inst.getFunc(name)!.call(...args)[0];
  const trapOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(RuntimeError);
      return (e as Error).message;
    }
    throw new Error('no trap');
  };

  test('read-modify-write results and widths', () => {
    const bytes = new Uint8Array(inst.getMemory('mem')!.buffer);
    bytes.set([0xff, 0xff, 0x07, 0, 0, 0, 0, 0], 16);
    expect(call('add16', 16, 2)).toBe(0xffff);
    expect([...bytes.subarray(16, 20)]).toEqual([1, 0, 7, 0]);
    // The expected value is compared at the access's width: 0x101 wraps to 1.
    expect(call('cmpxchg8', 16, 0x101n, 0xabn)).toBe(1n);
    expect(bytes[16]).toBe(0xab);
    expect(call('cmpxchg8', 16, 0n, 0x11n)).toBe(0xabn);
    expect(bytes[16]).toBe(0xab);
    expect(call('xchg64', 16, -2n)).toBe(0x700abn);
    expect(call('load', 16)).toBe(-2);
  });

  test('bounds before alignment; unaligned addresses trap', () => {
    expect(trapOf(() => call('load', 65535))).toMatch(/out of bounds memory access/);
    expect(trapOf(() => call('load', 65534))).toMatch(/out of bounds memory access/);
    expect(trapOf(() => call('load', 2))).toMatch(/unaligned atomic/);
    expect(trapOf(() => call('add16', 3, 1))).toMatch(/unaligned atomic/);
    expect(trapOf(() => call('wait64', 4, 0n, 0n))).toMatch(/unaligned atomic/);
  });

  test('wait compares, then times out; notify with no waiter wakes nobody', () => {
    const view = new DataView(inst.getMemory('mem')!.buffer);
    view.setInt32(32, 5, true);
    view.setInt32(36, 1, true);
    expect(call('wait32', 32, 4, 0n)).toBe(1);
    expect(call('wait32', 32, 5, 0n)).toBe(2);
    expect(call('wait64', 32, 5n, 0n)).toBe(1);
    expect(call('wait64', 32, 0x100000005n, 1000n)).toBe(2);
    const t0 = Date.now();
    expect(call('wait32', 32, 5, 30_000_000n)).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    // Without a timeout only a different value keeps the wait from blocking this thread.
    expect(call('wait32', 32, 4, -1n)).toBe(1);
    expect(call('wait64', 32, 5n, -1n)).toBe(1);
    expect(call('notify', 32, 10)).toBe(0);
  });

  test('a shared memory is one SharedArrayBuffer that grows in place', () => {
    const mem = inst.getMemory('mem')!;
    const before = mem.buffer;
    expect(before).toBeInstanceOf(SharedArrayBuffer);
    expect(Object.isFrozen(before)).toBe(true);
    const shared = instantiate(`(module (memory (export "m") 1 3 shared)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "load") (param i32) (result i32) (i32.atomic.load (local.get 0))))`);
    const m = shared.getMemory('m')!;
    const sab = m.buffer;
    new Int32Array(sab)[100] = 42;
    expect(shared.getFunc('grow')!.call(2)).toEqual([1]);
    expect(m.buffer).toBe(sab);
    expect(sab.byteLength).toBe(3 * 65536);
    expect(shared.getFunc('load')!.call(400)).toEqual([42]);
    Atomics.store(new Int32Array(sab), 3 * 16384 - 1, 7);
    expect(shared.getFunc('load')!.call(3 * 65536 - 4)).toEqual([7]);
    expect(shared.getFunc('grow')!.call(1)).toEqual([-1]);
  });

  test('an unshared memory refuses wait and notifies nobody', () => {
    const u = instantiate(UNSHARED);
    expect(trapOf(() => u.getFunc('wait')!.call())).toMatch(/expected shared memory/);
    expect(u.getFunc('notify')!.call()).toEqual([0]);
  });
});
