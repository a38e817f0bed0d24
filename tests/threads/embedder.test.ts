// A shared memory used by several agents through the embedder API: `Memory.prototype.share()`
// here, `Memory.fromShared` in worker threads (which load the built dist/, as a user's
// workers would load the package). Atomic read-modify-writes from every agent add up
// exactly, wait and notify reach across agents, and growth in one agent is seen by the
// others' instances (size, plain and atomic accesses) without a spurious trap.

import { Worker } from 'worker_threads';
import * as path from 'path';
import { Engine, Linker, Memory, Module, Store, RuntimeError, type SharedMemoryHandle } from '../../index';
import { parseWat } from '../../compiler/text';
import { ensureBuilt, ROOT } from '../cli-helpers';

beforeAll(() => ensureBuilt(), 300_000);
jest.setTimeout(120_000);

const DIST = path.join(ROOT, 'dist', 'index.js');

const GUEST = `(module
  (import "env" "mem" (memory 1 4 shared))
  (func (export "inc") (param $n i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (drop (i64.atomic.rmw.add (i32.const 8) (i64.const 0x100000001)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "wait") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32) (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "aload") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2))))`;

const BYTES = parseWat(GUEST);

/**
 * A worker that wraps the handle as a Memory, instantiates GUEST on it and calls the exports
 * `calls` names in order (code generated for `codegen`); it posts the results of the calls (or the error's message).
 */
function agent(
  handle: SharedMemoryHandle,
  calls: Array<[string, ...(number | bigint)[]]>,
  codegen = 'jit',
): Promise<unknown[]> {
  const w = new Worker(
    `
    const { workerData, parentPort } = require('worker_threads');
    const { Engine, Store, Module, Memory, Linker } = require(workerData.dist);
    try {
      const engine = new Engine({ codegen: workerData.codegen });
      const store = new Store(engine);
      const mem = Memory.fromShared(store, workerData.handle);
      const linker = new Linker(engine).define('env', 'mem', mem);
      const inst = linker.instantiate(store, Module.fromBinary(engine, workerData.bytes));
      parentPort.postMessage(workerData.calls.map(([name, ...args]) => inst.getFunc(name).call(...args)[0]));
    } catch (e) {
      parentPort.postMessage(String(e && e.message));
    }
  `,
    { eval: true, workerData: { dist: DIST, handle, bytes: BYTES, calls, codegen } },
  );
  return new Promise((resolve, reject) => {
    w.once('message', (m) => (Array.isArray(m) ? resolve(m) : reject(new Error(String(m)))));
    w.once('error', reject);
  });
}

describe.each(['jit', 'interpreter'] as const)('a shared memory between agents, %s profile', (codegen) => {
  const engine = new Engine({ codegen });

  function setup(): {
    mem: Memory;
    inst: ReturnType<Linker['instantiate']>;
    call: (name: string, ...args: (number | bigint)[]) => unknown;
  } {
    const store = new Store(engine);
    const mem = Memory.create(store, { addr: 'i32', limits: { min: 1, max: 4 }, shared: true, pageSizeLog2: 16 });
    const inst = new Linker(engine).define('env', 'mem', mem).instantiate(store, Module.fromBinary(engine, BYTES));
    return { mem, inst, call: (name, ...args) => inst.getFunc(name)!.call(...args)[0] };
  }

  test('atomic increments by four workers and this thread add up exactly', async () => {
    const { mem, call } = setup();
    const handle = mem.share();
    const N = 20_000;
    const workers = Array.from({ length: 4 }, () => agent(handle, [['inc', N]], codegen));
    call('inc', N);
    await Promise.all(workers);
    expect(call('aload', 0)).toBe(5 * N);
    // The i64 counter's carry between words is atomic too.
    const words = new Int32Array(mem.buffer, 8, 2);
    expect([words[0], words[1]]).toEqual([5 * N, 5 * N]);
  });

  test('wait is woken by a notify from another agent; notify counts the waiters', async () => {
    const { mem, call } = setup();
    const waiter = agent(
      mem.share(),
      [
        ['wait', 64, 0, -1n],
        ['wait', 64, 1, 0n],
        ['wait', 64, 0, 5_000_000n],
      ],
      codegen,
    );
    // Until the worker is suspended, a notify wakes nobody.
    let woken = 0;
    const t0 = Date.now();
    while ((woken = call('notify', 64, 2) as number) === 0 && Date.now() - t0 < 60_000)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    expect(woken).toBe(1);
    // Woken ("ok"), then "not-equal" without waiting, then "timed-out" after 5 ms.
    expect(await waiter).toEqual([0, 1, 2]);
  });

  test('JS Atomics.notify wakes a Wasm wait in another agent', async () => {
    const { mem } = setup();
    const waiter = agent(mem.share(), [['wait', 128, 0, -1n]], codegen);
    const words = new Int32Array(mem.buffer);
    const t0 = Date.now();
    while (Atomics.notify(words, 32, 1) === 0 && Date.now() - t0 < 60_000)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    expect(await waiter).toEqual([0]);
  });

  test('growth in one agent is seen by the others', async () => {
    const { mem, call } = setup();
    const handle = mem.share();
    // The worker grows by two pages and writes into the last one.
    expect(await agent(handle, [['grow', 2], ['store', 3 * 65536 - 4, 77], ['size']], codegen)).toEqual([
      1,
      undefined,
      3,
    ]);
    expect(call('size')).toBe(3);
    expect(call('load', 3 * 65536 - 4)).toBe(77);
    expect(call('aload', 3 * 65536 - 4)).toBe(77);
    call('fill', 2 * 65536, 1, 16);
    expect(mem.size()).toBe(3);
    expect(mem.buffer.byteLength).toBe(3 * 65536);
    // Growth from here is seen there; beyond the size both agents trap.
    expect(call('grow', 1)).toBe(3);
    expect(await agent(handle, [['size'], ['aload', 4 * 65536 - 4], ['load', 2 * 65536]], codegen)).toEqual([
      4, 0, 0x01010101,
    ]);
    expect(() => call('load', 4 * 65536)).toThrow(RuntimeError);
    expect(await agent(handle, [['grow', 1]], codegen)).toEqual([-1]);
  });

  test('concurrent growth: every page is handed out once', async () => {
    const { mem } = setup();
    const handle = mem.share();
    const results = await Promise.all([1, 2, 3].map(() => agent(handle, [['grow', 1]], codegen)));
    expect(results.map((r) => r[0]).sort()).toEqual([1, 2, 3]);
    expect(mem.size()).toBe(4);
  });
});

test('share() refuses an unshared memory; fromShared refuses what share() did not make', () => {
  const store = new Store(new Engine());
  const mem = Memory.create(store, { addr: 'i32', limits: { min: 1 }, shared: false, pageSizeLog2: 16 });
  expect(() => mem.share()).toThrow(TypeError);
  expect(() => Memory.fromShared(store, { buffer: new SharedArrayBuffer(8) } as unknown as SharedMemoryHandle)).toThrow(
    TypeError,
  );
});

test("the facade: a shared WebAssembly.Memory's handle is posted to a worker's facade", async () => {
  const { WebAssembly: W, shareMemory } = await import('../../index');
  const memory = new W.Memory({ initial: 1, maximum: 4, shared: true });
  const src = `(module (import "env" "mem" (memory 1 4 shared))
    (func (export "inc") (param $n i32)
      (loop $l
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))`;
  const bytes = parseWat(src);
  const run = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const w = new Worker(
        `
      const { workerData, parentPort } = require('worker_threads');
      const { WebAssembly, memoryFromShared } = require(workerData.dist);
      const mem = memoryFromShared(workerData.handle);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), { env: { mem } });
      inst.exports.inc(10000);
      mem.grow(1);
      parentPort.postMessage(mem.buffer.byteLength);
    `,
        { eval: true, workerData: { dist: DIST, handle: shareMemory(memory), bytes } },
      );
      w.once('message', resolve);
      w.once('error', reject);
    });
  const sizes = await Promise.all([run(), run()]);
  expect(Atomics.load(new Int32Array(memory.buffer), 0)).toBe(20000);
  expect(sizes.sort()).toEqual([2 * 65536, 3 * 65536]);
  expect(memory.buffer.byteLength).toBe(3 * 65536);
  expect(memory.grow(0)).toBe(3);
});
